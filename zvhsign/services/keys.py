"""Key sources for signing: PKCS#12, PEM (and PKCS#11 tokens)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..domain.secrets import Secret
from ..errors import UsageError


@dataclass(frozen=True)
class KeySource:
    """Where the signing key comes from. Secrets are held in :class:`Secret`."""

    pkcs12: Path | None = None
    pem_key: Path | None = None
    pem_cert: Path | None = None
    pem_chain: tuple[Path, ...] = ()
    passphrase: Secret | None = None

    def load(self):
        from ..pdf.keys import load_pem, load_pkcs12

        if self.pkcs12 is not None:
            return load_pkcs12(self.pkcs12, self.passphrase)
        if self.pem_key is not None and self.pem_cert is not None:
            return load_pem(self.pem_key, self.pem_cert, list(self.pem_chain), self.passphrase)
        raise UsageError("no signing key given: use --key FILE.p12, or --pem-key with --pem-cert")


