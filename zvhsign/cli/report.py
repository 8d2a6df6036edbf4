"""``zvhsign report``: the audit report for privacy officers (HTML, signed PDF, JSON)."""

from __future__ import annotations

from pathlib import Path

import click

from .keyopts import key_options, key_source
from .main import _workspace, cli


@cli.command(short_help="Write the audit report (Dutch) for privacy officers.")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "-f", "fmt", required=True, type=click.Choice(["html", "pdf", "json"]), help="html (browser), pdf (signed, PDF/A, for the archive) or json.")
@click.option("-o", "--output", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Report file to write.")
@click.option("--responsible", help="Official responsible for the validation (Archiefregeling art. 24); default: [report] responsible_name and responsible_function in zvhsign.toml (required).")
@click.option("--offline", is_flag=True, help="Never fetch OCSP/CRL: use only validation data embedded in the files.")
@key_options
@click.pass_context
def report(ctx, files, fmt, out, responsible, offline, pkcs12, pem_key, pem_cert, pem_chain, passphrase_file):
    """Write the audit report (Dutch) on the signed copies FILES and the registry.

    Per document version: hash, approval and decision date. Per partner: the
    signatory, role, capacity and mandate. Per signature: trusted signing time
    and its source, TSA, certificate, PAdES level, verdict and findings, and the
    Archiefregeling art. 24 facts. Also: partners still missing and the state of
    the audit log and its last anchor. Without FILES the copies recorded in the
    registry are used. A PDF report is signed and timestamped with the
    secretariat key (--key; passphrase from --passphrase-file,
    $ZVHSIGN_PASSPHRASE or a prompt).

    \b
    Examples:
      zvhsign report --format html -o rapport.html signed/*.pdf
      zvhsign report --format pdf -o rapport.pdf --key secretariaat.p12 signed/*.pdf
      zvhsign report --format json -o rapport.json --responsible "J. de Vries" signed/*.pdf
    """
    from ..errors import UsageError
    from ..reports import write_report
    from ..services.files import check_output
    from ..services.reporting import gather, responsible_official
    from .logsetup import configure_logging

    ws = _workspace(ctx)
    responsible = responsible or responsible_official(ws)  # refused (exit 2) before anything is read
    key = None
    if fmt == "pdf":
        key = key_source(pkcs12, pem_key, pem_cert, pem_chain, passphrase_file)
    elif pkcs12 or pem_key:
        raise UsageError("--key is only used for --format pdf (the signed report)")
    check_output(out, files, workspace=ws)  # never over a copy, the registry or the configuration
    from .progress import busy

    with busy("judging every recorded copy for the report…") as b:
        facts = gather(ws, list(files), responsible=responsible, online=not offline, jobs=None,
                       worker_setup=configure_logging)
        b.start(f"writing the report ({fmt}{', signing it' if key is not None else ''})…")
        write_report(ws, facts, fmt, out, key=key)
    ok = sum(1 for f in facts.copies.files if f.verified)
    click.echo(
        f"report ({fmt}) → {out}: {ok}/{len(facts.copies.files)} copies verified, "
        f"audit log {'intact' if facts.log.intact else 'NOT intact'}"
    )
