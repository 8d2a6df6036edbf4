"""Fixtures for the registry tests.

``registry_url`` runs each test on SQLite (a file in tmp_path) and on PostgreSQL: the
server tests/pgurl.py chooses (``ZVHSIGN_TEST_POSTGRES_URL``, else 127.0.0.1:5432 when it
answers; skipped with the reason when there is none, not collected when the variable is
``off``). On PostgreSQL: one fresh, uniquely named database per test session (dropped
afterwards), and in it one fresh schema per test (selected via search_path).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL

from tests.pgurl import backends, pg_database, pg_schema, require

BACKENDS = backends()


@pytest.fixture(scope="session")
def pg_test_database() -> Iterator[URL]:
    """A fresh PostgreSQL database for this test session (dropped at the end)."""
    with pg_database(require()) as db:
        yield db


@pytest.fixture(params=BACKENDS)
def registry_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:  # noqa: ANN001
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'registry.db'}"
        return
    db: URL = request.getfixturevalue("pg_test_database")
    with pg_schema(db) as url:
        yield url


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
