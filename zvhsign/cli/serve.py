"""``zvhsign serve``: the Dutch web page (intake, status, reports), served by uvicorn."""

from __future__ import annotations

from pathlib import Path

import click

from .keyopts import key_options, key_source
from .main import _workspace, cli


@cli.command(short_help="Serve the web page: upload copies, see their verdicts.")
@click.option("--workspace", "-w", "workspace", type=click.Path(file_okay=False, path_type=Path),
              help="Workspace folder (as `zvhsign --workspace`).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but the loopback address needs --accounts.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--accounts", "accounts_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Accounts file (TOML): who may log in as secretariaat or partner (see below).")
@click.option("--ssl-certfile", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="TLS certificate (PEM) to serve HTTPS.")
@click.option("--ssl-keyfile", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="TLS private key (PEM) for --ssl-certfile.")
@click.option("--hash-password", "hash_pw", is_flag=True,
              help="Ask for a password and print its argon2 hash for the accounts file, then stop.")
@key_options
@click.pass_context
def serve(ctx, workspace, host, port, accounts_file, ssl_certfile, ssl_keyfile, hash_pw,
          pkcs12, pem_key, pem_cert, pem_chain, passphrase_file):
    """Serve the web page: upload signed copies and see their verdict, the status, the report.

    Every verdict is the one `zvhsign verify` gives. With the secretariat's key (--key, as
    for `zvhsign report`) the page also offers the audit report as a signed PDF. On 127.0.0.1 without --accounts the
    page is the local secretariat's. Any other address needs an accounts file, and the
    page refuses to start without one:

    \b
      [[account]]
      name = "secretariaat"
      role = "secretariaat"
      password_hash = "$argon2id$..."     # zvhsign serve --hash-password
      [[account]]
      name = "politie"
      role = "partner"
      partner = "politie"                 # sees and uploads only its own copies
      password_hash = "$argon2id$..."

    \b
    Example:
      zvhsign demo && zvhsign serve --workspace zvhsign-demo
      zvhsign serve --key secretariaat.p12 --passphrase-file pw.txt
      zvhsign serve --host 0.0.0.0 --accounts accounts.toml --ssl-certfile c.pem --ssl-keyfile k.pem
    """
    from ..errors import UsageError
    from ..web.accounts import hash_password, load_accounts
    from ..web.security import check_bind, is_loopback

    if hash_pw:
        pw = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        click.echo(hash_password(pw))
        return
    accounts = load_accounts(accounts_file) if accounts_file else {}
    if accounts_file and not accounts:
        raise UsageError(f"accounts file {accounts_file} has no accounts")
    check_bind(host, accounts)
    if bool(ssl_certfile) != bool(ssl_keyfile):
        raise UsageError("give both --ssl-certfile and --ssl-keyfile, or neither")
    if workspace is not None:
        ctx.obj["workspace"] = workspace
    ws = _workspace(ctx)

    import uvicorn

    from ..web import create_app

    report_key = key_source(pkcs12, pem_key, pem_cert, pem_chain, passphrase_file) if pkcs12 or pem_key else None
    if report_key is not None:
        report_key.load()  # a wrong passphrase fails now, not at the first download
    app = create_app(ws, accounts, https=bool(ssl_certfile), report_key=report_key)
    scheme = "https" if ssl_certfile else "http"
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"zvhsign serve: {scheme}://{shown}:{port}/ (workspace {ws.root}; stop with Ctrl+C)")
    if not is_loopback(host) and not ssl_certfile:
        click.echo("note: without --ssl-certfile passwords travel unencrypted; "
                   "serve behind a TLS proxy", err=True)
    # no access log: it would hold client addresses and paths (personal data)
    uvicorn.run(app, host=host, port=port, access_log=False, log_level="warning",
                ssl_certfile=str(ssl_certfile) if ssl_certfile else None,
                ssl_keyfile=str(ssl_keyfile) if ssl_keyfile else None,
                server_header=False)
