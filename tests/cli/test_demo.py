"""`zvhsign demo` tells the whole story and leaves a usable workspace (issue 2's first Done-when)."""

from __future__ import annotations

import glob
import json
import os
import subprocess
import sys
from pathlib import Path


def _env() -> dict:
    return {k: v for k, v in os.environ.items() if k != "ZVHSIGN_WORKSPACE"}


def _zvhsign(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("zvhsign")
    return subprocess.run([str(exe), *args], cwd=cwd, env=_env(), capture_output=True, text=True, timeout=600)


def test_demo_verifies_everything_and_stays_usable(tmp_path):
    demo = tmp_path / "demo"
    run = _zvhsign("demo", str(demo), cwd=tmp_path)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "All signed copies verified" in run.stdout
    assert "Traceback" not in run.stderr
    # the command it suggests runs as printed, in a shell that does not find zvhsign on its PATH
    hint = run.stdout.rsplit("Try: ", 1)[1].strip()
    assert hint.startswith(f"cd {demo} && ") and hint.endswith(" verify signed/*.pdf")
    shell = subprocess.run(hint, shell=True, cwd=tmp_path, capture_output=True, text=True, timeout=600,
                           env={**_env(), "PATH": "/usr/bin:/bin"})
    assert shell.returncode == 0 and "verified" in shell.stdout, shell.stdout[-2000:] + shell.stderr[-2000:]

    signed = sorted(glob.glob(str(demo / "signed" / "*.pdf")))
    assert len(signed) >= 10
    for name in ("report.html", "report.pdf", "report.json"):
        assert (demo / name).stat().st_size > 0

    # afterwards the folder is a workspace on its own: verify from inside it
    again = _zvhsign("verify", "--json", *[Path(p).relative_to(demo).as_posix() for p in signed], cwd=demo)
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-2000:]
    batch = json.loads(again.stdout)
    assert batch["schema"] == "zvhsign.verify/1"
    assert batch["verified"] is True
    assert {f["status"] for f in batch["files"]} == {"VERIFIED"}

    log = _zvhsign("log", "verify", cwd=demo)
    assert log.returncode == 0, log.stdout + log.stderr

    # the status matrix reflects the recorded copies: mixed states in the demo
    status = _zvhsign("status", "--json", cwd=demo)
    matrix = {p["partner"]: p for p in json.loads(status.stdout)["partners"]}
    for partner in ("om", "politie", "rvdk", "ggz", "reclassering"):
        assert {d["state"] for d in matrix[partner]["documents"].values()} == {"signed"}, partner
    for town in ("haarlem", "zandvoort"):
        assert matrix[town]["documents"]["convenant"]["state"] == "signed"
        assert matrix[town]["documents"]["protocol"]["state"] == "missing"
        assert matrix[town]["mandate"]["state"] == "registered"
    assert status.returncode == 1  # not everything is signed yet: the mayors' protocols are missing

    # the demo loads the test trusted lists: every partner signature has its eIDAS qualification
    # (the Reclassering's certificate does not declare a QSCD: AdES-QC; everyone else QES)
    assert "1a. loaded the test trusted lists" in run.stdout
    for partner in ("om", "politie", "rvdk", "ggz"):
        assert {d["qualification"] for d in matrix[partner]["documents"].values()} == {"QES"}, partner
    assert {d["qualification"] for d in matrix["reclassering"]["documents"].values()} == {"AdES-QC"}
    levels = {s["qualification"]["level"] for f in batch["files"] for s in f["signatures"]
              if s["kind"] == "signature"}
    assert levels == {"QES", "AdES-QC"}

    # the partner kit is a workspace of its own, mandates included: the mayor of Haarlem
    # signs the protocol there under the College's mandate, the secretariat verifies it
    kit = demo / "kit"
    key = Path(__file__).resolve().parents[2] / "certs" / "out" / "haarlem-burgemeester.p12"
    env_pass = {"ZVHSIGN_PASSPHRASE": "zvh-test-only"}
    exe = Path(sys.executable).with_name("zvhsign")
    env = {k: v for k, v in os.environ.items() if k != "ZVHSIGN_WORKSPACE"} | env_pass
    signed_in_kit = subprocess.run(
        [str(exe), "sign", "protocol-1.0.pdf", "--key", str(key), "--yes", "--mandate",
         next(str(p.relative_to(kit)) for p in (kit / "mandates").glob("machtiging-haarlem-*.pdf")),
         "-o", "protocol-1.0-haarlem.pdf"],
        cwd=kit, env=env, capture_output=True, text=True, timeout=600,
    )
    assert signed_in_kit.returncode == 0, signed_in_kit.stdout + signed_in_kit.stderr
    judged = _zvhsign("verify", "--json", str(kit / "protocol-1.0-haarlem.pdf"), cwd=demo)
    assert judged.returncode == 0, judged.stdout[-3000:]
    (f,) = json.loads(judged.stdout)["files"]
    mayor = next(s for s in f["signatures"] if s["field"] == "ZVH_Handtekening_01")
    codes = {x["code"]: x["level"] for x in mayor["findings"]}
    assert codes["MANDATE_PRECEDES_SIGNATURE"] == "INFO" and codes["MANDATE_PRESENT"] == "INFO"


def test_demo_refuses_a_non_empty_folder(tmp_path):
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "keep.txt").write_text("mine")
    run = _zvhsign("demo", str(tmp_path / "busy"), cwd=tmp_path)
    assert run.returncode == 2
    assert "not empty" in run.stderr
    assert (tmp_path / "busy" / "keep.txt").read_text() == "mine"
