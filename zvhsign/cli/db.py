"""``zvhsign db upgrade|status``: the registry database's schema."""

from __future__ import annotations

import click

from .main import _workspace, cli


@cli.group()
def db() -> None:
    """The registry database: schema version and upgrades.

    \b
    Examples:
      zvhsign db status                show the database and its schema version
      zvhsign db upgrade               apply pending migrations (back up first)
    """


@db.command("upgrade", short_help="Upgrade the registry's schema (logged).")
@click.pass_context
def upgrade(ctx):
    """Upgrade the registry's schema to this zvhsign's version (logged as an audit event).

    An older registry is never used silently: commands refuse it until it is
    upgraded. Make a backup first (SQLite: copy the file; PostgreSQL: pg_dump).

    \b
    Example:
      zvhsign db upgrade
    """
    from ..registry import Registry

    ws = _workspace(ctx)
    before, after = Registry.upgrade(ws.config.database_url)
    if before == after:
        click.echo(f"registry schema is up to date (revision {after})")
    else:
        click.echo(f"registry schema upgraded from revision {before} to {after}")


@db.command("status", short_help="The registry database, schema revision and audit head.")
@click.pass_context
def status(ctx):
    """Show the registry database (without password), its schema revision and audit head.

    \b
    Example:
      zvhsign db status
    """
    from ..registry import Registry

    ws = _workspace(ctx)
    with Registry.open(ws.config.database_url) as reg:
        head = reg.chain_head()
        click.echo(f"database  {reg.url} ({reg.dialect})")
        click.echo(f"schema    revision {reg.current_revision()} (this zvhsign: {reg.head_revision()})")
        if head:
            click.echo(f"audit log {head.seq} event(s), head {head.hash[:16]}…")
