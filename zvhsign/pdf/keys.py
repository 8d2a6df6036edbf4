"""Loading signing keys: PKCS#12 and PEM (PKCS#11 tokens: see ``pkcs11`` extra)."""

from __future__ import annotations

from pathlib import Path

from ..domain.secrets import Secret
from ..errors import SigningKeyError


def load_pkcs12(path: Path, passphrase: Secret | None):
    """A pyHanko signer from a PKCS#12 file. Wrong passphrase → SigningKeyError."""
    from pyhanko.sign.signers import SimpleSigner

    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise SigningKeyError(f"can't read key file {path}: {exc.strerror}") from None
    try:
        return SimpleSigner.load_pkcs12_data(
            data, other_certs=(), passphrase=passphrase.reveal() if passphrase else None
        )
    except ValueError:
        raise SigningKeyError(
            f"can't open {path}: wrong passphrase, or not a PKCS#12 file",
            hint="check the passphrase (prompt, --passphrase-file or ZVHSIGN_PASSPHRASE)",
        ) from None


def load_pem(key: Path, cert: Path, chain: list[Path], passphrase: Secret | None):
    """A pyHanko signer from a PEM (or DER) private key, certificate and chain."""
    from pyhanko.keys import load_cert_from_pemder, load_certs_from_pemder, load_private_key_from_pemder
    from pyhanko.sign.signers import SimpleSigner
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    try:
        signing_key = load_private_key_from_pemder(
            str(key), passphrase=passphrase.reveal() if passphrase else None
        )
    except (OSError, ValueError, TypeError):
        raise SigningKeyError(
            f"can't load the private key {key}: wrong passphrase or not a PEM/DER key"
        ) from None
    try:
        signing_cert = load_cert_from_pemder(str(cert))
        others = list(load_certs_from_pemder([str(c) for c in chain]))
    except (OSError, ValueError, TypeError):
        raise SigningKeyError(f"can't load the certificate {cert} or its chain") from None
    store = SimpleCertificateStore()
    store.register_multiple(others)
    return SimpleSigner(signing_cert=signing_cert, signing_key=signing_key, cert_registry=store)
