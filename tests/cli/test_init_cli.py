"""``zvhsign init``: everything checked before anything is written; a failure part-way removes
what this init made (never what was there before), so running it again works; and ``init DIR``
on a workspace whose registry was deleted creates the registry (the hint other commands give)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from zvhsign.cli.main import cli
from zvhsign.testpki import certs_dir

EXE = str(Path(sys.executable).with_name("zvhsign"))
UNREACHABLE_PG = "postgresql+psycopg://postgres@127.0.0.1:1/x"


def init(*args):
    return CliRunner().invoke(cli, ["init", *map(str, args)])


def in_folder(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_a_bad_database_url_writes_nothing_and_init_can_be_run_again(tmp_path):
    ws = tmp_path / "ws"
    res = init(ws, "--test-pki", "--database-url", "not a url")
    assert res.exit_code == 2, res.output
    assert "not a database URL" in res.output
    assert not ws.exists()
    res = init(ws, "--test-pki")
    assert res.exit_code == 0, res.output
    assert in_folder(ws) == ["trust", "zvhsign.db", "zvhsign.toml"]


def test_an_unsupported_database_is_named_with_the_ones_supported(tmp_path):
    ws = tmp_path / "ws"
    res = init(ws, "--test-pki", "--database-url", "mysql://x")
    assert res.exit_code == 2, res.output
    assert "unsupported database 'mysql'" in res.output
    assert "SQLite" in res.output and "PostgreSQL" in res.output
    assert "install" not in res.output  # no PostgreSQL driver advice for a MySQL URL
    assert not ws.exists()


def test_an_unreachable_database_writes_nothing_and_says_one_thing(tmp_path):
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "notes.txt").write_text("mine")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZVHSIGN_")}
    r = subprocess.run([EXE, "init", str(ws), "--test-pki", "--database-url", UNREACHABLE_PG],
                       capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 3, r.stderr
    assert r.stderr.startswith("zvhsign: error: can't connect to the registry database"), r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.splitlines()) == 2, r.stderr  # the line and its hint
    assert in_folder(ws) == ["notes.txt"]
    assert init(ws, "--test-pki").exit_code == 0  # the retry works


def test_a_failure_part_way_removes_only_what_init_made(tmp_path):
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "notes.txt").write_text("mine")
    # a folder where SQLite wants its write-ahead log: the registry can't be created, after
    # trust/ and zvhsign.toml were written (every check before writing passes)
    (ws / "zvhsign.db-wal").mkdir()
    res = init(ws, "--test-pki")
    assert res.exit_code == 3, res.output
    assert "Traceback" not in res.output
    assert in_folder(ws) == ["notes.txt", "zvhsign.db-wal"]  # the folder as it was
    assert (ws / "notes.txt").read_text() == "mine"
    (ws / "zvhsign.db-wal").rmdir()
    res = init(ws, "--test-pki")
    assert res.exit_code == 0, res.output
    assert in_folder(ws) == ["notes.txt", "trust", "zvhsign.db", "zvhsign.toml"]


def test_a_file_already_in_trust_is_not_replaced(tmp_path):
    ws = tmp_path / "ws"
    (ws / "trust").mkdir(parents=True)
    (ws / "trust" / "zvh-ca.cert.pem").write_text("someone else's")
    res = init(ws, "--test-pki")
    assert res.exit_code == 2, res.output
    assert "already exists with other content" in res.output
    assert in_folder(ws) == ["trust"] and in_folder(ws / "trust") == ["zvh-ca.cert.pem"]
    assert (ws / "trust" / "zvh-ca.cert.pem").read_text() == "someone else's"
    # the same certificate already there is fine, and stays
    (ws / "trust" / "zvh-ca.cert.pem").write_bytes((certs_dir() / "out" / "zvh-ca.cert.pem").read_bytes())
    assert init(ws, "--test-pki").exit_code == 0


def test_init_creates_the_registry_of_a_workspace_that_lost_it(tmp_path):
    ws = tmp_path / "ws"
    assert init(ws, "--test-pki").exit_code == 0
    for p in ws.glob("zvhsign.db*"):
        p.unlink()
    res = CliRunner().invoke(cli, ["-w", str(ws), "versions"])
    assert res.exit_code == 3, res.output
    assert "no registry database" in res.output and "zvhsign init DIR" in res.output  # the hint ...

    res = init(ws)  # ... is true: init on the workspace folder, without options
    assert res.exit_code == 0, res.output
    assert "registry created" in res.output and "new and empty" in res.output
    assert (ws / "zvhsign.db").is_file()
    assert CliRunner().invoke(cli, ["-w", str(ws), "versions"]).exit_code == 0
    log = CliRunner().invoke(cli, ["-w", str(ws), "log", "show"])
    assert log.exit_code == 0 and "init" in log.output, log.output

    res = init(ws)  # it has one now
    assert res.exit_code == 2 and "already a workspace" in res.output and "with its registry" in res.output
    res = init(ws, "--test-pki")  # new settings are not init's to make on an existing workspace
    assert res.exit_code == 2 and "already a workspace" in res.output, res.output
    assert "without options" in res.output
