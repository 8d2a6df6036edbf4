"""``zvhsign trust tl add|show``: the EU trusted lists of a workspace."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import click

from ..errors import UsageError
from .main import _workspace, cli


@cli.group()
def trust() -> None:
    """Trust sources of the workspace: the EU trusted lists.

    With trusted lists loaded, the qualified CAs they list are trusted besides the
    trust roots in zvhsign.toml, and every signature gets an eIDAS qualification
    (QES, AdES-QC, AdES) in verify, status and the audit report.
    """


@trust.group("tl", short_help="The EU trusted lists: the LOTL and the national lists.")
def tl() -> None:
    """The EU list of trusted lists (LOTL) and the national lists it points to."""


def _national(values: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for v in values:
        cc, sep, where = v.partition("=")
        if not sep or len(cc) != 2 or not cc.isalpha() or not where:
            raise UsageError(f"--tl {v!r}: give COUNTRY=FILE or COUNTRY=URL, e.g. --tl NL=tsl-nl.xml")
        out[cc.upper()] = where
    return out


def _when(dt: datetime | None) -> str:
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%d") if dt else "none (closed scheme)"


def _line(info, now: datetime) -> str:
    kind = "LOTL" if info.is_lotl else f"TL {info.territory}"
    stale = "  PAST ITS NEXT UPDATE" if info.stale_at(now) else ""
    services = "" if info.is_lotl else f", {info.services} qualified CA service(s)"
    return (f"{kind:<6} sequence {info.sequence_number}, issued {_when(info.issued_at)}, "
            f"next update {_when(info.next_update)}{services}{stale}\n"
            f"       signed by {info.signer}\n       SHA-256 {info.sha256}")


@tl.command("add", short_help="Load the EU trusted lists from a file or URL.")
@click.argument("source")
@click.option("--tl", "national", multiple=True, metavar="CC=FILE|URL",
              help="Take the national list of country CC from this file or URL instead of "
                   "where the LOTL says it is published (repeatable; for working offline).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def tl_add(ctx, source, national, as_json):
    """Load the EU list of trusted lists from SOURCE (a file or URL) and the national
    lists of [trusted_lists] territories (default NL).

    Every list's XML signature is verified: the LOTL against [trusted_lists]
    lotl_signers (default: the LOTL signing certificates published in the Official
    Journal), each national list against the certificates the LOTL names for it.
    Only when all verify are they kept (in the workspace folder trusted-lists/)
    and logged in the audit log. A list past its next update is loaded with a warning.

    \b
    Exit: 0 loaded, 1 a list was refused (signature, not a trusted list), 3 could not read or fetch.
    Example (offline, from files downloaded from https://ec.europa.eu/tools/lotl/eu-lotl.xml
    and the Dutch list it points to):
      zvhsign trust tl add eu-lotl.xml --tl NL=tsl-nl.xml
    Example (online):
      zvhsign trust tl add https://ec.europa.eu/tools/lotl/eu-lotl.xml
    """
    from ..registry import current_os_user
    from ..services.trustlists import add_lists

    ws = _workspace(ctx)
    now = datetime.now(timezone.utc)
    result = add_lists(ws, source, _national(national), actor=current_os_user(), now=now)
    if as_json:
        click.echo(json.dumps({"schema": "zvhsign.trusted-lists/1", "changed": result.changed,
                               "lists": [i.to_json() for i in result.lists],
                               "stale": [i.territory for i in result.stale]}, indent=2, ensure_ascii=False))
        return
    for info in result.lists:
        click.echo(_line(info, now))
    click.echo("loaded and logged" if result.changed else "unchanged: these lists were already loaded")
    for info in result.stale:
        click.echo(f"warning: the list of {info.territory} is past its next update ({_when(info.next_update)}); "
                   "get the current one from its official source", err=True)


@tl.command("show")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def tl_show(ctx, as_json):
    """The trusted lists loaded in this workspace, verified again now.

    \b
    Example:
      zvhsign trust tl show
    """
    from ..services.trustlists import load_lists

    ws = _workspace(ctx)
    now = datetime.now(timezone.utc)
    lists = load_lists(ws)
    if as_json:
        click.echo(json.dumps({"schema": "zvhsign.trusted-lists/1",
                               "lists": [i.to_json() for i in (lists.lists if lists else ())],
                               "stale": [i.territory for i in (lists.stale_at(now) if lists else ())]},
                              indent=2, ensure_ascii=False))
        return
    if lists is None:
        click.echo("no trusted lists are loaded (zvhsign trust tl add LOTL); qualification is not assessed")
        return
    for info in lists.lists:
        click.echo(_line(info, now))
