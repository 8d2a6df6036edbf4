"""Alembic, configured programmatically: no alembic.ini is needed at runtime."""

from __future__ import annotations

from pathlib import Path

from typing import TYPE_CHECKING

from sqlalchemy import Connection, inspect, text

from zvhsign.errors import RegistryError

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

# The newest revision in migrations/versions (tests/registry/test_registry_schema.py checks
# it against Alembic's own head). Opening a registry at this revision -- every command --
# then needs no Alembic import (~0.15 s of CPU per command); Alembic is loaded to migrate,
# and to judge a registry at any other revision.
PACKAGED_HEAD = "0005"


def _packaged_location() -> str:
    return str(Path(__file__).resolve().with_name("migrations"))


def script_location() -> str:
    """The migrations directory inside the installed package (tests may patch this)."""
    return _packaged_location()


def alembic_config(connection: Connection | None = None) -> "Config":
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", script_location())
    cfg.set_main_option("path_separator", "os")
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def script_directory() -> "ScriptDirectory":
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    if script_location() == _packaged_location():
        return PACKAGED_HEAD
    head = script_directory().get_current_head()
    assert head is not None, "the registry migrations have no head revision"
    return head


def current_heads(connection: Connection) -> tuple[str, ...]:
    """The revision(s) in Alembic's ``alembic_version`` table (none: not a registry yet)."""
    if not inspect(connection).has_table("alembic_version"):
        return ()
    rows = connection.execute(text("SELECT version_num FROM alembic_version"))
    return tuple(r[0] for r in rows)


def known_revision(rev: str) -> bool:
    from alembic.util.exc import CommandError

    try:
        return script_directory().get_revision(rev) is not None
    except CommandError:
        return False
    except Exception:  # alembic raises ResolutionError subclasses for unknown ids
        return False


def is_ancestor_of_head(rev: str) -> bool:
    sd = script_directory()
    head = sd.get_current_head()
    return any(r.revision == rev for r in sd.iterate_revisions(head, "base"))


def upgrade(connection: Connection, target: str = "head") -> None:
    """Apply migrations on ``connection`` (inside the caller's transaction)."""
    from alembic import command
    from alembic.util.exc import CommandError

    try:
        command.upgrade(alembic_config(connection), target)
    except CommandError as exc:
        raise RegistryError(f"can't migrate the registry schema to {target!r}: {exc}") from exc


def downgrade(connection: Connection, target: str) -> None:
    from alembic import command

    command.downgrade(alembic_config(connection), target)


def stamp(connection: Connection, target: str) -> None:
    from alembic import command

    command.stamp(alembic_config(connection), target)
