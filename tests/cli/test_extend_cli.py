"""``zvhsign extend`` through the CLI: summary line, --json, -o, exit codes."""

from __future__ import annotations

import json
import shutil

from click.testing import CliRunner

from zvhsign.cli.main import cli


def invoke(ws, *args):
    return CliRunner().invoke(cli, ["-w", str(ws.root), "extend", *map(str, args)])


def test_many_files_json_and_exit_1_for_a_refusal(approved, signed_convenant, tmp_path):
    good = tmp_path / "good.pdf"
    shutil.copyfile(signed_convenant, good)
    not_lta = tmp_path / "approved.pdf"
    shutil.copyfile(approved.convenant, not_lta)
    result = invoke(approved.ws, "--json", good, not_lta)
    assert result.exit_code == 1, result.output
    doc = json.loads(result.stdout)
    assert doc["schema"] == "zvhsign.extend/1" and doc["extended"] is False
    by_path = {f["path"]: f for f in doc["files"]}
    assert by_path[str(good)]["status"] == "extended"
    assert by_path[str(good)]["document_timestamps"] == 2
    assert by_path[str(not_lta)]["status"] == "refused"


def test_table_summary_and_output_dir(approved, signed_convenant, tmp_path):
    out = tmp_path / "renewed"
    out.mkdir()
    result = invoke(approved.ws, "-o", out, signed_convenant)
    assert result.exit_code == 0, result.output
    assert f"OK   {signed_convenant}: archive timestamp 2 added" in result.stdout
    assert "1 file(s): 1 extended, 0 refused, 0 could not be extended" in result.stdout
    assert (out / signed_convenant.name).exists()


def test_help_has_an_example():
    result = CliRunner().invoke(cli, ["extend", "--help"])
    assert result.exit_code == 0 and "zvhsign extend signed/*.pdf" in result.stdout


def test_in_place_keeps_the_files_permissions(approved, signed_convenant, tmp_path):
    copy = tmp_path / "shared.pdf"
    shutil.copyfile(signed_convenant, copy)
    copy.chmod(0o644)  # readable by the colleagues who verify it
    result = invoke(approved.ws, copy)
    assert result.exit_code == 0, result.output
    assert copy.read_bytes().startswith(signed_convenant.read_bytes())  # really extended
    assert oct(copy.stat().st_mode & 0o7777) == oct(0o644)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shared.pdf"]  # no temporary file left


def test_in_place_through_a_symlink_extends_its_target_and_keeps_the_link(approved, signed_convenant, tmp_path):
    archive = tmp_path / "archive"
    archive.mkdir()
    target = archive / "convenant-om.pdf"
    shutil.copyfile(signed_convenant, target)
    target.chmod(0o640)
    link = tmp_path / "current.pdf"
    link.symlink_to(target)
    result = invoke(approved.ws, link)
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and link.resolve() == target.resolve()  # still the link, to the same file
    extended = target.read_bytes()
    assert len(extended) > signed_convenant.stat().st_size and extended.startswith(signed_convenant.read_bytes())
    assert oct(target.stat().st_mode & 0o7777) == oct(0o640)
    assert sorted(p.name for p in archive.iterdir()) == ["convenant-om.pdf"]  # rewritten in its own folder
    assert sorted(p.name for p in tmp_path.iterdir()) == ["archive", "current.pdf"]
