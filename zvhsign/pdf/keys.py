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
        try:
            signing_key = load_private_key_from_pemder(
                str(key), passphrase=passphrase.reveal() if passphrase else None
            )
        except TypeError:  # a passphrase (e.g. from the environment) for an unencrypted key
            if passphrase is None:
                raise
            signing_key = load_private_key_from_pemder(str(key), passphrase=None)
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


# --------------------------------------------------------------------------- PKCS#11


def open_pkcs11(
    module: Path,
    token_label: str | None,
    key_label: str | None,
    cert_label: str | None,
    pin: Secret | None,
):
    """Open a session on a PKCS#11 token and return ``(signer, close)``.

    The signer's certificate, its key and every other certificate on the token
    (the chain) are loaded here, so a missing key or certificate fails now, not
    halfway through signing. ``close()`` ends the session; call it when done.
    The PIN goes straight to the token: it is never part of a message.
    """
    try:
        from pkcs11 import exceptions as p11e
        from pyhanko.sign.pkcs11 import PKCS11Signer, TokenCriteria, open_pkcs11_session
    except ImportError:  # pragma: no cover - pyHanko[pkcs11] is a dependency
        raise SigningKeyError(
            "PKCS#11 support is not installed", hint="pip install 'pyHanko[pkcs11]'"
        ) from None

    if not Path(module).is_file():
        raise SigningKeyError(f"PKCS#11 module {module} does not exist")
    if key_label is None and cert_label is None:
        raise SigningKeyError("give --key-label or --cert-label to pick the key on the token")
    token_text = f"token {token_label!r}" if token_label else "the token"
    criteria = TokenCriteria(label=token_label) if token_label else None
    try:
        session = open_pkcs11_session(
            str(module), token_criteria=criteria,
            user_pin=pin.reveal().decode("utf-8") if pin is not None else None,
        )
    except (p11e.PinIncorrect, p11e.PinInvalid, p11e.PinLenRange):
        raise SigningKeyError(
            f"the PIN of {token_text} is wrong",
            hint="check the PIN (prompt, --pin-file or ZVHSIGN_PIN); "
            "too many wrong attempts lock the token",
        ) from None
    except p11e.PinLocked:
        raise SigningKeyError(f"{token_text} is locked after too many wrong PINs") from None
    except (p11e.TokenNotPresent, p11e.NoSuchToken, p11e.TokenNotRecognised):
        raise SigningKeyError(
            f"{token_text} is not present", hint="insert the smartcard or check the token label"
        ) from None
    except p11e.PKCS11Error as exc:
        text = str(exc) or type(exc).__name__
        if "No token" in text or "more than 1 slot" in text:
            raise SigningKeyError(
                f"{token_text} is not present in {module.name}",
                hint="insert the smartcard, or check --token-label (softhsm2-util --show-slots, "
                "pkcs11-tool --list-tokens)",
            ) from None
        raise SigningKeyError(f"the PKCS#11 token can't be opened: {type(exc).__name__}") from None
    except (OSError, RuntimeError) as exc:
        raise SigningKeyError(f"can't load the PKCS#11 module {module}: {exc}") from None

    signer = PKCS11Signer(
        session, cert_label=cert_label or key_label, key_label=key_label or cert_label,
        other_certs_to_pull=None,  # the chain, when the token holds it
    )
    try:
        signer.signing_cert  # noqa: B018 - loads certificate, key handle and chain now
    except p11e.PKCS11Error as exc:
        session.close()
        text = str(exc)
        what = "certificate" if "certificate" in text else "private key"
        label = (cert_label or key_label) if what == "certificate" else (key_label or cert_label)
        raise SigningKeyError(
            f"no {what} labelled {label!r} on {token_text}"
            + (" (or more than one)" if "more than" in text.lower() else ""),
            hint="list the objects with: pkcs11-tool --module MODULE --list-objects --login",
        ) from None
    return signer, session.close
