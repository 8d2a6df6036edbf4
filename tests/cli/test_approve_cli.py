"""`zvhsign stamp` and `zvhsign approve` through the CLI: what is registered, what is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from zvhsign.cli import cli
from zvhsign.domain.digests import Sha256
from zvhsign.registry import Registry

REPO = Path(__file__).resolve().parents[2]
CERTS = REPO / "certs" / "out"


@pytest.fixture()
def ws(tmp_path):
    run = CliRunner().invoke(cli, ["init", str(tmp_path / "ws"), "--test-pki"])
    assert run.exit_code == 0, run.output
    return tmp_path / "ws"


def _run(ws: Path, *args: str, env=None):
    return CliRunner().invoke(
        cli, ["--workspace", str(ws), *args],
        env={"ZVHSIGN_PASSPHRASE": "zvh-test-only", **(env or {})},
    )


def test_approve_registers_the_exact_bytes_and_the_decision_date(ws, tmp_path):
    stamped, approved = tmp_path / "s.pdf", tmp_path / "a.pdf"
    src = REPO / "fixtures" / "privacyprotocol-1.0.pdf"
    assert _run(ws, "stamp", str(src), "-d", "protocol", "-v", "1.0", "-o", str(stamped)).exit_code == 0
    run = _run(ws, "approve", str(stamped), "--key", str(CERTS / "secretariaat.p12"),
               "--decided-on", "2026-11-02", "-o", str(approved))
    assert run.exit_code == 0, run.output
    with Registry.open(f"sqlite:///{ws / 'zvhsign.db'}") as reg:
        (av,) = reg.approved_versions()
        assert av.approved_sha256 == Sha256.of_file(approved)
        assert av.source_sha256 == Sha256.of_file(src)
        assert av.decided_on.isoformat() == "2026-11-02"
        assert reg.get_blob(av.approved_sha256) == approved.read_bytes()
        assert "approve" in [e.action for e in reg.events()]
    assert approved.read_bytes().startswith(stamped.read_bytes())  # an incremental update


def test_approve_refuses_a_partner_key(ws, tmp_path):
    stamped, approved = tmp_path / "s.pdf", tmp_path / "a.pdf"
    _run(ws, "stamp", str(REPO / "fixtures" / "privacyprotocol-1.0.pdf"), "-d", "protocol", "-v", "1.0", "-o", str(stamped))
    run = _run(ws, "approve", str(stamped), "--key", str(CERTS / "om.p12"),
               "--decided-on", "2026-11-02", "-o", str(approved))
    assert run.exit_code == 1
    assert "not a secretariat certificate" in run.output
    assert not approved.exists()


def test_approve_refuses_an_unstamped_source(ws, tmp_path):
    approved = tmp_path / "a.pdf"
    run = _run(ws, "approve", str(REPO / "fixtures" / "privacyprotocol-1.0.pdf"), "--key",
               str(CERTS / "secretariaat.p12"), "--decided-on", "2026-11-02", "-o", str(approved))
    assert run.exit_code == 3
    assert "not stamped" in run.output
    assert not approved.exists()


def test_approve_with_a_wrong_passphrase_is_one_line_and_exit_3(ws, tmp_path):
    stamped, approved = tmp_path / "s.pdf", tmp_path / "a.pdf"
    _run(ws, "stamp", str(REPO / "fixtures" / "privacyprotocol-1.0.pdf"), "-d", "protocol", "-v", "1.0", "-o", str(stamped))
    run = _run(ws, "approve", str(stamped), "--key", str(CERTS / "secretariaat.p12"),
               "--decided-on", "2026-11-02", "-o", str(approved), env={"ZVHSIGN_PASSPHRASE": "fout"})
    assert run.exit_code == 3
    assert "wrong passphrase" in run.output and "Traceback" not in run.output
    assert "fout" not in run.output
    assert not approved.exists()


def test_stamp_refuses_to_overwrite_its_input(tmp_path):
    src = tmp_path / "bron.pdf"
    src.write_bytes((REPO / "fixtures" / "privacyprotocol-1.0.pdf").read_bytes())
    before = src.read_bytes()
    run = CliRunner().invoke(cli, ["stamp", str(src), "-d", "protocol", "-v", "1.0", "-o", str(src)])
    assert run.exit_code == 2
    assert src.read_bytes() == before


def test_stamp_rejects_a_bad_version_label(tmp_path):
    run = CliRunner().invoke(cli, ["stamp", str(REPO / "fixtures" / "privacyprotocol-1.0.pdf"),
                                   "-d", "protocol", "-v", "één", "-o", str(tmp_path / "x.pdf")])
    assert run.exit_code == 2
    assert "version" in run.output


def test_approving_a_higher_version_supersedes_and_versions_lists_it(tmp_path):
    """approve 1.1 supersedes 1.0, `versions` shows it; approving a lower version
    after a higher one is refused before anything is signed."""
    import json

    run = CliRunner()
    ws = tmp_path / "ws"
    assert run.invoke(cli, ["init", str(ws), "--test-pki"]).exit_code == 0
    fixtures = Path(__file__).resolve().parents[2] / "fixtures"
    key = Path(__file__).resolve().parents[2] / "certs" / "out" / "secretariaat.p12"
    env = {"ZVHSIGN_PASSPHRASE": "zvh-test-only"}
    for v, text in (("1.0", "1.0"), ("1.1", "1.1"), ("1.0.1", "1.0")):
        r = run.invoke(cli, ["stamp", str(fixtures / f"samenwerkingsconvenant-{text}.pdf"), "-d", "convenant",
                             "-v", v, "-o", str(tmp_path / f"s-{v}.pdf")])
        assert r.exit_code == 0, r.output
    common = ["-w", str(ws), "approve", "--key", str(key), "--decided-on", "2026-11-02"]

    def approve(v):
        return run.invoke(cli, [*common, str(tmp_path / f"s-{v}.pdf"), "-o", str(tmp_path / f"a-{v}.pdf")], env=env)

    assert approve("1.0").exit_code == 0
    r = approve("1.1")
    assert r.exit_code == 0, r.output
    assert "supersedes convenant 1.0" in r.output
    r = approve("1.0.1")
    assert r.exit_code == 2 and "convenant 1.1 is already approved" in r.output
    assert not (tmp_path / "a-1.0.1.pdf").exists()
    listed = json.loads(run.invoke(cli, ["-w", str(ws), "versions", "--json"]).stdout)["versions"]
    assert [(v["version"], v["superseded_by"]) for v in listed] == [("1.0", "1.1"), ("1.1", None)]
    table = run.invoke(cli, ["-w", str(ws), "versions"]).output
    assert "superseded by 1.1" in table and "current" in table
    log = run.invoke(cli, ["-w", str(ws), "log", "show", "--json"]).stdout
    assert '"supersede"' in log


def _stamp(ws: Path, tmp_path: Path, version: str, source: str = "privacyprotocol-1.0.pdf") -> Path:
    stamped = tmp_path / f"s-{version}.pdf"
    run = _run(ws, "stamp", str(REPO / "fixtures" / source), "-d", "protocol", "-v", version, "-o", str(stamped))
    assert run.exit_code == 0, run.output
    return stamped


def _approved_versions(ws: Path) -> list[str]:
    with Registry.open(f"sqlite:///{ws / 'zvhsign.db'}") as reg:
        return [a.version for a in reg.approved_versions()]


def test_approve_refuses_a_decision_date_in_the_future(ws, tmp_path):
    from datetime import date, timedelta

    future = (date.today() + timedelta(days=2)).isoformat()
    run = _run(ws, "approve", str(_stamp(ws, tmp_path, "1.0")), "--key", str(CERTS / "secretariaat.p12"),
               "--decided-on", future, "-o", str(tmp_path / "a.pdf"))
    assert run.exit_code == 2 and f"the decision date {future} lies in the future" in run.output, run.output
    assert _approved_versions(ws) == [] and not (tmp_path / "a.pdf").exists()


def test_approve_refuses_the_same_text_again_and_a_decision_before_its_predecessor(ws, tmp_path):
    key = ("--key", str(CERTS / "secretariaat.p12"))
    run = _run(ws, "approve", str(_stamp(ws, tmp_path, "1.0")), *key, "--decided-on", "2026-11-02",
               "-o", str(tmp_path / "a10.pdf"))
    assert run.exit_code == 0, run.output
    # the same source stamped as 1.1: approving it would supersede 1.0 and make every partner sign again
    run = _run(ws, "approve", str(_stamp(ws, tmp_path, "1.1")), *key, "--decided-on", "2026-11-20",
               "-o", str(tmp_path / "a11.pdf"))
    assert run.exit_code == 2 and "protocol 1.0 has the same text" in run.output, run.output
    # another text (the covenant's, as a stand-in), decided before the version it would supersede
    run = _run(ws, "approve", str(_stamp(ws, tmp_path, "1.2", "samenwerkingsconvenant-1.0.pdf")), *key,
               "--decided-on", "2026-10-01", "-o", str(tmp_path / "a12.pdf"))
    assert run.exit_code == 2 and "lies before that of protocol 1.0 (2026-11-02)" in run.output, run.output
    assert _approved_versions(ws) == ["1.0"]
    assert not (tmp_path / "a11.pdf").exists() and not (tmp_path / "a12.pdf").exists()
