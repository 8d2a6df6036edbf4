"""``zvhsign extend``: a new archive timestamp on B-LTA copies (renewal)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..errors import EXIT_FINDINGS, EXIT_INCOMPLETE, EXIT_OK
from .main import _workspace, cli

_MARK = {"extended": "OK  ", "refused": "FAIL", "error": "ERR "}


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output-dir", "out_dir", type=click.Path(file_okay=False, path_type=Path), help="Write the extended copies into this folder instead of replacing each FILE.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output (schema zvhsign.extend/1).")
@click.pass_context
def extend(ctx, files, out_dir, as_json):
    """Add a new archive (document) timestamp to PAdES B-LTA copies.

    Renews a copy's long-term evidence before its last timestamp's TSA
    certificate expires (`zvhsign verify` warns with ARCHIVE_TIMESTAMP_EXPIRING):
    the validation data of the last timestamp goes into the file first, then a
    new document timestamp covers everything. Each FILE is replaced atomically,
    unless -o is given. Copies that don't verify or are not B-LTA are refused.

    \b
    Exit: 0 every file extended, 1 a file was refused, 3 a file could not be extended.
    Example:
      zvhsign extend signed/*.pdf
      zvhsign extend -o renewed/ signed/convenant-om.pdf
    """
    from ..services.extend import extend as do_extend

    ws = _workspace(ctx)
    show_progress = not as_json and len(files) > 1 and sys.stderr.isatty()

    def progress(i, n, result):
        if show_progress:
            click.echo(f"\r[{i}/{n}] {result.status:<8} {result.path}"[:120].ljust(120), err=True, nl=(i == n))

    results = do_extend(ws, list(files), out_dir=out_dir, progress=progress)
    if as_json:
        click.echo(json.dumps(
            {"schema": "zvhsign.extend/1", "extended": all(r.ok for r in results),
             "files": [r.to_json() for r in results]},
            indent=2, ensure_ascii=False,
        ))
    else:
        for r in results:
            where = f" → {r.output}" if r.output and r.output != r.path else ""
            click.echo(f"{_MARK[r.status]} {r.path}: {r.message}{where}")
        counts = {s: sum(r.status == s for r in results) for s in ("extended", "refused", "error")}
        click.echo(
            f"{len(results)} file(s): {counts['extended']} extended, "
            f"{counts['refused']} refused, {counts['error']} could not be extended"
        )
    if any(r.status == "error" for r in results):
        ctx.exit(EXIT_INCOMPLETE)
    ctx.exit(EXIT_OK if all(r.ok for r in results) else EXIT_FINDINGS)
