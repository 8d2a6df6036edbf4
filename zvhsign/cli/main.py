"""The ``zvhsign`` command group and its commands (thin: parse, call services, render)."""

from __future__ import annotations

import json
import os
import sys
from datetime import date, datetime, timezone
from pathlib import Path

import click

from ..errors import (
    EXIT_FINDINGS,
    EXIT_INCOMPLETE,
    EXIT_OK,
    EXIT_USAGE,
    N_,
    UsageError,
    ZvhsignError,
)
from .keyopts import key_options, key_source
from .params import ValidationMoment
from .render_json import iter_batch_json

DOCUMENT_CHOICES = ["convenant", "protocol"]
LEVEL_CHOICES = ["B-B", "B-T", "B-LT", "B-LTA"]


class ZvhGroup(click.Group):
    """Maps zvhsign errors to one readable line and the documented exit code."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ZvhsignError as exc:
            click.echo(self.error_line(exc), err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt as exc:
            from .interrupts import said_interrupted

            partial = getattr(exc, "partial", None)  # what was done before it (extend)
            click.echo("zvhsign: " + (f"interrupted; {partial}" if partial else _spoken_text(
                getattr(exc, "lang", None), N_("interrupted; nothing was written"))), err=True)
            said_interrupted()
            ctx.exit(EXIT_INCOMPLETE)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except BrokenPipeError:  # the reader of the output went away (`| head`): say nothing more
            _stdout_to_devnull()
            ctx.exit(EXIT_INCOMPLETE)
        except Exception as exc:  # a bug: say so plainly, full trace only on request
            if os.environ.get("ZVHSIGN_DEBUG"):
                raise
            click.echo(
                f"zvhsign: internal error: {type(exc).__name__}: {exc}\n"
                "  (set ZVHSIGN_DEBUG=1 for the full trace, and please report it)",
                err=True,
            )
            ctx.exit(EXIT_INCOMPLETE)

    @staticmethod
    def error_line(exc: ZvhsignError) -> str:
        """``zvhsign: error: …`` (and the hint) in the language spoken where ``exc`` arose
        (``exc.lang``, set by ``i18n.using``: ``zvhsign: fout: …``); English otherwise."""
        gettext = None
        if exc.lang:
            from ..i18n import translation

            try:
                gettext = translation(exc.lang).gettext
            except ZvhsignError:  # a language already spoken: can't happen, but never hide the error
                gettext = None
        return "zvhsign: " + (gettext or str)(N_("error: {message}")).format(message=exc.diagnostic(gettext))


def _stdout_to_devnull() -> None:
    """Standard output's reader is gone: what is still buffered for it (and Python's flush at
    exit) goes nowhere instead of raising BrokenPipeError again (Python's documented recipe)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # no real stdout (a test runner's stream)
        pass


def _spoken_text(lang: str | None, msgid: str) -> str:
    """``msgid`` in ``lang`` (the language spoken where it arose), else English."""
    if lang:
        from ..i18n import translation

        try:
            return translation(lang).gettext(msgid)
        except ZvhsignError:
            pass
    return msgid


def _workspace(ctx: click.Context):
    from ..services.workspace import find_workspace

    return find_workspace(ctx.obj.get("workspace"))


def _spoken_workspace(ctx: click.Context):
    """The workspace of a command that speaks the workspace's language (sign, mandate): an
    error finding it is said in the language known without it ($ZVHSIGN_LANG, else Dutch)."""
    from ..i18n import using

    with using(None):
        return _workspace(ctx)


@click.group(cls=ZvhGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--workspace", "-w", type=click.Path(file_okay=False, path_type=Path),
    help="Workspace folder (default: $ZVHSIGN_WORKSPACE, else the current folder or a parent "
    "holding zvhsign.toml).",
)
@click.version_option(package_name="zvhsign")
@click.pass_context
def cli(ctx: click.Context, workspace: Path | None) -> None:
    """zvhsign: stamp, approve, sign and verify the ZVH covenant and privacy protocol.

    \b
    The secretariat's round:
      zvhsign init ws --test-pki            create a workspace (here: test PKI)
      zvhsign stamp bron.pdf --document convenant --version 1.0 -o gestempeld.pdf
      zvhsign approve gestempeld.pdf --key secretariaat.p12 --decided-on 2026-11-02 -o goedgekeurd.pdf
      zvhsign kit kit-politie               the folder a partner needs to sign
      zvhsign verify ondertekend/*.pdf      check every signed copy
    A partner signs an approved copy (in the kit folder):
      zvhsign sign convenant-1.0.pdf --key mijn-sleutel.p12 -o getekend.pdf

    Exit codes: 0 verified / done, 1 findings, 2 usage error, 3 could not complete.
    Try `zvhsign demo` for the whole story on a test PKI.
    """
    ctx.ensure_object(dict)
    ctx.obj["workspace"] = workspace
    _quiet_libraries()


def _quiet_libraries() -> None:
    """Library loggers stay off the terminal (cli/logsetup.py); ZVHSIGN_DEBUG_LOG=FILE
    or ZVHSIGN_DEBUG=1 shows their detail."""
    from .logsetup import configure_logging

    configure_logging()


# ------------------------------------------------------------------------------ stamp


@cli.command(short_help="Stamp a source PDF as a version, reproducibly.")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--document", "-d", required=True, type=click.Choice(DOCUMENT_CHOICES), help="Which document this is.")
@click.option("--version", "-v", "version", required=True, help="Version label, e.g. 1.0.")
@click.option("-o", "--output", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Stamped PDF to write.")
@click.option("--fields", default=24, show_default=True, type=click.IntRange(1, 99), help="Number of partner signature fields to pre-create.")
def stamp(source, document, version, out, fields):
    """Stamp SOURCE with document id, version and SHA-256 on every page and in metadata.

    The result is byte-for-byte reproducible and carries empty, invisible signature
    fields: ZVH_Goedkeuring (approval) and ZVH_Handtekening_01… (partners).

    \b
    Example:
      zvhsign stamp convenant.pdf --document convenant --version 1.0 -o convenant-1.0-stamped.pdf
    """
    from ..domain.documents import DocumentKind
    from ..services.operations import stamp as do_stamp

    info = do_stamp(source, DocumentKind(document), version, out, fields=fields)
    click.echo(f"stamped {info.document.title} {info.version} → {out}")
    click.echo(f"source SHA-256 {info.source_sha256.hex}")


# ---------------------------------------------------------------------------- approve


@cli.command(short_help="Certify a stamped version and register it as approved.")
@click.argument("stamped", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Approved PDF to write.")
@click.option("--decided-on", required=True, type=click.DateTime(formats=["%Y-%m-%d"]), help="Date of the Bestuurlijke Regiegroep's decision (YYYY-MM-DD).")
@click.option("--level", type=click.Choice(LEVEL_CHOICES), help="PAdES level of the certification (default B-LT with a TSA).")
@key_options
@click.pass_context
def approve(ctx, stamped, out, decided_on, level, pkcs12, pem_key, pem_cert, pem_chain, passphrase_file):
    """Certify a stamped version (only signatures may follow) and register it as approved.

    \b
    Example:
      zvhsign approve convenant-1.0-stamped.pdf --key secretariaat.p12 \\
          --decided-on 2026-11-02 -o convenant-1.0.pdf
    """
    from ..domain.documents import PadesLevel
    from ..services.operations import approve as do_approve

    ws = _workspace(ctx)
    key = key_source(pkcs12, pem_key, pem_cert, pem_chain, passphrase_file)
    from .progress import busy

    with busy("approving: certification signature, timestamp and validation data…"):
        av = do_approve(
            ws, stamped, key, out, decided_on=decided_on.date(),
            level=PadesLevel.parse(level) if level else None,
        )
    click.echo(f"approved {av.label} (decided on {av.decided_on}) → {out}")
    click.echo(f"approved SHA-256 {av.approved_sha256.hex}")
    from ..services.operations import approved_versions

    older = [v.label for v in approved_versions(ws, av.document) if v.superseded_by == av.version]
    if older:
        click.echo(f"supersedes {', '.join(older)}: those can no longer be signed (needs re-signing)")


@cli.command(short_help="The approved versions: decision date, SHA-256, current.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output (schema zvhsign.versions/1).")
@click.pass_context
def versions(ctx, as_json):
    """The approved versions in the registry: decision date, SHA-256, and which one is current.

    Approving a higher version supersedes the lower ones: they can't be signed any
    more and signatures on them need re-signing (`zvhsign status`).

    \b
    Example:
      zvhsign versions
    """
    from ..services.operations import approved_versions

    rows = approved_versions(_workspace(ctx))
    if as_json:
        click.echo(json.dumps({"schema": "zvhsign.versions/1", "versions": [
            {"document": v.document.value, "version": v.version, "decided_on": v.decided_on.isoformat(),
             "approved_at": v.approved_at.isoformat(), "approved_sha256": v.approved_sha256.hex,
             "source_sha256": v.source_sha256.hex, "superseded_by": v.superseded_by}
            for v in rows
        ]}, indent=2))
        return
    if not rows:
        click.echo("no approved versions yet (zvhsign approve)")
        return
    for v in rows:
        state = f"superseded by {v.superseded_by}" if v.superseded_by else "current"
        click.echo(f"{v.label:<16} decided {v.decided_on}  {state:<20} SHA-256 {v.approved_sha256.hex}")


# ----------------------------------------------------------------------------- verify


@cli.command(short_help="Verify signed copies: approved version, valid signatures.")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output (schema zvhsign.verify/1, see docs/verify-json.md).")
@click.option("--offline", is_flag=True, help="Never fetch OCSP/CRL: use only validation data embedded in the files.")
@click.option("--at", "at", type=ValidationMoment(), help="Validate as of this (UTC) time instead of now: a past time is point-in-time validation, a future one a rehearsal (as if that time had come).")
@click.option("--record", is_flag=True, help="Store the copies (content-addressed) and their verdicts in the registry; `zvhsign status` reads them.")
@click.option("--etsi-report", "etsi_report", type=click.Path(dir_okay=False, path_type=Path), help="Also write an ETSI TS 119 102-2 XML validation report of every signature to this file.")
@click.option("--renew-within", "renew_within", default=180, show_default=True, type=click.IntRange(0, 36500), metavar="DAYS", help="Warn (ARCHIVE_TIMESTAMP_EXPIRING) when a copy's last timestamp's TSA certificate expires within DAYS; renew with `zvhsign extend`.")
@click.option("--jobs", "-j", type=click.IntRange(1, 256), help="Worker processes examining the files of a large batch (default: one per core). Same verdicts, same order.")
@click.option("--no-cache", "no_cache", is_flag=True, help="Examine every file again, even when an earlier run examined the same bytes under the same trust settings today, and read the trusted lists anew.")
@click.option("-v", "--verbose", is_flag=True, help="Show each signature of each file with its findings (default: one line per file).")
@click.option("--no-color", "no_color", is_flag=True, help="No colour in the output (also when NO_COLOR is set).")
@click.pass_context
def verify(ctx, files, as_json, offline, at, record, etsi_report, renew_within, jobs, no_cache, verbose, no_color):
    """Verify signed copies: approved version + signatures only, every signature valid and trusted.

    For each FILE: finds the approved version it was made from (by hash), checks
    that every later revision only adds signatures, timestamps and validation data,
    and validates every signature (ETSI indication). Many files share one process.

    \b
    With registered partners it also judges who signed, in what capacity, under
    which mandate and in what order -- the same verdict `status`, `report` and the
    pre-flight of `sign` show. Every finding code: docs/findings.md.

    \b
    Exit: 0 every file verified, 1 any finding, 3 a file could not be read.
    Example:
      zvhsign verify signed/*.pdf
      zvhsign verify -v signed/x.pdf                 each signature in detail
      zvhsign verify --jobs 2 --no-cache signed/*.pdf  two worker processes, examine everything again
      zvhsign verify --json signed/*.pdf > report.json
      zvhsign verify --record signed/*.pdf && zvhsign status
      zvhsign verify --offline signed/*.pdf          only the files' own validation data
      zvhsign verify --at 2027-01-31 signed/x.pdf    judged as of that (UTC) time
      zvhsign verify --etsi-report etsi.xml signed/*.pdf
      zvhsign verify --renew-within 365 archive/*.pdf  warn a year before timestamps expire
    """
    from ..services.operations import verify as do_verify
    from .logsetup import configure_logging

    ws = _workspace(ctx)
    moment = at.replace(tzinfo=timezone.utc) if at else None
    show_progress = not as_json and len(files) > 1 and sys.stderr.isatty()

    def progress(i, n, verdict):
        if show_progress:
            click.echo(f"\r[{i}/{n}] {verdict.status:<9} {verdict.path}"[:120].ljust(120), err=True, nl=(i == n))

    batch = do_verify(
        ws, list(files), online=not offline, at=moment, progress=progress, record=record,
        etsi_report=etsi_report, renew_within_days=renew_within, jobs=jobs, worker_setup=configure_logging,
        cache=not no_cache,
    )
    if as_json:
        for piece in iter_batch_json(batch):  # written file by file (memory stays flat)
            click.echo(piece, nl=False)
        click.echo()
    else:
        from .render import render_batch_table  # the tables' library only for people (not --json)

        click.echo(render_batch_table(batch, verbose=verbose, no_color=no_color))
    if batch.any_incomplete:
        ctx.exit(EXIT_INCOMPLETE)
    ctx.exit(EXIT_OK if batch.all_verified else EXIT_FINDINGS)


# ------------------------------------------------------------------------------- demo


@cli.command(short_help="Run the whole story on the test PKI.")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
def demo(directory):
    """Run the whole story on the test PKI in DIRECTORY (default ./zvhsign-demo, or -2, -3…).

    Creates a workspace, serves the test TSA/OCSP/CRL on 127.0.0.1, stamps and
    approves both documents, lets several partners sign, and verifies every copy.
    Afterwards `cd DIRECTORY && zvhsign verify signed/*.pdf` works on its own.
    """
    from ..services.demo import run_demo

    if directory is None:
        directory = Path("zvhsign-demo")
        n = 2
        while directory.exists():
            directory = Path(f"zvhsign-demo-{n}")
            n += 1
    if directory.exists() and any(directory.iterdir()):
        raise UsageError(f"{directory} exists and is not empty; choose a new folder")
    result = run_demo(directory, say=click.echo)
    # the audit report for privacy officers, from the same registry (reports sit
    # above services, so the CLI composes them)
    from ..reports import write_report
    from ..services.reporting import gather

    facts = gather(result.workspace, list(result.signed))  # the official named in [report]
    for fmt in ("html", "pdf", "json"):
        out = directory / f"report.{fmt}"
        write_report(result.workspace, facts, fmt, out, key=result.secretariat_key)
        click.echo(f"8. audit report ({fmt}{', signed by the secretariat' if fmt == 'pdf' else ''}) → {out}")
    click.echo("")
    from .render import render_batch_table

    click.echo(render_batch_table(result.verdict))
    if not result.verdict.all_verified:
        raise click.exceptions.Exit(EXIT_FINDINGS)
    click.echo(f"\nAll signed copies verified. Try: cd {directory} && {_me_from(directory)} verify signed/*.pdf")


def _me_from(directory: Path) -> str:
    """How to run this zvhsign from ``directory``: ``zvhsign`` where the shell finds this one,
    else its path (a venv not activated, as in the Quick start: ``../.venv/bin/zvhsign``)."""
    import shutil

    me = Path(sys.argv[0])
    found = shutil.which("zvhsign")
    if me.name != "zvhsign" or (found and Path(found).resolve() == me.resolve()):
        return "zvhsign"
    return os.path.relpath(me.resolve(), directory.resolve())


__all__ = ["cli", "EXIT_USAGE", "date", "datetime"]


from . import signing as _signing  # noqa: E402,F401  (registers `sign`)
from . import log as _log  # noqa: E402,F401  (registers `log`)
from . import db as _db  # noqa: E402,F401  (registers `db`)
from . import report as _report  # noqa: E402,F401  (registers `report`)
from . import governance as _governance  # noqa: E402,F401  (registers partner, signatory, status)
from . import mandate as _mandate  # noqa: E402,F401  (registers `mandate`)
from . import serve as _serve  # noqa: E402,F401  (registers `serve`)
from . import extend as _extend  # noqa: E402,F401  (registers `extend`)
from . import kit as _kit  # noqa: E402,F401  (registers `kit`)
from . import trust as _trust  # noqa: E402,F401  (registers `trust`)
from . import init as _init  # noqa: E402,F401  (registers `init`)
