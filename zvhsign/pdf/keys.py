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
    kind = file_kind(data)
    if kind != "pkcs12":
        raise SigningKeyError(
            f"{path} is {_KIND_TEXT[kind]}, not a PKCS#12 file (.p12/.pfx) as --key expects",
            hint=_KIND_HINT.get(kind, "give the .p12/.pfx file with your key and certificate"),
        )
    from .keptkey import KeptKeySigner

    try:
        signer = SimpleSigner.load_pkcs12_data(
            data, other_certs=(), passphrase=passphrase.reveal() if passphrase else None
        )
    except (ValueError, TypeError):
        raise SigningKeyError(
            f"can't open {path}: wrong passphrase",
            hint="check the passphrase (prompt, --passphrase-file or ZVHSIGN_PASSPHRASE)",
        ) from None
    return KeptKeySigner.of(signer)  # the key checked once, not at every signature


_KIND_TEXT = {
    "pkcs12": "a PKCS#12 file (key and certificate, for --key)",
    "pem-key": "a PEM private key",
    "pem-cert": "a PEM certificate",
    "pem-key+cert": "a PEM file with a private key and a certificate",
    "pem-other": "a PEM file that holds no certificate and no private key",
    "der-cert": "a DER certificate",
    "der-key": "a DER private key",
    "pdf": "a PDF document",
    "empty": "an empty file",
    "unknown": "not a key or certificate file zvhsign knows",
}
_KIND_HINT = {
    "pem-key": "for PEM files use --pem-key KEY.pem --pem-cert CERT.pem (and --pem-chain)",
    "pem-cert": "for PEM files use --pem-key KEY.pem --pem-cert CERT.pem (and --pem-chain)",
    "pem-key+cert": "for PEM files use --pem-key FILE --pem-cert FILE",
    "der-cert": "for a DER certificate with a separate key use --pem-key KEY --pem-cert CERT",
    "der-key": "for a DER key use --pem-key KEY --pem-cert CERT",
}


def file_kind(data: bytes) -> str:
    """What a key or certificate file holds, by its structure (never by its name):
    ``pkcs12``, ``pem-key``, ``pem-cert``, ``pem-key+cert``, ``pem-other``,
    ``der-cert``, ``der-key``, ``pdf``, ``empty`` or ``unknown``."""
    if not data.strip():
        return "empty"
    if data.lstrip().startswith(b"%PDF"):
        return "pdf"
    if b"-----BEGIN" in data:
        has_key = b"PRIVATE KEY-----" in data
        has_cert = b"CERTIFICATE-----" in data
        if has_key and has_cert:
            return "pem-key+cert"
        return "pem-key" if has_key else "pem-cert" if has_cert else "pem-other"
    from asn1crypto import keys as a_keys, pkcs12 as a_pkcs12, x509 as a_x509

    for kind, spec, probe in (
        ("pkcs12", a_pkcs12.Pfx, lambda o: o["auth_safe"]["content_type"].native),
        ("der-cert", a_x509.Certificate, lambda o: o["tbs_certificate"]["subject"].native),
        ("der-key", a_keys.PrivateKeyInfo, lambda o: o["private_key_algorithm"]["algorithm"].native),
        ("der-key", a_keys.EncryptedPrivateKeyInfo, lambda o: o["encryption_algorithm"]["algorithm"].native),
    ):
        try:
            obj = spec.load(data, strict=True)
            probe(obj)
            return kind
        except Exception:  # noqa: BLE001 - asn1crypto raises ValueError, TypeError and friends
            continue
    return "unknown"


def load_pem(key: Path, cert: Path, chain: list[Path], passphrase: Secret | None):
    """A pyHanko signer from a PEM (or DER) private key, certificate and chain."""
    from pyhanko.keys import load_cert_from_pemder, load_certs_from_pemder, load_private_key_from_pemder
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    from .keptkey import KeptKeySigner

    def read(path: Path) -> bytes:
        try:
            return Path(path).read_bytes()
        except OSError as exc:
            raise SigningKeyError(f"can't read {path}: {exc.strerror}") from None

    key_kind = file_kind(read(key))
    if key_kind not in ("pem-key", "pem-key+cert", "der-key"):
        raise SigningKeyError(
            f"{key} is {_KIND_TEXT[key_kind]}, not a private key as --pem-key expects",
            hint="for a .p12/.pfx file use --key FILE" if key_kind == "pkcs12" else None,
        )
    for c, what in ((cert, "--pem-cert"), *((c, "--pem-chain") for c in chain)):
        kind = file_kind(read(c))
        if kind not in ("pem-cert", "pem-key+cert", "der-cert"):
            raise SigningKeyError(
                f"{c} is {_KIND_TEXT[kind]}, not a certificate as {what} expects",
                hint="for a .p12/.pfx file use --key FILE" if kind == "pkcs12" else None,
            )
    try:
        try:
            signing_key = load_private_key_from_pemder(
                str(key), passphrase=passphrase.reveal() if passphrase else None
            )
        except TypeError:  # a passphrase (e.g. from the environment) for an unencrypted key
            if passphrase is None:
                raise
            signing_key = load_private_key_from_pemder(str(key), passphrase=None)
    except TypeError:
        raise SigningKeyError(
            f"the private key {key} is encrypted and no passphrase was given",
            hint="give it with a prompt, --passphrase-file or ZVHSIGN_PASSPHRASE",
        ) from None
    except (OSError, ValueError):
        raise SigningKeyError(
            f"can't open the private key {key}: wrong passphrase",
            hint="check the passphrase (prompt, --passphrase-file or ZVHSIGN_PASSPHRASE)",
        ) from None
    try:
        signing_cert = load_cert_from_pemder(str(cert))
        others = list(load_certs_from_pemder([str(c) for c in chain]))
    except (OSError, ValueError, TypeError):
        raise SigningKeyError(f"can't load the certificate {cert} or its chain") from None
    store = SimpleCertificateStore()
    store.register_multiple(others)
    return KeptKeySigner(signing_cert=signing_cert, signing_key=signing_key, cert_registry=store)


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
        from pyhanko.sign.pkcs11 import PKCS11Signer
    except ImportError:  # pragma: no cover - pyHanko[pkcs11] is a dependency
        raise SigningKeyError(
            "PKCS#11 support is not installed", hint="pip install 'pyHanko[pkcs11]'"
        ) from None

    if not Path(module).is_file():
        raise SigningKeyError(f"PKCS#11 module {module} does not exist")
    if key_label is None and cert_label is None:
        raise SigningKeyError("give --key-label or --cert-label to pick the key on the token")
    slot_no, criteria, token_text = _choose_token(module, token_label)
    session = _open_session(module, criteria, slot_no, pin, token_text)
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


def _choose_token(module: Path, token_label: str | None):
    """``(slot_no, criteria, token_text)`` for opening the session: the one ready token when
    no label is given, the labelled one when it is present; refuses what can't be chosen."""
    from pyhanko.sign.pkcs11 import TokenCriteria

    token_text = f"token {token_label!r}" if token_label else "the token"
    criteria = TokenCriteria(label=token_label) if token_label else None
    tokens = _tokens(module)
    if tokens is None:  # the module can't be asked: pyHanko reports the problem
        return None, criteria, token_text
    if token_label is not None:
        if not any(t[1] == token_label for t in tokens):
            present = [t for t in tokens if t[2]]
            raise SigningKeyError(
                f"token {token_label!r} is not present in {module.name}; "
                + (f"present: {_list_tokens(present)}" if present else "no token is present"),
                hint="check --token-label, or insert the smartcard",
            )
        return None, criteria, token_text
    ready = [t for t in tokens if t[2]]
    if len(ready) > 1:
        raise SigningKeyError(
            f"{module.name} has {len(ready)} tokens: {_list_tokens(ready)}; "
            "choose one with --token-label",
            hint="e.g. --token-label " + _shell_word(ready[0][1]),
        )
    if len(ready) == 1:
        return ready[0][0], None, f"token {ready[0][1]!r}"
    if not tokens:
        raise SigningKeyError(f"no token is present in {module.name}", hint="insert the smartcard")
    return None, criteria, token_text


def _open_session(module: Path, criteria, slot_no, pin: Secret | None, token_text: str):  # noqa: ANN001
    """A logged-in session on the chosen token; a wrong PIN, a locked or missing token or a
    module that does not load is a :class:`SigningKeyError` naming the cause."""
    from pkcs11 import exceptions as p11e
    from pyhanko.sign.pkcs11 import open_pkcs11_session

    try:
        return open_pkcs11_session(
            str(module), token_criteria=criteria, slot_no=slot_no,
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


def _tokens(module: Path) -> list[tuple[int, str, bool]] | None:
    """``(slot index, token label, initialised)`` of every slot with a token present;
    ``None`` when the module can't be asked (pyHanko then reports the problem)."""
    try:
        import pkcs11
        from pkcs11 import TokenFlag

        lib = pkcs11.lib(str(module))
        out = []
        for index, slot in enumerate(lib.get_slots()):
            try:
                token = slot.get_token()
            except Exception:  # noqa: BLE001 - an empty slot
                continue
            label = (token.label or "").strip()
            out.append((index, label, bool(token.flags & TokenFlag.TOKEN_INITIALIZED) and bool(label)))
        return out
    except Exception:  # noqa: BLE001
        return None


def _list_tokens(tokens) -> str:
    return ", ".join(f"{label!r} (slot {index})" for index, label, _ready in tokens)


def _shell_word(text: str) -> str:
    import shlex

    return shlex.quote(text)
