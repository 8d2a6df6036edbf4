"""``zvhsign partner import`` with the files people really write: Excel's CSV in Windows-1252,
doubled quotes, partners.toml with wrong types or misspelt keys -- one clear line, never an
internal error, and nothing imported."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from zvhsign.cli.main import cli


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    from zvhsign.services.setup import init_test_workspace

    return init_test_workspace(tmp_path_factory.mktemp("partner-import") / "ws")


def run(ws, *args):
    return CliRunner().invoke(cli, ["--workspace", str(ws.root), *map(str, args)])


def partner_keys(ws) -> set[str]:
    return {p["key"] for p in json.loads(run(ws, "partner", "list", "--json").output or "[]")}


def refused(ws, f, code: int) -> str:
    before = partner_keys(ws)
    r = run(ws, "partner", "import", f)
    assert r.exit_code == code, r.output
    assert "internal error" not in r.output and "Traceback" not in r.output
    assert partner_keys(ws) == before  # nothing imported
    return r.output


def test_a_cp1252_csv_from_dutch_excel_is_refused_with_the_line_the_byte_and_how_to_save_it(ws, tmp_path):
    f = tmp_path / "p6.csv"
    f.write_bytes(b"partner_key;partner_name;kind\nabf;Gemeente Ab\xe9;gemeente\n")
    out = refused(ws, f, 3)
    assert f"{f}: not UTF-8 text (line 2: byte 0xE9, \"é\" in Windows-1252)" in out
    assert "CSV UTF-8" in out
    # the same sheet saved as "CSV UTF-8" (with Excel's BOM) is read
    f.write_bytes("\ufeffpartner_key;partner_name;kind\nabf;Gemeente Abé;gemeente\n".encode())
    r = run(ws, "partner", "import", f)
    assert r.exit_code == 0, r.output
    assert "Gemeente Abé" in run(ws, "partner", "show", "abf").output


def test_a_non_utf8_toml_is_refused_too(ws, tmp_path):
    f = tmp_path / "partners.toml"
    f.write_bytes(b'[[partner]]\nkey = "abx"\nname = "Gemeente Ab\xe9"\nkind = "gemeente"\n')
    assert "not UTF-8 text (line 3: byte 0xE9" in refused(ws, f, 3)


@pytest.mark.parametrize("sep", [",", ";"])
def test_csv_doubled_quotes_are_one_quote(ws, tmp_path, sep):
    key = f"q{'c' if sep == ',' else 's'}"
    f = tmp_path / "p.csv"
    f.write_text(f'partner_key{sep}partner_name{sep}kind\n{key}{sep}"Gemeente ""Q"" {key}"{sep}gemeente\n', encoding="utf-8")
    r = run(ws, "partner", "import", f)
    assert r.exit_code == 0, r.output
    (p,) = [p for p in json.loads(run(ws, "partner", "list", "--json").output) if p["key"] == key]
    assert p["name"] == f'Gemeente "Q" {key}'


def test_csv_unknown_column_and_too_many_fields(ws, tmp_path):
    f = tmp_path / "p.csv"
    f.write_text("partner_key,partner_name,kind,signatory,role\n", encoding="utf-8")
    assert "unknown column 'signatory' in the header; did you mean signatory_name?" in refused(ws, f, 2)
    f.write_text("partner_key,partner_name,kind\nzz,Gemeente Zand, voort,gemeente\n", encoding="utf-8")
    assert f"{f}: line 2: more fields than the header has columns" in refused(ws, f, 2)


PARTNER = '[[partner]]\nkey = "ab"\nname = "Gemeente Ab"\nkind = "gemeente"\n'
SIGNATORY = '[[partner.signatory]]\nname = "A. Bee"\nrole = "burgemeester"\n'


@pytest.mark.parametrize(("text", "said"), [
    ('[[partner]]\nkey = "ab"\nname = 5\nkind = "gemeente"\n',
     "partner 1 (ab): name must be a string (in quotes), not a number"),
    ('[partner]\nkey = "ab"\nname = "Gemeente Ab"\nkind = "gemeente"\n',
     "[partner] must be written [[partner]] (two brackets), once for each partner"),
    ('partner = "x"\n', "partner must be [[partner]] tables (two brackets, one per partner), not a string"),
    ('partners = 1\n', "unknown key 'partners' at the top of the file; did you mean [[partner]]?"),
    (PARTNER + 'kvkk = "90000022"\n', "partner 1 (ab): unknown key 'kvkk'; did you mean kvk?"),
    (PARTNER + 'kvk = 90000022\n', "partner 1 (ab): kvk must be a string (in quotes), not a number"),
    (PARTNER + 'signing_roles = "burgemeester"\n',
     'partner 1 (ab): signing_roles must be a list of strings, e.g. ["burgemeester"], not a string'),
    (PARTNER + SIGNATORY + 'certificates = "certs/a.pem"\n',
     'partner 1 (ab), signatory 1: certificates must be a list of file names, e.g. ["certs/a.pem"], not a string'),
    (PARTNER + SIGNATORY + 'fingerprint = "ab"\n',
     "partner 1 (ab), signatory 1: unknown key 'fingerprint'; did you mean fingerprints?"),
    (PARTNER + '[partner.signatory]\nname = "A. Bee"\n',
     "partner 1 (ab): signatory must be [[partner.signatory]] tables (two brackets, one per person), not a table"),
    (PARTNER + SIGNATORY.replace('role = "burgemeester"\n', ""), "partner 1 (ab), signatory 1: missing key 'role'"),
    ('[[partner]]\nkey = "ab"\nkind = "gemeente"\n', "partner 1 (ab): missing key 'name'"),
    (PARTNER + 'kind = "gemeente"\n', "not valid TOML"),
    (PARTNER + SIGNATORY + 'certificates = ["certs/none.pem"]\n', "partner 1 (ab), signatory 1: certificate file"),
])
def test_partners_toml_mistakes_are_one_line_naming_the_file_the_entry_and_the_key(ws, tmp_path, text, said):
    f = tmp_path / "partners.toml"
    f.write_text(text, encoding="utf-8")
    out = refused(ws, f, 3 if said == "not valid TOML" else 2)
    assert out.startswith(f"zvhsign: error: {f}: ")
    assert said in out
    if said != "not valid TOML":
        assert len(out.strip().splitlines()) == 1
