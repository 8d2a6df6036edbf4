"""``zvhsign log show|verify|anchor`` on a real workspace; tampering gives exit 1."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from zvhsign.cli.main import cli
from zvhsign.registry import Registry
from zvhsign.services.setup import init_test_workspace


@pytest.fixture
def ws(tmp_path):  # noqa: ANN001, ANN201
    ws = init_test_workspace(tmp_path / "ws")
    with Registry.open(ws.config.database_url) as reg:
        for who in ("Gemeente Haarlem", "Openbaar Ministerie", "Veilig Thuis"):
            reg.append_event("record-copy", "convenant 1.0", actor="secretariaat", details={"partner": who})
    return ws


def run(ws, *args: str):  # noqa: ANN001, ANN201
    return CliRunner().invoke(cli, ["--workspace", str(ws.root), *args], catch_exceptions=False)


def sql(ws, statement: str) -> None:  # noqa: ANN001
    engine = sa.create_engine(ws.config.database_url)
    with engine.begin() as conn:
        conn.execute(sa.text(statement))
    engine.dispose()


def test_show_lists_every_event(ws) -> None:  # noqa: ANN001
    res = run(ws, "log", "show")
    assert res.exit_code == 0, res.output
    assert "#1" in res.output and "init" in res.output and "4 event(s)" in res.output
    data = json.loads(run(ws, "log", "show", "--json").output)
    assert data["schema"] == "zvhsign.log/1"
    assert [e["seq"] for e in data["events"]] == [1, 2, 3, 4]
    assert data["events"][2]["details"] == {"partner": "Openbaar Ministerie"}
    assert data["events"][1]["prev_hash"] == data["events"][0]["hash"]


def test_verify_intact_log_exits_0(ws) -> None:  # noqa: ANN001
    res = run(ws, "log", "verify")
    assert res.exit_code == 0, res.output
    assert "audit log intact: 4 event(s), 0 anchor(s)" in res.output
    assert "never anchored" in res.output


@pytest.mark.parametrize(
    "tamper, kind",
    [
        ("UPDATE audit_events SET subject = 'protocol 1.0' WHERE seq = 2", "altered"),
        ("DELETE FROM audit_events WHERE seq = 3", "deleted"),
        (
            "INSERT INTO audit_events (seq, at, actor, actor_certificate, action, subject, "
            "object_sha256s, details, prev_hash, hash) SELECT 5, at, 'mallory', NULL, action, "
            "subject, object_sha256s, details, hash, hash FROM audit_events WHERE seq = 4",
            "inserted",
        ),
        (
            "UPDATE audit_events SET seq = 100 WHERE seq = 2;"
            "UPDATE audit_events SET seq = 2 WHERE seq = 3;"
            "UPDATE audit_events SET seq = 3 WHERE seq = 100",
            "reordered",
        ),
    ],
    ids=["updated", "deleted", "inserted", "swapped"],
)
def test_verify_tampered_log_exits_1(ws, tamper: str, kind: str) -> None:  # noqa: ANN001
    for statement in tamper.split(";"):
        sql(ws, statement)
    res = run(ws, "log", "verify")
    assert res.exit_code == 1, res.output
    assert f"FAIL {kind}:" in res.output
    assert "NOT intact" in res.output
    data = json.loads(run(ws, "log", "verify", "--json").output)
    assert data["intact"] is False and kind in {p["kind"] for p in data["problems"]}


def test_anchor_then_verify(ws) -> None:  # noqa: ANN001
    res = run(ws, "log", "anchor")
    assert res.exit_code == 0, res.output
    assert "anchored event #4" in res.output and "stored as event #5" in res.output
    res = run(ws, "log", "verify")
    assert res.exit_code == 0, res.output
    assert "1 anchor(s); last anchor #5 over event #4" in res.output


def test_anchor_of_a_tampered_log_is_refused(ws) -> None:  # noqa: ANN001
    sql(ws, "UPDATE audit_events SET actor = 'mallory' WHERE seq = 2")
    res = run(ws, "log", "anchor")
    assert res.exit_code == 1
    assert "does not verify" in res.output and "Traceback" not in res.output
