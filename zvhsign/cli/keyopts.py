"""Key options shared by commands that sign (approve, sign, mandate signing…).

Secrets never come from an option value: prompt, file, or environment variable.

The errors here are raised with ``UsageError.spoken`` and ``N_``-marked English msgids:
``sign`` and ``mandate sign`` call these functions inside ``i18n.using`` (after the
workspace, and so its language, is known), which tags the error and the CLI says it in
the signatory's language (the system's reason why a file can't be read too: ``errors.os_reason``);
English commands (approve, report, serve) keep the English text.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ..errors import N_, UsageError, os_reason
from ..i18n import _

# -------------------------------------------------------------------------- key input


def key_options(f):
    """Options for a key in files. Their help is marked (N_): said in the workspace's
    language by the commands that speak it (cli/click_help.py), English elsewhere."""
    f = click.option("--key", "-k", "pkcs12", type=click.Path(dir_okay=False, path_type=Path), help=N_("PKCS#12 file (.p12/.pfx) with key and certificate."))(f)
    f = click.option("--pem-key", type=click.Path(dir_okay=False, path_type=Path), help=N_("PEM private key (with --pem-cert)."))(f)
    f = click.option("--pem-cert", type=click.Path(dir_okay=False, path_type=Path), help=N_("PEM certificate of --pem-key."))(f)
    f = click.option("--pem-chain", multiple=True, type=click.Path(dir_okay=False, path_type=Path), help=N_("PEM CA certificates of the chain (repeatable)."))(f)
    f = click.option("--passphrase-file", type=click.Path(dir_okay=False, path_type=Path), help=N_("Read the key passphrase from this file (else $ZVHSIGN_PASSPHRASE, else a prompt)."))(f)
    return f


SECRET_ENV_VARS = ("ZVHSIGN_PASSPHRASE", "ZVHSIGN_PIN")

# secrets taken out of the environment when the process started (see take_secret_env)
_PROCESS_SECRETS: dict[str, str] = {}
_META_KEY = "zvhsign.secret_env"


def take_secret_env() -> None:
    """Move ZVHSIGN_PASSPHRASE and ZVHSIGN_PIN out of ``os.environ``, so that no child
    process (a compiler WeasyPrint's library lookup runs, a PKCS#11 helper, …) inherits
    them; the commands read them from here. Called once when the CLI process starts."""
    for var in SECRET_ENV_VARS:
        value = os.environ.pop(var, None)
        if value is not None:
            _PROCESS_SECRETS[var] = value


def _env_secret(var: str) -> str | None:
    """The secret in environment variable ``var``, removed from ``os.environ`` once read
    (kept for the rest of this command only)."""
    ctx = click.get_current_context(silent=True)
    taken = ctx.meta.setdefault(_META_KEY, {}) if ctx is not None else {}
    value = os.environ.pop(var, None)
    if value is not None:
        taken[var] = value
        return value
    if var in taken:
        return taken[var]
    return _PROCESS_SECRETS.get(var)


# what can go wrong with a secret's file, per secret: (unreadable, not UTF-8, its hint)
_SECRET_FILE_ERRORS = {
    "passphrase": (
        N_("can't read the passphrase file {path}: {reason}"),
        N_("the passphrase file {path} is not UTF-8 text"),
        N_("save the passphrase as UTF-8 text (one line)"),
    ),
    "PIN": (
        N_("can't read the PIN file {path}: {reason}"),
        N_("the PIN file {path} is not UTF-8 text"),
        N_("save the PIN as UTF-8 text (one line)"),
    ),
}

def _read_secret(path: Path | None, env_var: str, what: str, prompt: str):
    """A secret from a file, else an environment variable, else a hidden prompt on a
    terminal; ``None`` when none of these is available. No message ever shows any
    part of the secret."""
    from ..domain.secrets import Secret

    env = _env_secret(env_var)  # read (and removed from the environment) in any case
    if path is not None:
        try:
            raw = Path(path).read_bytes()  # a pipe is fine here: --passphrase-file <(…)
        except OSError as exc:
            raise UsageError.spoken(_SECRET_FILE_ERRORS[what][0], path=path, reason=os_reason(exc)) from None
        raw = raw.rstrip(b"\r\n")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            del raw
            raise UsageError.spoken(_SECRET_FILE_ERRORS[what][1], hint=_SECRET_FILE_ERRORS[what][2],
                                    path=path) from None
        return Secret(text, source="file")
    if env is not None:
        return Secret(env, source="environment")
    if sys.stdin.isatty():
        return Secret(click.prompt(prompt, hide_input=True, default="", show_default=False), source="prompt")
    return None


def read_passphrase(passphrase_file: Path | None):
    """The key passphrase; ``None`` (try an unencrypted key) when there is no way to ask."""
    return _read_secret(passphrase_file, "ZVHSIGN_PASSPHRASE", "passphrase", _("Passphrase of your key"))


def key_source(pkcs12, pem_key, pem_cert, pem_chain, passphrase_file):
    from ..services.keys import KeySource

    if pkcs12 and (pem_key or pem_cert):
        raise UsageError.spoken(N_("use either --key (PKCS#12) or --pem-key/--pem-cert, not both"))
    if not pkcs12 and not (pem_key and pem_cert):
        raise UsageError.spoken(N_("no signing key: give --key FILE.p12, or --pem-key and --pem-cert"))
    for p in filter(None, [pkcs12, pem_key, pem_cert, *pem_chain]):
        if not Path(p).is_file():
            raise UsageError.spoken(N_("key or certificate file {path} does not exist"), path=p)
    return KeySource(
        pkcs12=pkcs12, pem_key=pem_key, pem_cert=pem_cert, pem_chain=tuple(pem_chain),
        passphrase=read_passphrase(passphrase_file),
    )

# ------------------------------------------------------------------- PKCS#11 tokens


def pkcs11_options(f):
    """Options for a key on a smartcard or HSM (PKCS#11). The PIN is never an option value."""
    f = click.option("--pkcs11-module", type=click.Path(dir_okay=False, path_type=Path), help=N_("PKCS#11 module of your smartcard/HSM, e.g. /usr/lib/x86_64-linux-gnu/opensc-pkcs11.so."))(f)
    f = click.option("--token-label", help=N_("Label of the token (card) to use, when the module has several."))(f)
    f = click.option("--key-label", help=N_("Label of the signing key on the token (default: --cert-label)."))(f)
    f = click.option("--cert-label", help=N_("Label of the signing certificate on the token (default: --key-label)."))(f)
    f = click.option("--pin-file", type=click.Path(dir_okay=False, path_type=Path), help=N_("Read the token PIN from this file (else $ZVHSIGN_PIN, else a prompt)."))(f)
    return f


def read_pin(pin_file: Path | None):
    pin = _read_secret(pin_file, "ZVHSIGN_PIN", "PIN", _("PIN of your token"))
    if pin is None:
        raise UsageError.spoken(
            N_("no PIN for the token and no terminal to ask it on"),
            hint=N_("give --pin-file FILE or set ZVHSIGN_PIN"),
        )
    return pin


def any_key_source(pkcs12, pem_key, pem_cert, pem_chain, passphrase_file,
                   pkcs11_module, token_label, key_label, cert_label, pin_file):
    """The key from files (``key_source``) or from a PKCS#11 token."""
    from ..services.keys import KeySource

    if pkcs11_module is None:
        if token_label or key_label or cert_label or pin_file:
            raise UsageError.spoken(N_("--token-label, --key-label, --cert-label and --pin-file need --pkcs11-module"))
        return key_source(pkcs12, pem_key, pem_cert, pem_chain, passphrase_file)
    if pkcs12 or pem_key or pem_cert:
        raise UsageError.spoken(N_("use either a key file (--key/--pem-key) or a token (--pkcs11-module), not both"))
    if not (key_label or cert_label):
        raise UsageError.spoken(N_("with --pkcs11-module, name the key: --key-label and/or --cert-label"))
    if not Path(pkcs11_module).is_file():
        raise UsageError.spoken(N_("PKCS#11 module {module} does not exist"), module=pkcs11_module)
    return KeySource(
        pkcs11_module=Path(pkcs11_module), token_label=token_label, key_label=key_label,
        cert_label=cert_label, pin=read_pin(pin_file),
    )
