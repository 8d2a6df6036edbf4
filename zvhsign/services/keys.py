"""Key sources for signing: PKCS#12, PEM, and PKCS#11 tokens (smartcard, HSM)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..domain.secrets import Secret
from ..errors import N_, UsageError


@dataclass(frozen=True)
class KeySource:
    """Where the signing key comes from. Secrets are held in :class:`Secret`.

    Exactly one of: ``pkcs12``; ``pem_key`` with ``pem_cert`` (and ``pem_chain``);
    ``pkcs11_module`` with ``key_label`` and/or ``cert_label`` (``token_label``
    picks the token when the module has several slots; ``pin`` its user PIN).
    """

    pkcs12: Path | None = None
    pem_key: Path | None = None
    pem_cert: Path | None = None
    pem_chain: tuple[Path, ...] = ()
    passphrase: Secret | None = None
    pkcs11_module: Path | None = None
    token_label: str | None = None
    key_label: str | None = None
    cert_label: str | None = None
    pin: Secret | None = None

    @property
    def is_token(self) -> bool:
        return self.pkcs11_module is not None

    def describe(self) -> str:
        """Where the key is, for the pre-flight (never a secret)."""
        if self.is_token:
            label = self.key_label or self.cert_label
            token = f"token {self.token_label!r}" if self.token_label else "token"
            return f"PKCS#11 {token}, key {label!r} ({self.pkcs11_module})"
        if self.pkcs12 is not None:
            return f"PKCS#12 file {self.pkcs12}"
        return f"PEM key {self.pem_key}"

    def load(self):
        """A signer from a key file. Tokens need a session: use :meth:`open`."""
        from ..pdf.keys import load_pem, load_pkcs12

        if self.is_token:
            raise UsageError("a PKCS#11 key needs an open session: use KeySource.open()")
        if self.pkcs12 is not None:
            return load_pkcs12(self.pkcs12, self.passphrase)
        if self.pem_key is not None and self.pem_cert is not None:
            return load_pem(self.pem_key, self.pem_cert, list(self.pem_chain), self.passphrase)
        raise UsageError.spoken(N_("no signing key given: use --key FILE.p12, or --pem-key with --pem-cert"))

    @contextlib.contextmanager
    def open(self) -> Iterator[object]:
        """The pyHanko signer for this key; a token session is closed afterwards."""
        if not self.is_token:
            yield self.load()
            return
        from ..pdf.keys import open_pkcs11

        signer, close = open_pkcs11(
            Path(self.pkcs11_module), self.token_label, self.key_label, self.cert_label, self.pin
        )
        try:
            yield signer
        finally:
            close()
