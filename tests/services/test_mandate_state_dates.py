"""``status``'s mandate column: a revocation that takes effect at Dutch midnight is dated as the
College dated it (it said the UTC date, a day early: "revoked from 2027-02-28" for 1 March), and a
mandate revoked in the past still names which mandate, its mayor and when (all four were null).
Real PDFs and signatures (test PKI over HTTP on 127.0.0.1), a real SQLite registry."""

from __future__ import annotations

import importlib.util
import sys
from datetime import date, datetime
from pathlib import Path

import pytest

from zvhsign.services import governance as gov
from zvhsign.services.keys import KeySource
from zvhsign.testpki import certs_dir

_spec = importlib.util.spec_from_file_location(
    "zvh_tests_conftest_mandate_dates", Path(__file__).resolve().parents[1] / "conftest.py"
)
shared = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = shared
_spec.loader.exec_module(shared)


@pytest.fixture(scope="module")
def status(tmp_path_factory, passphrase) -> dict:
    root = tmp_path_factory.mktemp("mandate-dates")
    a = shared.make_approved_workspace(root, passphrase)
    gov.write_test_pki_partners(root / "partners.toml", certs_dir() / "out")
    gov.import_partners(a.ws, root / "partners.toml")
    shas = {}
    for town, mayor in (("Haarlem", "Willemijn Bosschaart"), ("Zandvoort", "Ineke Zwaanswijk")):
        k = town.lower()
        gov.draft_mandate(a.ws, town, mayor, date(2026, 11, 14), root / f"{k}-0.pdf")
        for i, role in enumerate(("secretaris", "burgemeester")):
            key = KeySource(pkcs12=certs_dir() / "out" / f"{k}-{role}.p12", passphrase=passphrase)
            gov.sign_mandate(a.ws, root / f"{k}-{i}.pdf", key, root / f"{k}-{i + 1}.pdf", as_role=role)
        gov.register_mandate(a.ws, root / f"{k}-2.pdf")
        shas[k] = gov.Sha256.of_file(root / f"{k}-2.pdf").hex
    gov.revoke_mandate(a.ws, shas["zandvoort"], datetime(2027, 3, 1), "B&W-besluit")  # Dutch midnight
    gov.revoke_mandate(a.ws, shas["haarlem"], datetime(2026, 11, 20), "B&W-besluit")  # in the past
    matrix = gov.status(a.ws)
    rows = {p["partner"]: p["mandate"] for p in matrix.to_json()["partners"]}
    return {"rows": rows, "shas": shas, "matrix": matrix}


def test_a_revocation_at_dutch_midnight_keeps_its_date(status):
    zandvoort = status["rows"]["zandvoort"]
    assert zandvoort["state"] == "revoked from 2027-03-01"
    assert zandvoort["revoked_at"] == "2027-02-28T23:00:00+00:00"  # the moment, exactly, in UTC


def test_a_mandate_revoked_in_the_past_is_still_named(status):
    haarlem = status["rows"]["haarlem"]
    assert haarlem["state"] == "revoked"
    assert haarlem["sha256"] == status["shas"]["haarlem"] and haarlem["mayor"] == "Willemijn Bosschaart"
    assert haarlem["decision_date"] == "2026-11-14" and haarlem["revoked_at"].startswith("2026-11-19T23:00")


@pytest.mark.parametrize("width", [60, 100, 160])
def test_the_status_table_fits_the_terminal_and_dates_the_revocations(status, width):
    from zvhsign.cli.render_status import render_status

    text = render_status(status["matrix"], width=width, no_color=True)
    assert max(len(line) for line in text.splitlines()) <= width, text
    assert "ingetrokken" not in text  # one language: the secretariat's table is English


def test_the_status_table_dates_the_revocations(status):
    from zvhsign.cli.render_status import render_status

    text = render_status(status["matrix"], width=200, no_color=True)
    assert "revoked from 2027-03-01 (Ineke Zwaanswijk, decided 2026-11-14)" in text, text
    assert "revoked on 2026-11-20 (Willemijn Bosschaart, decided 2026-11-14)" in text, text
