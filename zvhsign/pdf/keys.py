"""Loading signing keys: PKCS#12 and PEM (PKCS#11 tokens: see ``pkcs11`` extra).

A signatory meets these errors, so they are raised with ``SigningKeyError.spoken`` and
``N_``-marked English msgids: the CLI says them in the signatory's language (errors.py)."""

from __future__ import annotations

from pathlib import Path

from ..domain.secrets import Secret
from ..errors import N_, SigningKeyError, os_reason


def load_pkcs12(path: Path, passphrase: Secret | None):
    """A pyHanko signer from a PKCS#12 file. Wrong passphrase → SigningKeyError."""
    from pyhanko.sign.signers import SimpleSigner

    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise SigningKeyError.spoken(N_("can't read key file {path}: {reason}"),
                                     path=path, reason=os_reason(exc)) from None
    kind = file_kind(data)
    if kind != "pkcs12":
        raise SigningKeyError.spoken(
            N_("{path} is {kind}, not a PKCS#12 file (.p12/.pfx) as --key expects"),
            hint=_KIND_HINT.get(kind, N_("give the .p12/.pfx file with your key and certificate")),
            path=path, kind=_KIND_TEXT[kind],
        )
    from .keptkey import KeptKeySigner

    try:
        signer = SimpleSigner.load_pkcs12_data(
            data, other_certs=(), passphrase=passphrase.reveal() if passphrase else None
        )
    except (ValueError, TypeError):
        raise SigningKeyError.spoken(
            N_("can't open {path}: wrong passphrase"), hint=_CHECK_PASSPHRASE, path=path,
        ) from None
    return _paired(KeptKeySigner.of(signer), path)  # the key checked once, not at every signature


_CHECK_PASSPHRASE = N_("check the passphrase (prompt, --passphrase-file or ZVHSIGN_PASSPHRASE)")
_USE_KEY = N_("for a .p12/.pfx file use --key FILE")
_KIND_TEXT = {
    "pkcs12": N_("a PKCS#12 file (key and certificate, for --key)"),
    "pem-key": N_("a PEM private key"),
    "pem-cert": N_("a PEM certificate"),
    "pem-key+cert": N_("a PEM file with a private key and a certificate"),
    "pem-other": N_("a PEM file that holds no certificate and no private key"),
    "der-cert": N_("a DER certificate"),
    "der-key": N_("a DER private key"),
    "pdf": N_("a PDF document"),
    "empty": N_("an empty file"),
    "unknown": N_("not a key or certificate file zvhsign knows"),
}
_KIND_HINT = {
    "pem-key": N_("for PEM files use --pem-key KEY.pem --pem-cert CERT.pem (and --pem-chain)"),
    "pem-cert": N_("for PEM files use --pem-key KEY.pem --pem-cert CERT.pem (and --pem-chain)"),
    "pem-key+cert": N_("for PEM files use --pem-key FILE --pem-cert FILE"),
    "der-cert": N_("for a DER certificate with a separate key use --pem-key KEY --pem-cert CERT"),
    "der-key": N_("for a DER key use --pem-key KEY --pem-cert CERT"),
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
            raise SigningKeyError.spoken(N_("can't read {path}: {reason}"),
                                         path=path, reason=os_reason(exc)) from None

    key_kind = file_kind(read(key))
    if key_kind not in ("pem-key", "pem-key+cert", "der-key"):
        raise SigningKeyError.spoken(
            N_("{path} is {kind}, not a private key as --pem-key expects"),
            hint=_USE_KEY if key_kind == "pkcs12" else None, path=key, kind=_KIND_TEXT[key_kind],
        )
    for c, what in ((cert, "--pem-cert"), *((c, "--pem-chain") for c in chain)):
        kind = file_kind(read(c))
        if kind not in ("pem-cert", "pem-key+cert", "der-cert"):
            raise SigningKeyError.spoken(
                N_("{path} is {kind}, not a certificate as {option} expects"),
                hint=_USE_KEY if kind == "pkcs12" else None, path=c, kind=_KIND_TEXT[kind], option=what,
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
        raise SigningKeyError.spoken(
            N_("the private key {path} is encrypted and no passphrase was given"),
            hint=N_("give it with a prompt, --passphrase-file or ZVHSIGN_PASSPHRASE"), path=key,
        ) from None
    except (OSError, ValueError):
        raise SigningKeyError.spoken(
            N_("can't open the private key {path}: wrong passphrase"), hint=_CHECK_PASSPHRASE, path=key,
        ) from None
    try:
        signing_cert = load_cert_from_pemder(str(cert))
        others = list(load_certs_from_pemder([str(c) for c in chain]))
    except (OSError, ValueError, TypeError):
        raise SigningKeyError.spoken(N_("can't load the certificate {path} or its chain"), path=cert) from None
    store = SimpleCertificateStore()
    store.register_multiple(others)
    return _paired(KeptKeySigner(signing_cert=signing_cert, signing_key=signing_key, cert_registry=store), key, cert)


def _paired(signer, key: Path, cert: Path | None = None):  # noqa: ANN001, ANN202
    """``signer`` if its private key belongs to its certificate; else SigningKeyError, before
    anything is signed or registered."""
    if signer.belongs_to_certificate():
        return signer
    if cert is None:
        raise SigningKeyError.spoken(
            N_("the private key in {path} does not belong to the certificate in it"),
            hint=N_("ask the issuer of the key file for a PKCS#12 file with your key and its certificate"),
            path=key,
        )
    raise SigningKeyError.spoken(
        N_("the private key {path} does not belong to the certificate {cert}"),
        hint=N_("give the certificate that was issued for this key (--pem-cert)"), path=key, cert=cert,
    )


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
        raise SigningKeyError.spoken(
            N_("PKCS#11 support is not installed"), hint="pip install 'pyHanko[pkcs11]'"
        ) from None

    if not Path(module).is_file():
        raise SigningKeyError.spoken(N_("PKCS#11 module {module} does not exist"), module=module)
    if key_label is None and cert_label is None:
        raise SigningKeyError.spoken(N_("give --key-label or --cert-label to pick the key on the token"))
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
        is_cert = "certificate" in text
        label = (cert_label or key_label) if is_cert else (key_label or cert_label)
        raise SigningKeyError.spoken(
            N_("no {what} labelled {label!r} on {token} (or more than one)") if "more than" in text.lower()
            else N_("no {what} labelled {label!r} on {token}"),
            hint=N_("list the objects with: pkcs11-tool --module MODULE --list-objects --login"),
            what=N_("certificate") if is_cert else N_("private key"), label=label, token=token_text,
        ) from None
    return signer, session.close


def _choose_token(module: Path, token_label: str | None):
    """``(slot_no, criteria, token_text)`` for opening the session: the one ready token when
    no label is given, the labelled one when it is present; refuses what can't be chosen."""
    from pyhanko.sign.pkcs11 import TokenCriteria

    token_text = f"token {token_label!r}" if token_label else N_("the token")
    criteria = TokenCriteria(label=token_label) if token_label else None
    tokens = _tokens(module)
    if tokens is None:  # the module can't be asked: pyHanko reports the problem
        return None, criteria, token_text
    if token_label is not None:
        if not any(t[1] == token_label for t in tokens):
            present = [t for t in tokens if t[2]]
            raise SigningKeyError.spoken(
                N_("token {label!r} is not present in {module}; present: {tokens}") if present
                else N_("token {label!r} is not present in {module}; no token is present"),
                hint=N_("check --token-label, or insert the smartcard"),
                label=token_label, module=module.name, tokens=_list_tokens(present),
            )
        return None, criteria, token_text
    ready = [t for t in tokens if t[2]]
    if len(ready) > 1:
        raise SigningKeyError.spoken(
            N_("{module} has {n} tokens: {tokens}; choose one with --token-label"),
            hint=N_("e.g. --token-label {label}"),
            module=module.name, n=len(ready), tokens=_list_tokens(ready), label=_shell_word(ready[0][1]),
        )
    if len(ready) == 1:
        return ready[0][0], None, f"token {ready[0][1]!r}"
    if not tokens:
        raise SigningKeyError.spoken(N_("no token is present in {module}"), hint=N_("insert the smartcard"),
                                     module=module.name)
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
        raise SigningKeyError.spoken(
            N_("the PIN of {token} is wrong"),
            hint=N_("check the PIN (prompt, --pin-file or ZVHSIGN_PIN); too many wrong attempts lock the token"),
            token=token_text,
        ) from None
    except p11e.PinLocked:
        raise SigningKeyError.spoken(N_("{token} is locked after too many wrong PINs"), token=token_text) from None
    except (p11e.TokenNotPresent, p11e.NoSuchToken, p11e.TokenNotRecognised):
        raise SigningKeyError.spoken(
            N_("{token} is not present"), hint=N_("insert the smartcard or check the token label"), token=token_text,
        ) from None
    except p11e.PKCS11Error as exc:
        text = str(exc) or type(exc).__name__
        if "No token" in text or "more than 1 slot" in text:
            raise SigningKeyError.spoken(
                N_("{token} is not present in {module}"),
                hint=N_("insert the smartcard, or check --token-label (softhsm2-util --show-slots, "
                        "pkcs11-tool --list-tokens)"),
                token=token_text, module=module.name,
            ) from None
        raise SigningKeyError.spoken(N_("the PKCS#11 token can't be opened: {error}"),
                                     error=type(exc).__name__) from None
    except (OSError, RuntimeError) as exc:
        raise SigningKeyError.spoken(N_("can't load the PKCS#11 module {module}: {error}"),
                                     module=module, error=exc) from None


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
