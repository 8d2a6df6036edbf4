"""Alembic, configured programmatically: no alembic.ini is needed at runtime."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection

from zvhsign.errors import RegistryError


def script_location() -> str:
    """The migrations directory inside the installed package (tests may patch this)."""
    return str(Path(__file__).resolve().with_name("migrations"))


def alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", script_location())
    cfg.set_main_option("path_separator", "os")
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def script_directory() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    head = script_directory().get_current_head()
    assert head is not None, "the registry migrations have no head revision"
    return head


def current_heads(connection: Connection) -> tuple[str, ...]:
    return tuple(MigrationContext.configure(connection).get_current_heads())


def known_revision(rev: str) -> bool:
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
    try:
        command.upgrade(alembic_config(connection), target)
    except CommandError as exc:
        raise RegistryError(f"can't migrate the registry schema to {target!r}: {exc}") from exc


def downgrade(connection: Connection, target: str) -> None:
    command.downgrade(alembic_config(connection), target)


def stamp(connection: Connection, target: str) -> None:
    command.stamp(alembic_config(connection), target)
