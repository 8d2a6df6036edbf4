"""``zvhsign serve``: the Dutch web page (intake, status, reports), served by uvicorn."""

from __future__ import annotations

import errno
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from ..errors import ServiceError, UsageError, os_reason
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
              help="TLS private key (PEM, unencrypted) for --ssl-certfile.")
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
    if ssl_certfile:
        check_tls_files(ssl_certfile, ssl_keyfile)  # before the URL is announced
    if workspace is not None:
        ctx.obj["workspace"] = workspace
    ws = _workspace(ctx)

    from ..web import create_app

    with listening_socket(host, port) as sock:  # a busy port is said now, in one line
        report_key = key_source(pkcs12, pem_key, pem_cert, pem_chain, passphrase_file) if pkcs12 or pem_key else None
        if report_key is not None:
            report_key.load()  # a wrong passphrase fails now, not at the first download
        app = create_app(ws, accounts, https=bool(ssl_certfile), report_key=report_key)
        scheme = "https" if ssl_certfile else "http"
        shown = f"[{_address(host)}]" if ":" in host else host
        click.echo(f"zvhsign serve: {scheme}://{shown}:{sock.getsockname()[1]}/ (workspace {ws.root}; stop with Ctrl+C)")
        if not is_loopback(host) and not ssl_certfile:
            click.echo("note: without --ssl-certfile passwords travel unencrypted; "
                       "serve behind a TLS proxy", err=True)
        _run(app, sock, ssl_certfile, ssl_keyfile)


def _address(host: str) -> str:
    return host.strip("[]")  # an IPv6 address may be given as in a URL


def _run(app, sock: socket.socket, certfile: Path | None, keyfile: Path | None) -> None:  # noqa: ANN001
    """Serve ``app`` on the bound ``sock`` until stopped (uvicorn)."""
    import uvicorn

    # no access log: it would hold client addresses and paths (personal data)
    config = uvicorn.Config(app, host=sock.getsockname()[0], port=sock.getsockname()[1], access_log=False,
                            log_level="warning", ssl_certfile=str(certfile) if certfile else None,
                            ssl_keyfile=str(keyfile) if keyfile else None, server_header=False)
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # Ctrl+C or SIGTERM: the way to stop the page (as uvicorn.run)
        return
    if not server.started and not server.should_exit:
        raise ServiceError("the web page could not be started")


@contextmanager
def listening_socket(host: str, port: int) -> Iterator[socket.socket]:
    """A socket bound to ``host``:``port`` (as uvicorn binds it), closed on leaving; a port in
    use or an address that is not this machine's is one line (exit 3), an unknown host
    name a usage error -- before the URL is announced, with no library log line."""
    address = _address(host)
    sock = socket.socket(family=socket.AF_INET6 if ":" in address else socket.AF_INET)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((address, port))
            sock.listen()  # from now on a browser's connection waits for the page
        except socket.gaierror as exc:
            raise UsageError(f"--host {host}: no such address ({exc.strerror})") from None
        except OSError as exc:
            raise _bind_error(host, port, exc) from None
        yield sock
    finally:
        sock.close()


def _bind_error(host: str, port: int, exc: OSError) -> ServiceError:
    where = f"[{_address(host)}]:{port}" if ":" in host else f"{host}:{port}"
    if exc.errno == errno.EADDRINUSE:
        return ServiceError(f"can't listen on {where}: the port is in use (by another program, "
                            "or another zvhsign serve)", hint="stop that program, or choose another --port")
    if exc.errno == errno.EADDRNOTAVAIL:
        return ServiceError(f"can't listen on {where}: {host} is not an address of this machine",
                            hint="give one of this machine's addresses with --host")
    if exc.errno in (errno.EACCES, errno.EPERM) and port < 1024:
        return ServiceError(f"can't listen on {where}: {os_reason(exc)} (ports below 1024 need privileges)",
                            hint="choose a --port from 1024 up")
    return ServiceError(f"can't listen on {where}: {os_reason(exc)}")


class _Encrypted(Exception):
    """The TLS private key asks for a password."""


def _no_password() -> bytes:
    raise _Encrypted


def check_tls_files(certfile: Path, keyfile: Path) -> None:
    """UsageError (exit 2) unless ``certfile`` holds a PEM certificate and ``keyfile`` its
    unencrypted PEM private key: loaded as the server will load them
    (``ssl.SSLContext.load_cert_chain``), before anything is announced."""
    import ssl

    try:
        ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER).load_cert_chain(certfile, keyfile, password=_no_password)
    except _Encrypted:
        raise UsageError(f"--ssl-keyfile {keyfile}: the private key is encrypted; serve needs it unencrypted",
                         hint=f"write it out unencrypted (openssl pkey -in {keyfile} -out key.pem), "
                              "readable only by the user that runs serve") from None
    except OSError as exc:  # ssl.SSLError is an OSError too
        raise UsageError(_tls_problem(certfile, keyfile, exc),
                         hint="give a PEM certificate (-----BEGIN CERTIFICATE-----) and its PEM private key") from None


def _tls_problem(certfile: Path, keyfile: Path, exc: OSError) -> str:
    import ssl

    if not isinstance(exc, ssl.SSLError):
        return f"can't read the TLS files: {os_reason(exc)}"
    if b"-----BEGIN CERTIFICATE-----" not in _head(certfile):
        return f"--ssl-certfile {certfile}: not a PEM certificate"
    if b"PRIVATE KEY-----" not in _head(keyfile):
        return f"--ssl-keyfile {keyfile}: not a PEM private key"
    if exc.reason == "KEY_VALUES_MISMATCH":
        return f"--ssl-keyfile {keyfile} is not the private key of the certificate in --ssl-certfile {certfile}"
    return f"--ssl-certfile {certfile} / --ssl-keyfile {keyfile}: can't be used for HTTPS ({exc.reason or exc})"


def _head(path: Path) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read(1 << 20)
    except OSError:
        return b""
