"""A mandate the College revokes (``zvhsign mandate revoke``): signatures proven to
exist before the revocation took effect stay covered, a signature made after it
fails, ``sign --mandate`` refuses it, and status says "revoked". Real PDFs and
signatures (test PKI over HTTP on 127.0.0.1), a real SQLite registry."""

from __future__ import annotations

import importlib.util
import json
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from zvhsign.cli import cli
from zvhsign.domain.evidence import Indication
from zvhsign.errors import RefusedError
from zvhsign.services import governance as gov
from zvhsign.services.keys import KeySource
from zvhsign.services.operations import verify
from zvhsign.services.signing import sign
from zvhsign.testpki import certs_dir

_spec = importlib.util.spec_from_file_location(
    "zvh_tests_conftest", Path(__file__).resolve().parents[1] / "conftest.py"
)
shared = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = shared  # dataclasses look their module up
_spec.loader.exec_module(shared)


@pytest.fixture(scope="module")
def zandvoort(tmp_path_factory, passphrase):
    root = tmp_path_factory.mktemp("revocation")
    a = shared.make_approved_workspace(root, passphrase)
    gov.write_test_pki_partners(root / "partners.toml", certs_dir() / "out")
    gov.import_partners(a.ws, root / "partners.toml")

    def key(label):
        return KeySource(pkcs12=certs_dir() / "out" / f"{label}.p12", passphrase=passphrase)

    def registered_mandate(name: str, decided: date) -> Path:
        gov.draft_mandate(a.ws, "Zandvoort", "Ineke Zwaanswijk", decided, root / f"{name}-0.pdf")
        gov.sign_mandate(a.ws, root / f"{name}-0.pdf", key("zandvoort-secretaris"), root / f"{name}-1.pdf",
                         as_role="secretaris")
        gov.sign_mandate(a.ws, root / f"{name}-1.pdf", key("zandvoort-burgemeester"), root / f"{name}-2.pdf",
                         as_role="burgemeester")
        gov.register_mandate(a.ws, root / f"{name}-2.pdf")
        return root / f"{name}-2.pdf"

    def signed_under(mandate: Path, name: str) -> Path:
        sha, capacity = gov.mandate_binding(a.ws, mandate)
        out = root / f"convenant-zandvoort-{name}.pdf"
        sign(a.ws, a.convenant, key("zandvoort-burgemeester"), out, mandate_sha256=sha, capacity=capacity)
        return out

    return a, registered_mandate, signed_under, root


def mayor_findings(batch):
    (fv,) = batch.files
    sv = next(s for s in fv.signatures if s.evidence.field_name == "ZVH_Handtekening_01")
    return {f.code: f.level.value for f in sv.findings}, sv.indication, fv


def test_signature_made_before_the_revocation_stays_covered(zandvoort):
    a, registered_mandate, signed_under, _root = zandvoort
    mandate = registered_mandate("early", date(2026, 11, 10))
    copy = signed_under(mandate, "before")
    sha = gov.Sha256.of_file(mandate).hex
    # the College revokes it with effect from a moment after the signature existed
    effective = datetime.now(UTC) + timedelta(minutes=2)
    m = gov.revoke_mandate(a.ws, sha[:12], effective, "B&W-besluit 2026-11-29")
    assert m.revoked_at == effective.replace(microsecond=effective.microsecond)
    found, indication, fv = mayor_findings(verify(a.ws, [copy]))
    assert found["MANDATE_IN_FORCE"] == "INFO", found
    assert found["MANDATE_PRESENT"] == "INFO"
    assert indication is Indication.TOTAL_PASSED and fv.verified
    # until the revocation takes effect the mandate still authorises a new signature
    assert gov.mandate_binding(a.ws, mandate)[0] == sha
    # it can't be revoked twice, only corrected (logged)
    with pytest.raises(RefusedError, match="already revoked"):
        gov.revoke_mandate(a.ws, sha, effective, "again")
    past = datetime.now(UTC) - timedelta(minutes=1)
    m = gov.revoke_mandate(a.ws, sha, past, "datum verbeterd", correct=True)
    assert m.revoked_at == past
    # now in effect: it no longer authorises a new signature, and sign refuses before signing
    with pytest.raises(RefusedError, match="revoked") as refused:
        gov.mandate_binding(a.ws, mandate)
    from zvhsign.i18n import local_time

    assert local_time(past) in refused.value.message  # Dutch local time, the zone named (CET/CEST)
    from zvhsign.services.registry_access import open_registry

    corrected = [e for e in open_registry(a.ws).events() if e.action == "correct-revocation"]
    assert corrected and corrected[-1].details["previous_revoked_at"] == effective.isoformat()


def test_signature_made_after_the_revocation_took_effect_fails(zandvoort):
    a, registered_mandate, signed_under, _root = zandvoort
    mandate = registered_mandate("late", date(2026, 11, 12))
    copy = signed_under(mandate, "after")
    # revoked with effect from the start of today (Dutch time), registered only now:
    # the signature's content timestamp proves it was made after that moment
    today = datetime.now(UTC).astimezone(gov.dutch_time(datetime(2026, 1, 1)).tzinfo).date()
    gov.revoke_mandate(a.ws, gov.Sha256.of_file(mandate).hex, datetime.combine(today, datetime.min.time()), "B&W-besluit")
    found, indication, fv = mayor_findings(verify(a.ws, [copy]))
    assert found["MANDATE_REVOKED"] == "FAIL", found
    assert indication is Indication.TOTAL_FAILED and not fv.verified
    # the moments in its message are said as people read them: Dutch local time, the zone named
    # (were UTC ISO strings: "2026-11-30T23:00:00+00:00", a day early to a reader)
    import zvhsign.i18n  # noqa: F401 - the CLI's way of saying moments (installed on import)

    message = next(f.message for s in fv.signatures for f in s.findings if f.code == "MANDATE_REVOKED")
    assert f"{today.isoformat()} 00:00 CE" in message and "+00:00" not in message, message


def test_cli_revoke_errors_and_status(zandvoort):
    a, registered_mandate, _signed_under, _root = zandvoort
    run = CliRunner()
    ws = ["-w", str(a.ws.root)]
    r = run.invoke(cli, [*ws, "mandate", "revoke", "abc", "--date", "2027-01-01", "--reason", "x"])
    assert r.exit_code == 2 and ("zvhsign: fout: 'abc' is geen SHA-256 van een machtiging (of het begin ervan, "
                                 "van minstens 8 hexadecimale tekens)\n") in r.output  # a Dutch workspace
    r = run.invoke(cli, [*ws, "mandate", "revoke", "0" * 12, "--date", "2027-01-01", "--reason", "x"])
    assert r.exit_code == 2 and "zvhsign: fout: er is geen geregistreerde machtiging met SHA-256 000000000000…\n" \
        in r.output, r.output
    mandate = registered_mandate("cli", date(2026, 11, 14))
    sha = gov.Sha256.of_file(mandate).hex
    r = run.invoke(cli, [*ws, "mandate", "revoke", sha[:10], "--date", "2026-11-01", "--reason", "x"])
    assert r.exit_code == 2 and ("zvhsign: fout: de intrekking (2026-11-01) kan niet ingaan vóór de besluitdatum "
                                 "van de machtiging zelf (2026-11-14)\n") in r.output  # a Dutch workspace
    r = run.invoke(cli, [*ws, "mandate", "revoke", sha[:10], "--date", "2027-01-01T09:30",
                         "--reason", "B&W-besluit 2026-12-20"])
    assert r.exit_code == 0, r.output
    # Dutch (the default [display] lang), Dutch local time with the zone named
    assert "ingetrokken per 2027-01-01 09:30 CET" in r.output, r.output
    status = json.loads(run.invoke(cli, [*ws, "status", "--json"]).stdout)
    zv = next(p for p in status["partners"] if p["partner"] == "zandvoort")
    assert zv["mandate"]["state"] == "revoked from 2027-01-01"  # in force until then
    human = run.invoke(cli, [*ws, "status"]).stdout
    assert "revoked from 2027-01-01" in human  # the day, as the College dated it
    log = run.invoke(cli, [*ws, "log", "show", "--json"])
    assert "revoke-mandate" in log.stdout and "B&W-besluit 2026-12-20" in log.stdout
