"""``zvhsign log show|verify|anchor``: the registry's tamper-evident audit log."""

from __future__ import annotations

import json

import click

from ..errors import EXIT_FINDINGS, EXIT_OK
from .main import _workspace, cli


@cli.group(short_help="The audit log: hash-chained, anchored by a TSA.")
def log() -> None:
    """The audit log: every change to the registry, chained by SHA-256 and anchored by a TSA.

    \b
    Examples:
      zvhsign log show                 list events (oldest first)
      zvhsign log verify               recompute the chain and check anchors (exit 1 on tampering)
      zvhsign log anchor               timestamp the current chain head (RFC 3161)
    """


def _time(dt) -> str:
    from ..i18n import local_time

    return local_time(dt, seconds=True)  # Dutch local time, zone named; --json keeps UTC


@log.command("show", short_help="List the audit events.")
@click.option("--json", "as_json", is_flag=True, help="One JSON document (schema zvhsign.log/1).")
@click.option("--last", type=click.IntRange(1), help="Only the last N events.")
@click.pass_context
def show(ctx, as_json, last):
    """List the audit events: number, time (Dutch local time), OS user, action, subject, hash.

    \b
    Example:
      zvhsign log show --last 20
      zvhsign log show --json > audit-log.json
    """
    from ..services.auditlog import events

    evs = events(_workspace(ctx))
    if last:
        evs = evs[-last:]
    if as_json:
        click.echo(json.dumps({
            "schema": "zvhsign.log/1",
            "events": [
                {
                    "seq": e.seq, "at": e.at.isoformat(), "actor": e.actor,
                    "actor_certificate": e.actor_certificate, "action": e.action,
                    "subject": e.subject, "object_sha256s": list(e.object_sha256s),
                    "details": e.details, "prev_hash": e.prev_hash, "hash": e.hash,
                }
                for e in evs
            ],
        }, indent=2, ensure_ascii=False))
        return
    for e in evs:
        cert = f" cert {e.actor_certificate[:12]}…" if e.actor_certificate else ""
        click.echo(
            f"#{e.seq:<5} {_time(e.at)}  {e.actor:<14.14} {e.action:<16} {e.subject}"
            f"{cert}  [{e.hash[:12]}]"
        )
    click.echo(f"{len(evs)} event(s)")


@log.command("verify", short_help="Check the hash chain, the anchors and the stored files.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable result.")
@click.option("--offline", is_flag=True, help="Check anchor tokens without fetching OCSP/CRL.")
@click.pass_context
def verify_cmd(ctx, as_json, offline):
    """Recompute the hash chain, check every anchor and the stored files; exit 1 on any problem.

    Reports events that were altered, deleted, inserted or reordered, a chain
    rewritten after it was anchored, anchor tokens that are not valid RFC 3161
    timestamps from a trusted TSA over the anchored hash, stored files (approved
    PDFs, mandates, recorded copies) whose bytes no longer have their recorded
    SHA-256, and a failed database integrity check (SQLite; skipped on PostgreSQL).

    \b
    Exit: 0 intact, 1 problems found, 3 the registry could not be read.
    Example:
      zvhsign log verify
    """
    from ..services.auditlog import verify

    check = verify(_workspace(ctx), online=not offline)
    if as_json:
        click.echo(json.dumps(check.to_json(), indent=2, ensure_ascii=False))
    else:
        for line in check.all_problems():
            click.echo(f"FAIL {line}")
        la = check.last_anchor
        anchor = (
            f"; last anchor #{la.anchor.seq} over event #{la.anchor.anchored_seq} "
            f"at {_time(la.time)} by {la.tsa or '?'}"
            if la else "; never anchored (run `zvhsign log anchor`)"
        )
        for a in check.anchors:
            if a.token_ok and a.unchecked:
                click.echo(f"note: anchor event #{a.anchor.seq}: not checked: {a.unchecked}; "
                           "the token is intact and its TSA chains to a trusted root (check online for the rest)")
        st = check.storage
        if st is not None:
            for note in st.notes:
                click.echo(f"note: {note}")
        state = "intact" if check.intact else "NOT intact"
        click.echo(f"audit log {state}: {check.events} event(s), {len(check.anchors)} anchor(s){anchor}")
        if st is not None:
            integrity = ("; database integrity check " + ("passed" if not any(
                p.kind == "database-integrity" for p in st.problems) else "FAILED")
                if st.integrity_checked else "")
            state = "verified" if st.intact else f"{len(st.problems)} problem(s)"
            click.echo(f"stored files: {st.blobs} re-hashed, {state}{integrity}")
    ctx.exit(EXIT_OK if check.intact else EXIT_FINDINGS)


@log.command("anchor", short_help="Timestamp the chain head with the workspace's TSA.")
@click.pass_context
def anchor_cmd(ctx):
    """Get an RFC 3161 timestamp over the current chain head from the workspace TSA and store it.

    Afterwards even a log rewritten with recomputed hashes is caught by
    `zvhsign log verify`, and the log up to that event is dated by the TSA.
    Refuses (exit 1) when the log does not verify.

    \b
    Example (e.g. daily from cron):
      zvhsign log anchor
    """
    from ..services.auditlog import anchor

    res = anchor(_workspace(ctx))
    click.echo(
        f"anchored event #{res.anchored.seq} (hash {res.anchored.hash[:16]}…) at {_time(res.time)}"
        f" by {res.tsa or 'the TSA'}; stored as event #{res.event.seq}"
    )
