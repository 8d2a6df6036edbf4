"""No output is written over what can't be got back: an input copy, the workspace's own files
(registry database, configuration), or -- for what a command makes of a document (a signed
copy, an approved or stamped version, a mandate) -- any existing file. Refused before any work,
exit 2, nothing changed. (`verify --etsi-report` replaced a signed copy with XML, and
`report -o zvhsign.db` the registry, with exit 0; `sign -o` replaced an earlier signed copy or
the kit's approved copy without a word.)"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from zvhsign.cli import cli
from zvhsign.testpki import TEST_PASSPHRASE, certs_dir

P12 = certs_dir() / "out"


def _run(ws_root: Path, *args: str):
    return CliRunner().invoke(cli, ["-w", str(ws_root), *args],
                              env={"ZVHSIGN_PASSPHRASE": TEST_PASSPHRASE, "ZVHSIGN_LANG": "en"})


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture()
def ws(approved, tmp_path):
    """A private copy of the approved workspace (its registry is written over in the failure)."""
    from tests.conftest import copy_workspace

    return copy_workspace(approved.ws.root, tmp_path / "ws")


def test_etsi_report_over_an_input_copy_is_refused(approved, signed_convenant, tmp_path):
    copy = tmp_path / "copy.pdf"
    shutil.copyfile(signed_convenant, copy)
    before = _digest(copy)
    r = _run(approved.ws.root, "verify", "--etsi-report", str(copy), str(copy))
    assert r.exit_code == 2 and "is the input file" in r.output, r.output
    assert _digest(copy) == before


@pytest.mark.parametrize("own", ["zvhsign.db", "zvhsign.toml", "trust/zvh-root.cert.pem"])
def test_no_output_over_the_workspaces_own_files(ws, signed_convenant, own):
    target = ws / own
    before = _digest(target)
    for args in (["verify", "--etsi-report", str(target), str(signed_convenant)],
                 ["report", "-f", "json", "-o", str(target), str(signed_convenant)]):
        r = _run(ws, *args)
        assert r.exit_code == 2, r.output
        assert "one of the workspace's own files" in r.output, r.output
        assert _digest(target) == before
    assert _run(ws, "log", "verify").exit_code == 0  # the registry is whole


def test_sign_does_not_replace_an_existing_file(approved, tmp_path):
    kept = tmp_path / "convenant-getekend.pdf"
    kept.write_bytes(b"an earlier signed copy")
    r = _run(approved.ws.root, "sign", str(approved.convenant), "--key", str(P12 / "om.p12"),
             "-o", str(kept), "--yes")
    assert r.exit_code == 2 and "already exists" in r.output, r.output
    assert kept.read_bytes() == b"an earlier signed copy"
    # --dry-run writes nothing, so an existing name is no reason to refuse it
    r = _run(approved.ws.root, "sign", str(approved.convenant), "--key", str(P12 / "om.p12"),
             "-o", str(kept), "--dry-run")
    assert r.exit_code == 0, r.output


def test_stamp_approve_and_mandate_draft_do_not_replace_an_existing_file(ws, tmp_path):
    kept = tmp_path / "kept.pdf"
    kept.write_bytes(b"kept")
    src = Path(__file__).resolve().parents[2] / "fixtures" / "privacyprotocol-1.0.pdf"
    for args in (
        ["stamp", str(src), "-d", "protocol", "-v", "9.0", "-o", str(kept)],
        ["mandate", "draft", "--gemeente", "Haarlem", "--burgemeester", "Willemijn Bosschaart",
         "--date", "2026-11-10", "-o", str(kept)],
    ):
        r = _run(ws, *args)
        assert r.exit_code == 2 and "already exists" in r.output, (args, r.output)
        assert kept.read_bytes() == b"kept"
    stamped = tmp_path / "stamped.pdf"
    assert _run(ws, "stamp", str(src), "-d", "protocol", "-v", "9.0", "-o", str(stamped)).exit_code == 0
    r = _run(ws, "approve", str(stamped), "--key", str(P12 / "secretariaat.p12"), "--decided-on", "2026-11-20",
             "-o", str(kept))
    assert r.exit_code == 2 and "already exists" in r.output, r.output
    assert kept.read_bytes() == b"kept"
