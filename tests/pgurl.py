"""Which PostgreSQL the tests use: the one place that decides it.

* ``ZVHSIGN_TEST_POSTGRES_URL`` set to a URL: that server (``.ci/run`` sets it).
* Not set, or set to the empty string: the server these machines run,
  :data:`DEFAULT_URL` (127.0.0.1:5432, trust auth, user and database ``postgres``),
  when a connection to it succeeds within :data:`CONNECT_TIMEOUT` seconds.
* Set to ``off`` (any case): no PostgreSQL. An explicit opt-out: the PostgreSQL
  variants are not collected, and pytest's summary says so in one line.

Otherwise the PostgreSQL variants are always collected; when the chosen server can't be
used they are *skipped* with the reason (what was tried, how to change it), so pytest's
summary shows them -- and CI, which turns a skip into a failure, fails. The connection
is tried once per test process (each xdist worker tries its own), the answer kept.
"""

from __future__ import annotations

import functools
import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from sqlalchemy.engine import URL, make_url

PG_ENV = "ZVHSIGN_TEST_POSTGRES_URL"
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
OFF = "off"
CONNECT_TIMEOUT = 2  # seconds

HOW_TO = f"set {PG_ENV} to a reachable server's URL, or to {OFF} to leave the PostgreSQL tests out"


@dataclass(frozen=True)
class PgChoice:
    """The decision: ``url`` is the server to use (None: none), ``source`` where it came
    from, ``reason`` why there is none."""

    url: str | None
    source: str
    reason: str = ""
    opted_out: bool = False

    @property
    def usable(self) -> bool:
        return self.url is not None

    def header(self) -> str:
        """The line for pytest's report header."""
        if self.usable:
            return f"postgresql: {shown(self.url)} ({self.source})"
        if self.opted_out:
            return f"postgresql: none, left out by {PG_ENV}={OFF} (the postgresql tests are not collected)"
        return f"postgresql: none, the postgresql tests are skipped: {self.reason}"


def shown(url: str) -> str:
    """``url`` with its password hidden."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - not a URL: nothing in it to hide reliably
        return "<not a database URL>"


def opted_out() -> bool:
    """The user left PostgreSQL out explicitly (``ZVHSIGN_TEST_POSTGRES_URL=off``)."""
    return os.environ.get(PG_ENV, "").strip().lower() == OFF


def backends() -> list[str]:
    """The registry backends a ``registry_url`` fixture is parametrised with. Decided from
    the environment alone (no connection), so every xdist worker collects the same tests."""
    return ["sqlite"] if opted_out() else ["sqlite", "postgresql"]


def conninfo(u: URL, dbname: str | None = None) -> dict:
    """psycopg connection arguments for ``u`` (database ``dbname``, else the URL's, else postgres)."""
    info = {
        "host": u.host or "127.0.0.1",
        "port": u.port or 5432,
        "user": u.username,
        "password": u.password,
        "dbname": dbname or u.database or "postgres",
    }
    return {k: v for k, v in info.items() if v is not None}


def _short(exc: BaseException) -> str:
    """psycopg's message without the 'connection to server at ... failed:' preamble and hints."""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if " failed: " in first:
        first = first.rsplit(" failed: ", 1)[1]
    return re.sub(r"\s+", " ", first).strip()


def decide() -> PgChoice:
    """Decide now (a real connection attempt; see the module docstring)."""
    raw = os.environ.get(PG_ENV)
    value = (raw or "").strip()
    if value.lower() == OFF:
        return PgChoice(None, f"{PG_ENV}={OFF}", f"left out by {PG_ENV}={OFF}", opted_out=True)
    if value:
        url, source = value, f"from {PG_ENV}"
    else:
        url, source = DEFAULT_URL, f"the default; {PG_ENV} is " + ("empty" if raw is not None else "not set")
    try:
        u = make_url(url)
    except Exception:  # noqa: BLE001 - sqlalchemy.exc.ArgumentError and friends
        return PgChoice(None, source, f"{PG_ENV}={value!r} is not a database URL; {HOW_TO}")
    if not u.drivername.startswith("postgresql"):
        return PgChoice(None, source, f"{shown(url)} ({source}) is not a PostgreSQL URL; {HOW_TO}")
    try:
        import psycopg
    except ImportError:
        return PgChoice(None, source, "psycopg is not installed (pip install -e \".[test]\")")
    try:
        psycopg.connect(**conninfo(u), connect_timeout=CONNECT_TIMEOUT).close()
    except psycopg.Error as exc:
        where = f"{u.host or '127.0.0.1'}:{u.port or 5432}"
        return PgChoice(None, source, f"PostgreSQL not usable at {where} ({_short(exc)}); "
                                      f"tried {shown(url)} ({source}); {HOW_TO}")
    return PgChoice(url, source)


@functools.cache
def choice() -> PgChoice:
    """:func:`decide`, once per test process."""
    return decide()


def require() -> URL:
    """The URL of the PostgreSQL to test against; skips the test (with the reason) when none."""
    c = choice()
    if not c.usable:
        pytest.skip(c.reason)
    return make_url(c.url)


@contextmanager
def pg_database(base: URL) -> Iterator[URL]:
    """A fresh, uniquely named database on ``base``'s server, dropped afterwards."""
    import psycopg

    name = f"zvhsign_test_{uuid.uuid4().hex[:12]}"
    admin = conninfo(base)
    with psycopg.connect(**admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield base.set(database=name)
    finally:
        with psycopg.connect(**admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def pg_schema(db: URL) -> Iterator[str]:
    """A fresh schema in ``db``, dropped afterwards: yields ``db``'s URL (password
    included) with ``search_path`` set to it."""
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    info = conninfo(db)
    with psycopg.connect(**info, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield db.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(**info, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
