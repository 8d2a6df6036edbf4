"""What decides whether a signer is authorised -- partners, signatories and their certificates,
mandates and their revocations -- changed in the database behind the registry's back: the hash
chain stayed intact (it covers the events, not the rows) while verify judged by the forged rows.
`log verify` replays the audit log and names every row that is not what it registered (exit 1),
and `verify --record` refuses such a registry. Real registries (SQLite), real signed mandates."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime

import pytest
from click.testing import CliRunner

from tests.conftest import copy_workspace
from zvhsign.cli.main import cli
from zvhsign.services import governance as gov
from zvhsign.services.keys import KeySource
from zvhsign.testpki import certs_dir


@pytest.fixture(scope="module")
def governed(approved, passphrase, tmp_path_factory):
    """The approved workspace with the test PKI's partners, Haarlem's mandate registered and
    revoked, and a retired signatory."""
    root = tmp_path_factory.mktemp("rows-logged")
    ws_root = copy_workspace(approved.ws.root, root / "ws")
    from zvhsign.services.workspace import load_workspace

    ws = load_workspace(ws_root)
    gov.write_test_pki_partners(root / "partners.toml", certs_dir() / "out")
    gov.import_partners(ws, root / "partners.toml")
    gov.draft_mandate(ws, "Haarlem", "Willemijn Bosschaart", date(2026, 11, 14), root / "m0.pdf")
    for i, role in enumerate(("secretaris", "burgemeester")):
        key = KeySource(pkcs12=certs_dir() / "out" / f"haarlem-{role}.p12", passphrase=passphrase)
        gov.sign_mandate(ws, root / f"m{i}.pdf", key, root / f"m{i + 1}.pdf", as_role=role)
    gov.register_mandate(ws, root / "m2.pdf")
    gov.revoke_mandate(ws, gov.Sha256.of_file(root / "m2.pdf").hex, datetime(2026, 11, 20), "B&W-besluit")
    gov.retire_signatory(ws, "politie", "Erik Hoogland", datetime(2026, 11, 25), "vertrokken")
    return ws_root


def _tampered(governed, tmp_path, *statements: str):
    ws = copy_workspace(governed, tmp_path / "ws")
    con = sqlite3.connect(ws / "zvhsign.db")
    with con:
        for st in statements:
            con.execute(st)
    con.close()
    return ws


def _problems(ws) -> list[dict]:  # noqa: ANN001
    r = CliRunner().invoke(cli, ["-w", str(ws), "log", "verify", "--offline", "--json"])
    doc = json.loads(r.stdout)
    assert r.exit_code == (0 if doc["intact"] else 1)
    return doc["storage"]["problems"]


def test_an_untouched_registry_agrees_with_its_log(governed):
    assert _problems(governed) == []


@pytest.mark.parametrize("statement, kind, names", [
    ("UPDATE mandates SET revoked_at = NULL", "registry-row-altered", "its revoked_at is None"),
    ("UPDATE mandates SET mayor = 'Iemand Anders'", "registry-row-altered", "its mayor is Iemand Anders"),
    ("UPDATE signatories SET retired_at = NULL", "registry-row-altered", "its retired_at is None"),
    ("UPDATE partners SET signing_roles = '[\"medewerker\"]' WHERE key = 'om'", "registry-row-altered",
     "its signing_roles is ['medewerker']"),
    ("INSERT INTO signatory_certificates (fingerprint, signatory_id) VALUES ('" + "ab" * 32 + "', 1)",
     "registry-row-unlogged", "no register-signatory event in the audit log gives it"),
    ("INSERT INTO signatories (partner_key, name, role, created_at) "
     "VALUES ('om', 'Iemand Anders', 'hoofdofficier', '2026-11-01 00:00:00.000000')",
     "registry-row-unlogged", "signatory Iemand Anders"),
])
def test_a_governance_row_changed_behind_the_registrys_back_is_named(governed, tmp_path, statement, kind, names):
    problems = _problems(_tampered(governed, tmp_path, statement))
    assert any(p["kind"] == kind and names in f"{p['object']}: {p['message']}" for p in problems), problems


def test_verify_record_refuses_a_registry_whose_rows_were_changed(governed, signed_convenant, tmp_path):
    ws = _tampered(governed, tmp_path, "UPDATE signatories SET retired_at = NULL")
    r = CliRunner().invoke(cli, ["-w", str(ws), "verify", "--record", str(signed_convenant)])
    assert r.exit_code == 3 and "not recorded" in r.output, r.output
