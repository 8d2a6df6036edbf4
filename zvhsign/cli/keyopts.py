"""Key options shared by commands that sign (approve, sign, mandate signing…).

Secrets never come from an option value: prompt, file, or environment variable.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ..errors import UsageError

# -------------------------------------------------------------------------- key input


def key_options(f):
    f = click.option("--key", "-k", "pkcs12", type=click.Path(dir_okay=False, path_type=Path), help="PKCS#12 file (.p12/.pfx) with key and certificate.")(f)
    f = click.option("--pem-key", type=click.Path(dir_okay=False, path_type=Path), help="PEM private key (with --pem-cert).")(f)
    f = click.option("--pem-cert", type=click.Path(dir_okay=False, path_type=Path), help="PEM certificate of --pem-key.")(f)
    f = click.option("--pem-chain", multiple=True, type=click.Path(dir_okay=False, path_type=Path), help="PEM CA certificates of the chain (repeatable).")(f)
    f = click.option("--passphrase-file", type=click.Path(dir_okay=False, path_type=Path), help="Read the key passphrase from this file (else $ZVHSIGN_PASSPHRASE, else a prompt).")(f)
    return f


def read_passphrase(passphrase_file: Path | None):
    from ..domain.secrets import Secret

    if passphrase_file is not None:
        try:
            text = Path(passphrase_file).read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"can't read the passphrase file {passphrase_file}: {exc.strerror}") from None
        return Secret(text.rstrip("\r\n"), source="file")
    env = os.environ.get("ZVHSIGN_PASSPHRASE")
    if env is not None:
        return Secret(env, source="environment")
    if sys.stdin.isatty():
        return Secret(click.prompt("Passphrase of your key", hide_input=True, default="", show_default=False), source="prompt")
    return None


def key_source(pkcs12, pem_key, pem_cert, pem_chain, passphrase_file):
    from ..services.keys import KeySource

    if pkcs12 and (pem_key or pem_cert):
        raise UsageError("use either --key (PKCS#12) or --pem-key/--pem-cert, not both")
    if not pkcs12 and not (pem_key and pem_cert):
        raise UsageError("no signing key: give --key FILE.p12, or --pem-key and --pem-cert")
    for p in filter(None, [pkcs12, pem_key, pem_cert, *pem_chain]):
        if not Path(p).is_file():
            raise UsageError(f"key or certificate file {p} does not exist")
    return KeySource(
        pkcs12=pkcs12, pem_key=pem_key, pem_cert=pem_cert, pem_chain=tuple(pem_chain),
        passphrase=read_passphrase(passphrase_file),
    )


