"""The partner kit (``zvhsign kit``): a partner signs in the kit folder, without the
secretariat's registry, and the secretariat's verify accepts the result. Real
registries (SQLite), real signatures (test PKI over HTTP on 127.0.0.1)."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from zvhsign.cli import cli
from zvhsign.errors import UsageError
from zvhsign.services.kit import README_NAME, export_kit
from zvhsign.services.operations import verify
from zvhsign.services.signing import sign
from zvhsign.services.workspace import load_workspace

_spec = importlib.util.spec_from_file_location(
    "zvh_tests_conftest_kit", Path(__file__).resolve().parents[1] / "conftest.py"
)
shared = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = shared
_spec.loader.exec_module(shared)


@pytest.fixture(scope="module")
def secretariat(tmp_path_factory, passphrase):
    return shared.make_approved_workspace(tmp_path_factory.mktemp("kit"), passphrase)


def test_partner_signs_in_the_kit_and_the_secretariat_verifies(secretariat, passphrase, tmp_path):
    kit_dir = tmp_path / "kit-om"
    result = export_kit(secretariat.ws, kit_dir)
    names = sorted(f.name for f in result.files)
    assert names == ["convenant-1.0.pdf", "protocol-1.0.pdf"]
    assert (kit_dir / "convenant-1.0.pdf").read_bytes() == secretariat.convenant.read_bytes()
    readme = (kit_dir / README_NAME).read_text(encoding="utf-8")
    assert "zvhsign sign convenant-1.0.pdf" in readme and "Acrobat" in readme
    assert not list(tmp_path.glob(".kit-om.partial-*"))

    # the partner's side: only the kit folder
    kit_ws = load_workspace(kit_dir)
    signed = kit_dir / "convenant-1.0-getekend.pdf"
    res = sign(kit_ws, kit_dir / "convenant-1.0.pdf", secretariat.key("om", passphrase), signed)
    assert res.approved is not None and res.approved.version == "1.0"

    # the secretariat's side
    (fv,) = verify(secretariat.ws, [signed]).files
    assert fv.verified, [f.to_json() for f in fv.all_findings() if f.level.blocks]

    # both logs say what happened and still verify
    run = CliRunner()
    kit_log = run.invoke(cli, ["-w", str(kit_dir), "log", "show", "--json"]).stdout
    assert kit_log.count('"import-approved"') == 2 and str(secretariat.ws.root) in kit_log
    assert run.invoke(cli, ["-w", str(kit_dir), "log", "verify"]).exit_code == 0
    src_log = run.invoke(cli, ["-w", str(secretariat.ws.root), "log", "show", "--json"]).stdout
    assert '"export-kit"' in src_log


def test_a_superseded_version_is_recorded_but_not_handed_out(tmp_path, passphrase):
    from datetime import date

    from zvhsign.domain.documents import DocumentKind
    from zvhsign.errors import RefusedError
    from zvhsign.services.operations import approve, stamp

    a = shared.make_approved_workspace(tmp_path / "src", passphrase)
    stamped = tmp_path / "stamped-1.1.pdf"
    stamp(shared.FIXTURES / "samenwerkingsconvenant-1.1.pdf", DocumentKind.CONVENANT, "1.1", stamped)
    approve(a.ws, stamped, a.key("secretariaat", passphrase), tmp_path / "convenant-1.1.pdf",
            decided_on=date(2026, 11, 20))
    result = export_kit(a.ws, tmp_path / "kit")
    assert sorted(f.name for f in result.files) == ["convenant-1.1.pdf", "protocol-1.0.pdf"]
    assert {v.label: v.superseded_by for v in result.versions}["convenant 1.0"] == "1.1"
    # an old copy a partner still has is refused in the kit, naming the current version
    old = tmp_path / "oud.pdf"
    shutil.copyfile(a.convenant, old)
    with pytest.raises(RefusedError, match="superseded by convenant 1.1"):
        sign(load_workspace(tmp_path / "kit"), old, a.key("om", passphrase), tmp_path / "x.pdf")


def test_refuses_a_non_empty_folder_and_leaves_nothing_behind(secretariat, tmp_path):
    target = tmp_path / "busy"
    target.mkdir()
    (target / "something.txt").write_text("keep me")
    with pytest.raises(UsageError, match="not an empty folder"):
        export_kit(secretariat.ws, target)
    assert [p.name for p in target.iterdir()] == ["something.txt"]
    r = CliRunner().invoke(cli, ["-w", str(secretariat.ws.root), "kit", str(target)])
    assert r.exit_code == 2 and "not an empty folder" in r.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["busy"]


def test_cli_json(secretariat, tmp_path):
    import json

    r = CliRunner().invoke(cli, ["-w", str(secretariat.ws.root), "kit", str(tmp_path / "k"), "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["schema"] == "zvhsign.kit/1" and len(out["files"]) == 2


# ------------------------------------------------------------- one zip per partner


@pytest.fixture(scope="module")
def with_partners(tmp_path_factory, passphrase):
    from zvhsign.services.governance import import_partners, write_test_pki_partners

    root = tmp_path_factory.mktemp("kit-partners")
    a = shared.make_approved_workspace(root, passphrase)
    write_test_pki_partners(root / "partners.toml", shared.CERTS)
    import_partners(a.ws, root / "partners.toml")
    return a


def test_cli_writes_one_zip_per_partner_named_after_it(with_partners, tmp_path):
    import json
    import zipfile

    r = CliRunner().invoke(cli, ["-w", str(with_partners.ws.root), "kit", "-o", str(tmp_path), "--json"])
    assert r.exit_code == 0, r.output
    kits = json.loads(r.stdout)["kits"]
    keys = ["ggz", "haarlem", "om", "politie", "reclassering", "rvdk", "zandvoort"]
    assert [k["partner"] for k in kits] == keys
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"kit-{k}.zip" for k in keys]  # nothing else left
    with zipfile.ZipFile(tmp_path / "kit-om.zip") as z:
        assert {n.split("/")[0] for n in z.namelist()} == {"kit-om"}
        readme = z.read("kit-om/LEESMIJ.txt").decode("utf-8")
        wheel = next(n for n in z.namelist() if n.endswith(".whl"))
        assert wheel.startswith("kit-om/zvhsign-") and wheel.endswith("-py3-none-any.whl")
    assert "Openbaar Ministerie" in readme
    for line in ("python3.11 -m zipfile -e kit-om.zip .", "cd kit-om", "python3.11 -m venv .venv",
                 f".venv/bin/python -m pip install {wheel.split('/')[1]}",
                 ".venv/bin/zvhsign sign convenant-1.0.pdf --key mijn-certificaat.p12 -o convenant-1.0-om.pdf",
                 ".venv/bin/zvhsign sign protocol-1.0.pdf --key mijn-certificaat.p12 -o protocol-1.0-om.pdf",
                 ".venv/bin/zvhsign verify convenant-1.0-om.pdf protocol-1.0-om.pdf"):
        assert f"\n     {line}\n" in readme, line
    assert "py -3.11 -m venv .venv" in readme  # Windows too
    log = CliRunner().invoke(cli, ["-w", str(with_partners.ws.root), "log", "show", "--json"]).stdout
    assert log.count('"export-kit"') >= len(keys)


def test_cli_partner_option_and_refusals(with_partners, tmp_path):
    run = CliRunner()
    ws = str(with_partners.ws.root)
    r = run.invoke(cli, ["-w", ws, "kit", "--partner", "politie", "-o", str(tmp_path)])
    assert r.exit_code == 0, r.output
    assert "convenant-1.0-politie.pdf" in r.output
    assert [p.name for p in tmp_path.iterdir()] == ["kit-politie.zip"]
    before = (tmp_path / "kit-politie.zip").read_bytes()
    # an existing zip is never overwritten, and nothing else is written either
    r = run.invoke(cli, ["-w", ws, "kit", "-p", "om", "-p", "politie", "-o", str(tmp_path)])
    assert r.exit_code == 2 and "already exists" in r.output
    assert [p.name for p in tmp_path.iterdir()] == ["kit-politie.zip"]
    assert (tmp_path / "kit-politie.zip").read_bytes() == before
    r = run.invoke(cli, ["-w", ws, "kit", "--partner", "brandweer", "-o", str(tmp_path)])
    assert r.exit_code == 2 and "no partner 'brandweer'" in r.output and "politie" in r.output


def test_a_kit_folder_for_one_partner(with_partners, tmp_path):
    result = export_kit(with_partners.ws, tmp_path / "kit-ggz", partner="ggz")
    assert result.partner == "ggz" and result.wheel and (tmp_path / "kit-ggz" / result.wheel).is_file()
    assert result.signed_names == ("convenant-1.0-ggz.pdf", "protocol-1.0-ggz.pdf")
    readme = (tmp_path / "kit-ggz" / README_NAME).read_text(encoding="utf-8")
    assert "-o convenant-1.0-ggz.pdf" in readme and "zipfile" not in readme
    assert not (tmp_path / "kit-ggz" / "mandates").exists()  # GGZ has no mandates


def test_no_partners_registered_is_refused(secretariat, tmp_path):
    from zvhsign.services.kit import export_partner_kits

    with pytest.raises(UsageError, match="no partners registered"):
        export_partner_kits(secretariat.ws, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_kit_makes_its_output_folder_when_only_that_is_missing(with_partners, tmp_path):
    """`zvhsign kit --partner politie -o kits` (the help's example) refused a folder that was not
    there yet; a folder whose parent is missing is still refused."""
    ws = str(with_partners.ws.root)
    r = CliRunner().invoke(cli, ["-w", ws, "kit", "--partner", "politie", "-o", str(tmp_path / "kits")])
    assert r.exit_code == 0, r.output
    assert [p.name for p in (tmp_path / "kits").iterdir()] == ["kit-politie.zip"]
    r = CliRunner().invoke(cli, ["-w", ws, "kit", "-o", str(tmp_path / "no" / "kits")])
    assert r.exit_code == 2 and "does not exist" in r.output
