"""Registry: create/open, approved versions round-trip, duplicates, blobs, supersede."""

from __future__ import annotations

import dataclasses

import pytest

from zvhsign.domain.digests import Sha256
from zvhsign.domain.documents import DocumentKind
from zvhsign.errors import EXIT_INCOMPLETE, RegistryError, ZvhsignError
from zvhsign.registry import ConflictError, DuplicateError, NotFoundError, Registry

ACTOR = "secretariaat"
CERT = "cd" * 32


def test_create_then_open(registry_url: str) -> None:
    with Registry.create(registry_url, actor=ACTOR) as reg:
        assert reg.current_revision() == Registry.head_revision()
        [init] = reg.events()
        assert (init.seq, init.action, init.actor, init.prev_hash) == (1, "init", ACTOR, "0" * 64)
        assert init.at.tzinfo is not None and init.at.utcoffset().total_seconds() == 0
    with Registry.open(registry_url) as reg:
        assert reg.current_revision() == Registry.head_revision()
        assert reg.approved_versions() == []
        assert reg.verify_log() == []


def test_create_refuses_non_empty_database(registry_url: str) -> None:
    Registry.create(registry_url, actor=ACTOR).close()
    with pytest.raises(RegistryError, match="not empty"):
        Registry.create(registry_url, actor=ACTOR)


def test_open_missing_sqlite_file_says_init(tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "nope.db"
    with pytest.raises(RegistryError) as err:
        Registry.open(f"sqlite:///{path}")
    assert "zvhsign init" in err.value.diagnostic()
    assert not path.exists(), "open must not create a database"


def test_open_empty_database_says_init(registry_url: str, raw_sql) -> None:  # noqa: ANN001
    raw_sql("SELECT 1")  # creates the (empty) SQLite file
    with pytest.raises(RegistryError) as err:
        Registry.open(registry_url)
    assert "no zvhsign registry" in err.value.message
    assert "zvhsign init" in err.value.diagnostic()
    assert err.value.exit_code == EXIT_INCOMPLETE


def test_open_foreign_database_is_refused(registry_url: str, raw_sql) -> None:  # noqa: ANN001
    raw_sql("CREATE TABLE something_else (id INTEGER PRIMARY KEY)")
    with pytest.raises(RegistryError, match="not a zvhsign registry"):
        Registry.open(registry_url)


def test_approved_versions_round_trip(registry_url: str, make_version) -> None:  # noqa: ANN001
    versions = [
        make_version("protocol", "1.0"),
        make_version("convenant", "1.10"),
        make_version("convenant", "1.2"),
        make_version("convenant", "1.0"),
    ]
    with Registry.create(registry_url, actor=ACTOR) as reg:
        for av, pdf in versions:
            reg.add_approved_version(av, pdf, actor=ACTOR, actor_certificate=CERT)
    with Registry.open(registry_url) as reg:
        listed = reg.approved_versions()
        assert [a.label for a in listed] == [
            "convenant 1.0",
            "convenant 1.2",
            "convenant 1.10",
            "protocol 1.0",
        ]
        by_label = {av.label: av for av, _ in versions}
        for got in listed:
            assert got == by_label[got.label]  # every field, incl. aware approved_at
            assert isinstance(got.approved_sha256, Sha256)
            assert isinstance(got.document, DocumentKind)
        assert [a.version for a in reg.approved_versions(DocumentKind.PROTOCOL)] == ["1.0"]
        av, pdf = versions[1]
        assert reg.find_approved(av.approved_sha256) == av
        assert reg.find_approved(av.approved_sha256.hex) == av
        assert reg.find_approved(Sha256.of(b"unknown")) is None
        assert reg.get_blob(av.approved_sha256) == pdf
        assert reg.get_approved(DocumentKind.CONVENANT, "1.10") == av
        sizes = reg.approved_sizes()
        assert sum(len(v) for v in sizes.values()) == 4
        for size, avs in sizes.items():
            assert all(a.approved_size == size for a in avs)
        approve = [e for e in reg.events() if e.action == "approve"]
        assert [e.subject for e in approve] == [av.label for av, _ in versions]
        assert approve[0].actor_certificate == CERT
        assert approve[0].object_sha256s[0] == versions[0][0].approved_sha256.hex
        assert reg.verify_log() == []


def _counts(raw_sql) -> tuple[int, int, int]:  # noqa: ANN001
    return tuple(
        raw_sql(f"SELECT COUNT(*) FROM {t}")[0][0]
        for t in ("blobs", "approved_versions", "audit_events")
    )


def test_duplicate_version_rejected_without_half_writes(
    registry_url: str, make_version, raw_sql  # noqa: ANN001
) -> None:
    av, pdf = make_version("convenant", "1.0")
    with Registry.create(registry_url, actor=ACTOR) as reg:
        reg.add_approved_version(av, pdf, actor=ACTOR, actor_certificate=None)
        before = _counts(raw_sql)
        other, other_pdf = make_version("convenant", "1.0", pdf=b"%PDF-1.7 other bytes")
        with pytest.raises(DuplicateError, match="convenant 1.0 is already registered") as err:
            reg.add_approved_version(other, other_pdf, actor=ACTOR, actor_certificate=None)
        assert isinstance(err.value, RegistryError) and isinstance(err.value, ZvhsignError)
        assert _counts(raw_sql) == before  # no orphan blob, no row, no event
        assert reg.get_blob(other.approved_sha256) is None
        assert reg.verify_log() == []


def test_duplicate_bytes_rejected_without_half_writes(
    registry_url: str, make_version, raw_sql  # noqa: ANN001
) -> None:
    av, pdf = make_version("convenant", "1.0")
    with Registry.create(registry_url, actor=ACTOR) as reg:
        reg.add_approved_version(av, pdf, actor=ACTOR, actor_certificate=None)
        before = _counts(raw_sql)
        same_bytes = dataclasses.replace(av, document=DocumentKind.PROTOCOL, version="2.0")
        with pytest.raises(DuplicateError, match="already registered as convenant 1.0"):
            reg.add_approved_version(same_bytes, pdf, actor=ACTOR, actor_certificate=None)
        assert _counts(raw_sql) == before
        assert reg.approved_versions() == [av]


def test_pdf_must_match_the_version(registry_url: str, make_version) -> None:  # noqa: ANN001
    av, _ = make_version()
    with Registry.create(registry_url, actor=ACTOR) as reg:
        with pytest.raises(RegistryError, match="does not match"):
            reg.add_approved_version(av, b"other bytes", actor=ACTOR, actor_certificate=None)
        assert reg.approved_versions() == []


def test_put_and_get_blob(registry_url: str) -> None:
    with Registry.create(registry_url, actor=ACTOR) as reg:
        digest = reg.put_blob(b"a recorded copy", actor=ACTOR)
        assert digest == Sha256.of(b"a recorded copy")
        assert reg.put_blob(b"a recorded copy", actor=ACTOR) == digest  # idempotent
        assert reg.get_blob(digest) == b"a recorded copy"
        assert reg.get_blob("0" * 64) is None
        assert [e.action for e in reg.events()] == ["init", "store-blob"]


def test_supersede(registry_url: str, make_version) -> None:  # noqa: ANN001
    old, old_pdf = make_version("convenant", "1.0")
    new, new_pdf = make_version("convenant", "1.1")
    with Registry.create(registry_url, actor=ACTOR) as reg:
        reg.add_approved_version(old, old_pdf, actor=ACTOR, actor_certificate=None)
        reg.add_approved_version(new, new_pdf, actor=ACTOR, actor_certificate=None)
        reg.supersede(DocumentKind.CONVENANT, "1.0", "1.1", actor="bestuurssecretaris")
        got = {a.version: a for a in reg.approved_versions()}
        assert got["1.0"].superseded_by == "1.1" and got["1.1"].superseded_by is None
        last = reg.events()[-1]
        assert (last.action, last.subject, last.actor) == (
            "supersede",
            "convenant 1.0",
            "bestuurssecretaris",
        )
        assert last.details["superseded_by"] == "1.1"
        with pytest.raises(ConflictError, match="already superseded"):
            reg.supersede(DocumentKind.CONVENANT, "1.0", "1.1", actor=ACTOR)
        with pytest.raises(NotFoundError, match="convenant 2.0 is not a registered"):
            reg.supersede(DocumentKind.CONVENANT, "1.1", "2.0", actor=ACTOR)
        assert reg.verify_log() == []
        assert len(reg.events()) == 4


def test_unreachable_postgres_is_a_registry_error() -> None:
    url = "postgresql+psycopg://zvh:geheim@127.0.0.1:1/registry"
    with pytest.raises(RegistryError) as err:
        Registry.open(url)
    text = err.value.diagnostic()
    assert "can't connect" in text and "127.0.0.1:1" in text
    assert "geheim" not in text
    assert "\n" not in err.value.message
    assert err.value.exit_code == EXIT_INCOMPLETE


def test_bad_url_is_a_registry_error() -> None:
    with pytest.raises(RegistryError, match="not a database URL"):
        Registry.open("this is not a url")


def test_sqlite_uses_wal(tmp_path) -> None:  # noqa: ANN001
    import sqlite3

    path = tmp_path / "r.db"
    Registry.create(f"sqlite:///{path}", actor=ACTOR).close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_locked_sqlite_is_a_registry_error(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    import sqlite3

    from zvhsign.registry import _db

    path = tmp_path / "r.db"
    Registry.create(f"sqlite:///{path}", actor=ACTOR).close()
    monkeypatch.setattr(_db, "BUSY_TIMEOUT_S", 0.2)
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        with Registry.open(f"sqlite:///{path}") as reg:
            with pytest.raises(RegistryError, match="is locked by another process"):
                reg.append_event("record-copy", "convenant 1.0", actor=ACTOR)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
