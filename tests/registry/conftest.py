"""Fixtures for the registry tests.

``registry_url`` runs each test on SQLite (a file in tmp_path) and, when
``ZVHSIGN_TEST_POSTGRES_URL`` is set (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/postgres),
on PostgreSQL too: one fresh, uniquely named database per test session (dropped
afterwards), and in it one fresh schema per test (selected via search_path).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

PG_ENV = "ZVHSIGN_TEST_POSTGRES_URL"
BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get(PG_ENV) else [])


def _pg_conninfo(u: URL, dbname: str) -> dict:
    info = {
        "host": u.host or "127.0.0.1",
        "port": u.port or 5432,
        "user": u.username,
        "password": u.password,
        "dbname": dbname,
    }
    return {k: v for k, v in info.items() if v is not None}


@pytest.fixture(scope="session")
def pg_test_database() -> Iterator[URL]:
    """A fresh PostgreSQL database for this test session (dropped at the end)."""
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"{PG_ENV} not set")
    import psycopg

    u = make_url(base)
    name = f"zvhsign_test_{uuid.uuid4().hex[:12]}"
    admin = _pg_conninfo(u, u.database or "postgres")
    with psycopg.connect(**admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield u.set(database=name)
    finally:
        with psycopg.connect(**admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=BACKENDS)
def registry_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:  # noqa: ANN001
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'registry.db'}"
        return
    import psycopg

    db: URL = request.getfixturevalue("pg_test_database")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    info = _pg_conninfo(db, db.database)
    with psycopg.connect(**info, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    url = db.update_query_dict({"options": f"-csearch_path={schema}"})
    yield url.render_as_string(hide_password=False)
    with psycopg.connect(**info, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def raw_sql(registry_url: str) -> Iterator[Callable[..., list]]:
    """Run SQL directly on the registry database (to tamper with it), bypassing zvhsign."""
    engine = sa.create_engine(registry_url)

    def run(statement: str, **params: object) -> list:
        with engine.begin() as conn:
            result = conn.execute(sa.text(statement), params)
            return list(result) if result.returns_rows else []

    yield run
    engine.dispose()


@pytest.fixture
def make_version() -> Callable[..., tuple]:
    """Factory: (ApprovedVersion, pdf bytes) for a document version with made-up bytes."""
    from datetime import date, datetime, timezone

    from zvhsign.domain.digests import Sha256
    from zvhsign.domain.documents import ApprovedVersion, DocumentKind

    def make(
        document: DocumentKind | str = "convenant",
        version: str = "1.0",
        *,
        pdf: bytes | None = None,
        decided_on: date = date(2025, 3, 12),
    ) -> tuple[ApprovedVersion, bytes]:
        kind = DocumentKind.parse(document) if isinstance(document, str) else document
        if pdf is None:
            pdf = f"%PDF-1.7\n% {kind.value} {version} approved\n%%EOF\n".encode()
        source = f"source of {kind.value} {version}".encode()
        av = ApprovedVersion(
            document=kind,
            version=version,
            source_sha256=Sha256.of(source),
            approved_sha256=Sha256.of(pdf),
            approved_size=len(pdf),
            decided_on=decided_on,
            approved_at=datetime(2025, 3, 14, 9, 30, 15, 123456, tzinfo=timezone.utc),
            approver_fingerprint="ab" * 32,
        )
        return av, pdf

    return make
