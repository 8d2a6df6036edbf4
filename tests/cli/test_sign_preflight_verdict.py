"""The pre-flight of `zvhsign sign` judges the would-be signature with verify's rules:
a revoked or untrusted certificate is refused before anything is written (exit 1, with the
finding's code and hint), not found out after signing."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from zvhsign.cli.main import cli
from zvhsign.testpki import TEST_PASSPHRASE, certs_dir


@pytest.mark.parametrize("label, code", [
    ("revoked-signer", "SIGNER_REVOKED"),
    ("untrusted-signer", "SIGNER_NOT_TRUSTED"),
])
def test_sign_refuses_what_verify_would_reject(approved, tmp_path, label, code):
    out = tmp_path / "getekend.pdf"
    r = CliRunner().invoke(
        cli, ["-w", str(approved.ws.root), "sign", str(approved.convenant), "--key",
              str(certs_dir() / "out" / f"{label}.p12"), "-o", str(out), "--yes"],
        env={"ZVHSIGN_PASSPHRASE": TEST_PASSPHRASE},
    )
    assert r.exit_code == 1, r.output
    # Dutch: the workspace's default [display] lang
    assert code in r.output and "verify zou deze handtekening afkeuren" in r.output
    assert "\nzvhsign: fout: " in r.output and "\n  tip: " in r.output  # the words around it Dutch too
    assert "error:" not in r.output and "hint:" not in r.output
    assert not out.exists()


def test_dry_run_shows_the_checks_verify_will_make(approved, tmp_path):
    r = CliRunner().invoke(
        cli, ["-w", str(approved.ws.root), "sign", str(approved.convenant), "--key",
              str(certs_dir() / "out" / "om.p12"), "-o", str(tmp_path / "x.pdf"), "--dry-run"],
        env={"ZVHSIGN_PASSPHRASE": TEST_PASSPHRASE},
    )
    assert r.exit_code == 0, r.output
    assert "controles" in r.output and not (tmp_path / "x.pdf").exists()


def test_mandate_draft_refuses_a_decision_date_in_the_future(approved, tmp_path):
    from datetime import date, timedelta

    future = (date.today() + timedelta(days=2)).isoformat()
    r = CliRunner().invoke(cli, ["-w", str(approved.ws.root), "mandate", "draft", "--gemeente", "Haarlem",
                                 "--burgemeester", "Willemijn Bosschaart", "--date", future,
                                 "-o", str(tmp_path / "m.pdf")])
    assert r.exit_code == 2 and f"zvhsign: fout: de besluitdatum {future} ligt in de toekomst" in r.output
    assert not (tmp_path / "m.pdf").exists()
