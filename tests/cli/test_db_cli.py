"""``zvhsign db upgrade|status``, and a database that is locked or unreachable: exit 3, one line."""

from __future__ import annotations

import sqlite3

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from zvhsign.cli.main import cli
from zvhsign.registry import Registry, _db, _migrate
from zvhsign.services.setup import init_test_workspace
from zvhsign.services.workspace import CONFIG_NAME


@pytest.fixture
def ws(tmp_path):  # noqa: ANN001, ANN201
    return init_test_workspace(tmp_path / "ws")


def run(ws, *args: str):  # noqa: ANN001, ANN201
    return CliRunner().invoke(cli, ["--workspace", str(ws.root), *args], catch_exceptions=False)


def test_status_and_upgrade_at_head(ws) -> None:  # noqa: ANN001
    res = run(ws, "db", "status")
    assert res.exit_code == 0, res.output
    assert f"revision {Registry.head_revision()}" in res.output and "1 event(s)" in res.output
    res = run(ws, "db", "upgrade")
    assert res.exit_code == 0, res.output
    assert "up to date" in res.output


def test_older_schema_is_refused_until_db_upgrade(ws) -> None:  # noqa: ANN001
    previous = _migrate.script_directory().get_revision(Registry.head_revision()).down_revision
    engine = sa.create_engine(ws.config.database_url)
    with engine.begin() as conn:
        _migrate.downgrade(conn, previous)
    engine.dispose()
    res = run(ws, "log", "show")
    assert res.exit_code == 3
    assert "older than this zvhsign" in res.output and "zvhsign db upgrade" in res.output
    res = run(ws, "db", "upgrade")
    assert res.exit_code == 0, res.output
    assert f"from revision {previous} to {Registry.head_revision()}" in res.output
    res = run(ws, "log", "verify")
    assert res.exit_code == 0, res.output
    assert "db-upgrade" in run(ws, "log", "show").output


def test_locked_database_exits_3(ws, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(_db, "BUSY_TIMEOUT_S", 1)
    path = ws.config.database_url.removeprefix("sqlite:///")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another process writing, for longer than the busy timeout
    try:
        res = run(ws, "log", "anchor")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert res.exit_code == 3, res.output
    assert "is locked by another process" in res.output
    assert "Traceback" not in res.output and len(res.output.strip().splitlines()) <= 2


def test_unreachable_database_exits_3(ws) -> None:  # noqa: ANN001
    cfg = ws.root / CONFIG_NAME
    text = cfg.read_text(encoding="utf-8")
    url = "postgresql+psycopg://zvh:geheim@127.0.0.1:1/zvhsign"
    lines = [f'url = "{url}"' if line.startswith("url = \"sqlite") else line for line in text.splitlines()]
    cfg.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = run(ws, "log", "show")
    assert res.exit_code == 3, res.output
    assert "can't connect to the registry database" in res.output
    assert "geheim" not in res.output and "Traceback" not in res.output
