"""Engines, transactions and error translation for the registry (SQLAlchemy inside)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    IntegrityError,
    NoSuchModuleError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.pool import StaticPool

from zvhsign.errors import RegistryError

BUSY_TIMEOUT_S = 30
"""How long a writer waits for another writer (SQLite busy timeout, PostgreSQL lock timeout)."""
CONNECT_TIMEOUT_S = 10

WRITE_OPTION = "zvhsign_write"
"""Execution option marking a connection whose transactions write (SQLite: BEGIN IMMEDIATE)."""


class DuplicateError(RegistryError):
    """The registry already holds this version or these exact bytes (exit 3)."""


class NotFoundError(RegistryError):
    """The registry holds no such document version (exit 3)."""


class ConflictError(RegistryError):
    """The change contradicts what the registry holds, e.g. superseding twice (exit 3)."""


SUPPORTED_DATABASES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
"""The database systems (SQLAlchemy backend names) a registry can live in."""
SUPPORTED_HINT = (
    "zvhsign supports SQLite (e.g. sqlite:///zvhsign.db) and PostgreSQL "
    "(postgresql+psycopg://user@host/dbname)"
)


def parse_url(url: str | URL) -> URL:
    """``url`` parsed; RegistryError when it is not a database URL or names a database
    system zvhsign does not support (:data:`SUPPORTED_DATABASES`)."""
    try:
        u = make_url(url)
        u.port  # noqa: B018 - a non-numeric port raises ValueError only here
    except ArgumentError:
        raise RegistryError(
            f"not a database URL: {safe_url(url)}",
            hint="use e.g. sqlite:///zvhsign-registry.db or postgresql+psycopg://user@host/dbname",
        ) from None
    except ValueError:
        raise RegistryError(
            "the database URL has a port that is not a number",
            hint="write host:PORT with a number, e.g. postgresql+psycopg://user@localhost:5432/dbname",
        ) from None
    if u.get_backend_name() not in SUPPORTED_DATABASES:
        raise RegistryError(
            f"unsupported database {u.get_backend_name()!r} in {safe_url(u)}", hint=SUPPORTED_HINT
        )
    return u


def safe_url(url: str | URL) -> str:
    """The URL as shown to people: never with its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return "<invalid database URL>"


def is_sqlite(u: URL) -> bool:
    return u.get_backend_name() == "sqlite"


def sqlite_file(u: URL) -> Path | None:
    """The database file of a SQLite URL, or None for in-memory / URI databases."""
    db = u.database
    if not is_sqlite(u) or not db or db == ":memory:" or db.startswith("file:"):
        return None
    return Path(db)


def make_engine(url: str | URL) -> Engine:
    u = parse_url(url)
    kwargs: dict = {}
    if is_sqlite(u):
        kwargs["connect_args"] = {"timeout": BUSY_TIMEOUT_S}
        if sqlite_file(u) is None and (not u.database or u.database == ":memory:"):
            kwargs["poolclass"] = StaticPool
    else:
        kwargs["pool_pre_ping"] = True
        if u.get_backend_name() == "postgresql":
            # keep options given in the URL (e.g. -csearch_path=...) and add a lock timeout
            given = u.query.get("options")
            given = " ".join(given) if isinstance(given, tuple) else (given or "")
            u = u.difference_update_query(["options"])
            kwargs["connect_args"] = {
                "connect_timeout": CONNECT_TIMEOUT_S,
                "options": f"{given} -c lock_timeout={int(BUSY_TIMEOUT_S * 1000)}".strip(),
            }
    try:
        engine = create_engine(u, **kwargs)
    except (NoSuchModuleError, ImportError) as exc:
        raise RegistryError(f"no database driver for {safe_url(u)}: {exc}", hint=_driver_hint(u)) from None
    except ArgumentError as exc:
        raise RegistryError(f"unusable database URL {safe_url(u)}: {exc}") from None
    if is_sqlite(u):
        _sqlite_setup(engine, wal=sqlite_file(u) is not None)
    return engine


def _driver_hint(u: URL) -> str:
    """What to do when the driver of ``u`` can't be loaded, for its database system."""
    if u.get_backend_name() != "postgresql":
        return SUPPORTED_HINT
    if u.get_driver_name() != "psycopg":
        return "zvhsign's PostgreSQL driver is psycopg: write the URL as postgresql+psycopg://user@host/dbname"
    return "install the PostgreSQL driver: pip install 'zvhsign[postgres]' (psycopg)"


def _sqlite_setup(engine: Engine, *, wal: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # noqa: ANN001
        # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's own
        # transaction handling would defer it and ignore BEGIN IMMEDIATE).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        try:
            cur.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            cur.execute("PRAGMA foreign_keys = ON")
            if wal:
                cur.execute("PRAGMA journal_mode = WAL")
                cur.execute("PRAGMA synchronous = NORMAL")
        finally:
            cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # noqa: ANN001
        # Writers take the write lock up front, so read-then-append of the
        # audit chain is serialised and no two writers fork it.
        if conn.get_execution_options().get(WRITE_OPTION):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip()
    return text.splitlines()[0].strip() if text else type(orig).__name__


def _unwritable(url: str | URL) -> bool:
    """A SQLite registry file that exists in a folder zvhsign may not write (a read-only
    medium or share): SQLite can't open it at all then -- it writes beside the file to read."""
    import os

    try:
        path = sqlite_file(parse_url(url))
        return path is not None and path.is_file() and not os.access(path.parent, os.W_OK)
    except Exception:  # noqa: BLE001 - only a better message is at stake
        return False


def translate(exc: SQLAlchemyError, url: str | URL, doing: str) -> RegistryError:
    """One human line for a database failure (never a traceback, never a password)."""
    shown = safe_url(url)
    text = _first_line(exc)
    low = text.lower()
    if isinstance(exc, IntegrityError) and "foreign key" not in low:
        return DuplicateError(f"{doing}: the registry already holds a conflicting record ({text})")
    if "readonly database" in low or "read-only" in low or ("unable to open" in low and _unwritable(url)):
        return RegistryError(
            f"{doing}: the registry database {shown} is read-only for zvhsign "
            "(no write permission to the file or its folder)",
            hint="SQLite needs write access to the registry's folder, also to read it; "
            "run as the workspace's owner, or copy the workspace to a writable place",
        )
    if "locked" in low or "lock timeout" in low or "could not obtain lock" in low or "deadlock" in low:
        return RegistryError(
            f"{doing}: the registry database {shown} is locked by another process "
            f"(waited {BUSY_TIMEOUT_S} s)",
            hint="try again when the other zvhsign process has finished",
        )
    if isinstance(exc, OperationalError) and (
        "connect" in low
        or "unable to open" in low
        or "could not translate host" in low
        or "timeout expired" in low
        or "no such file" in low
        or getattr(exc, "connection_invalidated", False)
    ):
        return RegistryError(
            f"can't connect to the registry database {shown}: {text}",
            hint="check the database URL and that the database server is running",
        )
    if isinstance(exc, DBAPIError):
        return RegistryError(f"{doing}: registry database error at {shown}: {text}")
    return RegistryError(f"{doing}: registry database problem at {shown}: {text}")


@contextmanager
def guarded(url: str | URL, doing: str) -> Iterator[None]:
    """Translate SQLAlchemy errors raised inside into :class:`RegistryError`."""
    try:
        yield
    except SQLAlchemyError as exc:
        raise translate(exc, url, doing) from exc
