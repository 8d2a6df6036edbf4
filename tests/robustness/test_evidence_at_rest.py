"""Issue 15, evidence at rest: `log verify` said "intact" when a stored approved PDF in
the registry had a flipped bit, or when SQLite's own integrity check failed. Now it
re-hashes every stored file against its recorded SHA-256 and runs the database's
integrity check; a mismatch is a finding (exit 1) naming the object."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime, timezone

import pytest
from click.testing import CliRunner

from zvhsign.cli.main import cli
from zvhsign.domain.digests import Sha256
from zvhsign.domain.documents import ApprovedVersion, DocumentKind
from zvhsign.registry import Registry
from zvhsign.services.auditlog import verify as log_verify
from zvhsign.services.setup import init_test_workspace

PDF = b"%PDF-1.7\n% an approved version, as far as the registry is concerned\n" + b"x" * 5000


@pytest.fixture
def ws(tmp_path):  # noqa: ANN001, ANN201
    ws = init_test_workspace(tmp_path / "ws")
    av = ApprovedVersion(
        document=DocumentKind.CONVENANT, version="1.0", source_sha256=Sha256.of(b"source"),
        approved_sha256=Sha256.of(PDF), approved_size=len(PDF), decided_on=date(2026, 11, 2),
        approved_at=datetime.now(timezone.utc), approver_fingerprint="ab" * 32,
    )
    with Registry.open(ws.config.database_url) as reg:
        reg.add_approved_version(av, PDF, actor="secretariaat", actor_certificate=None)
        reg.put_blob(b"another stored file", actor="secretariaat")
    return ws


def _db(ws):  # noqa: ANN001, ANN202
    path = ws.root / "zvhsign.db"
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything in the main file
    return path, con


def run(ws, *args: str):  # noqa: ANN001, ANN201
    return CliRunner().invoke(cli, ["--workspace", str(ws.root), *args], catch_exceptions=False)


def test_log_verify_of_an_untouched_registry_rehashes_and_passes(ws) -> None:  # noqa: ANN001
    res = run(ws, "log", "verify", "--offline")
    assert res.exit_code == 0, res.output
    assert "audit log intact" in res.output
    assert "stored files: 2 re-hashed, verified; database integrity check passed" in res.output
    data = json.loads(run(ws, "log", "verify", "--offline", "--json").output)
    assert data["intact"] is True
    assert data["storage"] == {"intact": True, "blobs": 2, "database_integrity_checked": True,
                               "problems": [], "notes": []}


def test_log_verify_said_intact_with_a_flipped_bit_in_a_stored_approved_pdf(ws) -> None:  # noqa: ANN001
    _path, con = _db(ws)
    flipped = bytearray(PDF)
    flipped[100] ^= 0x04  # one bit
    with con:
        con.execute("UPDATE blobs SET data = ? WHERE sha256 = ?", (bytes(flipped), Sha256.of(PDF).hex))
    con.close()
    res = run(ws, "log", "verify", "--offline")
    assert res.exit_code == 1, res.output
    assert "NOT intact" in res.output
    fail = [line for line in res.output.splitlines() if line.startswith("FAIL")]
    assert len(fail) == 1, res.output
    assert "blob-altered" in fail[0] and "approved PDF of convenant 1.0" in fail[0]
    assert Sha256.of(PDF).hex[:16] in fail[0]
    check = log_verify(ws, online=False)
    assert not check.intact and not check.problems  # the chain itself is fine
    (problem,) = check.storage.problems
    assert problem.kind == "blob-altered" and problem.object.startswith("approved PDF of convenant 1.0")


def test_log_verify_names_a_truncated_stored_file_and_a_missing_one(ws) -> None:  # noqa: ANN001
    _path, con = _db(ws)
    with con:
        con.execute("PRAGMA foreign_keys = OFF")
        con.execute("UPDATE blobs SET data = substr(data, 1, 10) WHERE sha256 = ?",
                    (Sha256.of(b"another stored file").hex,))
    con.close()
    res = run(ws, "log", "verify", "--offline", "--json")
    assert res.exit_code == 1
    kinds = [(p["kind"], p["object"]) for p in json.loads(res.output)["storage"]["problems"]]
    assert kinds == [("blob-altered", f"stored file (sha256 {Sha256.of(b'another stored file').hex[:16]}…)")]

    _path, con = _db(ws)
    con.execute("PRAGMA foreign_keys = OFF")
    with con:
        con.execute("DELETE FROM blobs WHERE sha256 = ?", (Sha256.of(PDF).hex,))
    con.close()
    res = run(ws, "log", "verify", "--offline")
    assert res.exit_code == 1
    assert "blob-missing: approved PDF of convenant 1.0" in res.output


def test_log_verify_said_intact_when_sqlites_integrity_check_failed(ws) -> None:  # noqa: ANN001
    path, con = _db(ws)
    page_size = con.execute("PRAGMA page_size").fetchone()[0]
    (root,) = con.execute(
        "SELECT rootpage FROM sqlite_master WHERE name = 'ix_approved_versions_approved_size'"
    ).fetchone()
    con.close()
    data = bytearray(path.read_bytes())
    data[page_size * root - 3] ^= 0x01  # a byte of the index entry: the table and its index disagree
    path.write_bytes(bytes(data))
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA integrity_check").fetchall() != [("ok",)]
    con.close()

    res = run(ws, "log", "verify", "--offline")
    assert res.exit_code == 1, res.output
    assert "NOT intact" in res.output
    assert "database-integrity: the registry database: SQLite integrity check:" in res.output
    assert "ix_approved_versions_approved_size" in res.output
    assert "database integrity check FAILED" in res.output


def test_verify_record_refuses_a_registry_whose_evidence_does_not_verify(tmp_path, passphrase,
                                                                         approved_workspace_factory):
    """verify --record adds evidence only to a registry whose own stored files verify."""

    import pytest

    from zvhsign.errors import RegistryError
    from zvhsign.services.operations import verify
    from zvhsign.services.registry_access import open_registry

    a = approved_workspace_factory(tmp_path, passphrase)
    av = a.versions[next(iter(a.versions))]
    reg = open_registry(a.ws)


    db = reg.url.removeprefix("sqlite:///")
    with sqlite3.connect(db) as conn:  # a flipped bit in the stored approved PDF
        (data,) = conn.execute("SELECT data FROM blobs WHERE sha256 = ?", (av.approved_sha256.hex,)).fetchone()
        bad = bytearray(data)
        bad[100] ^= 0x01
        conn.execute("UPDATE blobs SET data = ? WHERE sha256 = ?", (bytes(bad), av.approved_sha256.hex))
    with pytest.raises(RegistryError, match="not recorded"):
        verify(a.ws, [a.convenant], record=True)


@pytest.mark.parametrize("column, value, says", [
    ("decided_on", "2020-01-01", "its decided_on is 2020-01-01, the audit log says 2026-11-02"),
    ("version", "9.9", "its version is 9.9, the audit log says 1.0"),
    ("superseded_by", "2.0", "its superseded_by is 2.0, the audit log says None"),
    ("source_sha256", "00" * 32, "its source_sha256 is 0000"),
])
def test_log_verify_names_an_approved_version_row_changed_in_the_database(ws, column, value, says) -> None:  # noqa: ANN001
    """A row changed in the database left the hash chain intact (it covers the events, not the
    rows) while `versions`, `verify` and the report used the forged value (QA): each approved
    version's row is compared with the event that registered it."""
    path, con = _db(ws)
    with con:
        con.execute(f"UPDATE approved_versions SET {column} = ?", (value,))
    con.close()
    res = run(ws, "log", "verify", "--offline")
    assert res.exit_code == 1, res.output
    line = next(x for x in res.output.splitlines() if x.startswith("FAIL registry-row-altered"))
    assert "approved version convenant" in line and says in line, res.output
    assert "audit log NOT intact" in res.output


def test_log_verify_names_an_approved_version_no_event_registered(ws) -> None:  # noqa: ANN001
    path, con = _db(ws)
    with con:
        con.execute("UPDATE audit_events SET action = 'renamed' WHERE action = 'approve'")
    con.close()
    res = run(ws, "log", "verify", "--offline", "--json")
    kinds = {p["kind"] for p in json.loads(res.output)["storage"]["problems"]}
    assert "registry-row-unlogged" in kinds  # (and the chain names the altered event)
