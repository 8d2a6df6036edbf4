"""Changed trust settings show in the audit log: swapping a certificate file in
``trust/`` or editing the TSA in ``zvhsign.toml`` is logged as a ``config`` event
by the next command, once (real SQLite registry, real certificate files)."""

from __future__ import annotations

import json
import shutil

from click.testing import CliRunner

from zvhsign.cli import cli
from zvhsign.testpki import certs_dir


def events(ws) -> list[dict]:
    out = CliRunner().invoke(cli, ["-w", str(ws), "log", "show", "--json"]).stdout
    data = json.loads(out)
    return data["events"] if isinstance(data, dict) else data


def test_trust_changes_are_logged_once_each(tmp_path):
    run = CliRunner()
    ws = tmp_path / "ws"
    assert run.invoke(cli, ["init", str(ws), "--test-pki"]).exit_code == 0
    (init,) = events(ws)
    assert init["action"] == "init" and len(init["details"]["trust_sha256"]) == 64
    root_fp = init["details"]["trust_roots"]

    # commands on an unchanged workspace log nothing
    assert run.invoke(cli, ["-w", str(ws), "versions"]).exit_code == 0
    assert len(events(ws)) == 1

    # someone swaps the trust root file for another CA's certificate
    shutil.copyfile(certs_dir() / "out" / "rogue-root.cert.pem", ws / "trust" / "zvh-root.cert.pem")
    assert run.invoke(cli, ["-w", str(ws), "versions"]).exit_code == 0
    ev = events(ws)
    assert [e["action"] for e in ev] == ["init", "config"]
    change = ev[1]["details"]
    assert ev[1]["subject"] == "trust settings changed"
    assert change["trust_roots"] != root_fp
    (new_root,) = change["trust_roots"]
    assert "Rogue Test Root CA" in change["subjects"][new_root]
    assert change["previous_trust_sha256"] == init["details"]["trust_sha256"]

    # an edited TSA is a change too; the same settings again are not
    cfg = ws / "zvhsign.toml"
    cfg.write_text(cfg.read_text().replace("/tsa/tsa\"", "/tsa/tsa-2\""))
    for _ in range(2):
        assert run.invoke(cli, ["-w", str(ws), "versions"]).exit_code == 0
    ev = events(ws)
    assert [e["action"] for e in ev] == ["init", "config", "config"]
    assert ev[2]["details"]["tsa_url"].endswith("/tsa/tsa-2")
    assert run.invoke(cli, ["-w", str(ws), "log", "verify"]).exit_code == 0
