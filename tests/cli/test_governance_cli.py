"""``zvhsign partner|signatory|mandate|status`` through the real CLI (click runner, real SQLite)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from zvhsign.cli.main import cli
from zvhsign.testpki import certs_dir


@pytest.fixture
def ws(tmp_path):
    from zvhsign.services.setup import init_test_workspace

    return init_test_workspace(tmp_path / "ws")


def run(ws, *args):
    return CliRunner().invoke(cli, ["--workspace", str(ws.root), *args])


def test_import_list_show_and_status_json(ws, tmp_path):
    from zvhsign.services.governance import write_test_pki_partners

    write_test_pki_partners(tmp_path / "partners.toml", certs_dir() / "out")
    r = run(ws, "partner", "import", str(tmp_path / "partners.toml"))
    assert r.exit_code == 0, r.output
    assert "imported 7 partner(s) and 9 signatory(ies)" in r.output
    again = run(ws, "partner", "import", str(tmp_path / "partners.toml"))
    assert "imported 0 partner(s)" in again.output and "skipped partner haarlem" in again.output

    listed = json.loads(run(ws, "partner", "list", "--json").output)
    assert {p["key"] for p in listed} == {"haarlem", "zandvoort", "om", "politie", "rvdk", "ggz", "reclassering"}
    shown = run(ws, "partner", "show", "Haarlem")
    assert "Ruud Verhoeven — gemeentesecretaris" in shown.output

    st = run(ws, "status", "--json")
    assert st.exit_code == 1  # nothing signed yet
    doc = json.loads(st.output)
    haarlem = next(p for p in doc["partners"] if p["partner"] == "haarlem")
    assert haarlem["documents"]["convenant"]["state"] == "missing"
    assert haarlem["mandate"]["state"] == "missing"
    om = next(p for p in doc["partners"] if p["partner"] == "om")
    assert om["mandate"]["state"] == "n/a"


def test_csv_import_and_signatory_add(ws, tmp_path):
    cert = certs_dir() / "out" / "om.cert.pem"
    (tmp_path / "p.csv").write_text(
        "partner_key,partner_name,kind,oin,kvk,signing_roles,signatory_name,role,certificate,fingerprint\n"
        f"om,Openbaar Ministerie,om,,90000044,,Saskia Terpstra,hoofdofficier van justitie,{cert},\n"
        "vt,Veilig Thuis Kennemerland,veilig-thuis,,,directeur;manager,,,,\n",
        encoding="utf-8",
    )
    r = run(ws, "partner", "import", str(tmp_path / "p.csv"))
    assert r.exit_code == 0, r.output
    r = run(ws, "signatory", "add", "vt", "--name", "Piet Manager", "--role", "manager", "--fingerprint", "AB:" * 31 + "AB")
    assert r.exit_code == 0, r.output
    out = run(ws, "signatory", "list").output
    assert "Saskia Terpstra" in out and "Piet Manager" in out and "signs" in out


def test_usage_errors_are_one_line(ws):
    r = run(ws, "partner", "add", "x", "--name", "X", "--kind", "ministerie")
    assert r.exit_code == 2 and "unknown partner kind" in r.output and "Traceback" not in r.output
    r = run(ws, "mandate", "draft", "--gemeente", "Nergens", "--burgemeester", "A", "--date", "2026-11-10", "-o", "x.pdf")
    assert r.exit_code == 2 and "zvhsign: fout: er is geen partner 'Nergens'\n" in r.output  # a Dutch workspace


@pytest.mark.parametrize("cmd", [["partner", "import"], ["signatory", "add"], ["mandate", "draft"],
                                 ["mandate", "register"], ["status"], ["sign"], ["verify"]])
def test_help_has_an_example(cmd):
    r = CliRunner().invoke(cli, [*cmd, "--help"])
    assert r.exit_code == 0 and "Example" in r.output


def test_sign_with_an_unregistered_mandate_is_refused(ws, tmp_path):
    fake = tmp_path / "machtiging.pdf"
    fake.write_bytes(b"%PDF-1.7\n% not a registered mandate\n")
    key = str(certs_dir() / "out" / "haarlem-burgemeester.p12")
    r = run(ws, "sign", str(tmp_path / "whatever.pdf"), "--key", key, "--mandate", str(fake), "-o", str(tmp_path / "o.pdf"))
    assert r.exit_code == 1 and f"zvhsign: fout: {fake} is geen geregistreerde machtiging" in r.output
    assert not (tmp_path / "o.pdf").exists()
