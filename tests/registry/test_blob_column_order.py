"""Migration 0005: ``blobs.data`` is the last column (SQLite streams large files into it
without building the row in memory); upgrading keeps every stored byte, the audit log
and the storage check intact."""

from __future__ import annotations

import io


from zvhsign.registry import Registry, _migrate

from .test_registry_schema import _run  # one engine, one transaction, disposed

ACTOR = "secretariaat"
BEFORE = "0004"




def _blob_columns(raw_sql) -> list[str]:  # noqa: ANN001
    return [row[1] for row in raw_sql("PRAGMA table_info(blobs)")]


def _blobs(raw_sql) -> dict[str, tuple]:  # noqa: ANN001
    rows = raw_sql("SELECT sha256, size, created_at, data FROM blobs")
    return {r[0]: (r[1], r[2], bytes(r[3])) for r in rows}


def test_fresh_registry_has_data_last(registry_url: str, raw_sql) -> None:  # noqa: ANN001
    Registry.create(registry_url, actor=ACTOR).close()
    if registry_url.startswith("sqlite"):
        assert _blob_columns(raw_sql) == ["sha256", "size", "created_at", "data"]


def test_upgrade_from_0004_keeps_blobs_and_log(
    registry_url: str, make_version, raw_sql  # noqa: ANN001
) -> None:
    """A 0004 registry holding an approved version (and a blob no record points at) is
    upgraded: same bytes, same rows, log and storage intact, ``data`` last on SQLite."""
    sqlite = registry_url.startswith("sqlite")
    assert _migrate.script_directory().get_revision(_migrate.PACKAGED_HEAD).down_revision == BEFORE
    av, pdf = make_version("convenant", "1.0", pdf=b"%PDF-1.7\n" + bytes(range(256)) * 4096)
    with Registry.create(registry_url, actor=ACTOR) as reg:
        reg.add_approved_version(av, io.BytesIO(pdf), actor=ACTOR, actor_certificate=None)
        loose = reg.put_blob(b"a file no record points at", actor=ACTOR)
    _run(registry_url, lambda conn: _migrate.downgrade(conn, BEFORE))  # the 0004 shape
    if sqlite:
        assert _blob_columns(raw_sql) == ["sha256", "size", "data", "created_at"]
        rowids = raw_sql("SELECT sha256, rowid FROM blobs ORDER BY rowid")
    before = _blobs(raw_sql)
    assert before[av.approved_sha256.hex][2] == pdf

    assert Registry.upgrade(registry_url, actor="beheerder") == (BEFORE, _migrate.PACKAGED_HEAD)

    assert _blobs(raw_sql) == before
    if sqlite:
        assert _blob_columns(raw_sql) == ["sha256", "size", "created_at", "data"]
        assert raw_sql("SELECT sha256, rowid FROM blobs ORDER BY rowid") == rowids
        assert raw_sql("PRAGMA foreign_key_check") == []
        assert raw_sql("PRAGMA defer_foreign_keys")[0][0] == 0
        [[pk]] = raw_sql("SELECT COUNT(*) FROM pragma_index_list('blobs') WHERE origin = 'pk'")
        assert pk == 1
    with Registry.open(registry_url) as reg:
        assert reg.current_revision() == _migrate.PACKAGED_HEAD
        assert reg.get_blob(av.approved_sha256) == pdf
        assert reg.get_blob(loose) == b"a file no record points at"
        assert reg.approved_versions() == [av]
        assert [e.action for e in reg.events()] == ["init", "approve", "store-blob", "db-upgrade"]
        assert reg.verify_log() == []
        check = reg.check_storage()
        assert check.intact, check.problems
        assert check.blobs == 2
        # and a large file streams into the rebuilt table
        av2, pdf2 = make_version("convenant", "1.1", pdf=b"%PDF-1.7\n" + b"\x00\xff" * 300_000)
        reg.add_approved_version(av2, io.BytesIO(pdf2), actor=ACTOR, actor_certificate=None)
        assert reg.get_blob(av2.approved_sha256) == pdf2
        assert reg.check_storage().intact
        assert reg.verify_log() == []


def test_downgrade_to_0004_keeps_blobs(registry_url: str, make_version, raw_sql) -> None:  # noqa: ANN001
    av, pdf = make_version("protocol", "2.0")
    with Registry.create(registry_url, actor=ACTOR) as reg:
        reg.add_approved_version(av, pdf, actor=ACTOR, actor_certificate=None)
    at_head = _blobs(raw_sql)
    _run(registry_url, lambda conn: _migrate.downgrade(conn, BEFORE))
    assert _blobs(raw_sql) == at_head
    if registry_url.startswith("sqlite"):
        assert raw_sql("PRAGMA foreign_key_check") == []
        [[sql]] = raw_sql("SELECT sql FROM sqlite_master WHERE name = 'blobs'")
        assert sql == (
            "CREATE TABLE blobs (\n\tsha256 VARCHAR(64) NOT NULL, \n\tsize BIGINT NOT NULL, "
            "\n\tdata BLOB NOT NULL, \n\tcreated_at DATETIME NOT NULL, "
            "\n\tCONSTRAINT pk_blobs PRIMARY KEY (sha256)\n)"
        )
