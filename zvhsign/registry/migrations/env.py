"""Alembic environment of the zvhsign registry.

zvhsign runs migrations programmatically (``zvhsign.registry._migrate``): the
caller passes an open SQLAlchemy ``Connection`` in ``config.attributes["connection"]``
so the registry's engine settings (SQLite WAL, busy timeout) apply. For
developers, ``alembic -x url=sqlite:///registry.db revision -m "..."`` with a
config whose ``script_location`` points here also works.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

from zvhsign.registry.models import Base

config = context.config
target_metadata = Base.metadata


def _configure(connection) -> None:  # noqa: ANN001
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite can't ALTER much
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url"
    )
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url"
    )
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as conn:
        _configure(conn)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
