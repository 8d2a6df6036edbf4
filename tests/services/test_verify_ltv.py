"""Long-term validation (issue 4 item 1): verify warns when a copy's last timestamp
rests on a TSA certificate that expires soon (the test TSA's expires 2035-01-01)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from zvhsign.cli.main import cli
from zvhsign.services.operations import verify

TSA_EXPIRY = datetime(2035, 1, 1, tzinfo=timezone.utc)


def expiring(fv):
    return [f for f in fv.all_findings() if f.code == "ARCHIVE_TIMESTAMP_EXPIRING"]


def test_no_warning_far_from_the_tsa_expiry(approved, signed_convenant):
    (fv,) = verify(approved.ws, [signed_convenant]).files
    assert fv.verified and not expiring(fv)
    ts = [s for s in fv.signatures if s.evidence.kind.value == "document-timestamp"][-1]
    assert ts.evidence.signature_timestamp.tsa_not_after == TSA_EXPIRY


def test_a_large_renew_within_warns_with_the_date_and_the_remedy(approved, signed_convenant):
    days = (TSA_EXPIRY - datetime.now(timezone.utc)).days + 30
    (fv,) = verify(approved.ws, [signed_convenant], renew_within_days=days).files
    (finding,) = expiring(fv)  # one: the last document timestamp covers every signature
    assert finding.level.value == "WARN"
    assert "2035-01-01" in finding.message and "zvhsign extend" in finding.message
    assert "document timestamp" in finding.message
    assert not fv.verified  # a WARN blocks
    (ok,) = verify(approved.ws, [signed_convenant], renew_within_days=days - 60).files
    assert not expiring(ok)


def test_b_t_copy_warns_on_its_signature_timestamp(approved, passphrase, tmp_path):
    from zvhsign.domain.documents import PadesLevel
    from zvhsign.services.signing import sign

    out = tmp_path / "b-t.pdf"
    sign(approved.ws, approved.convenant, approved.key("om", passphrase), out, level=PadesLevel.B_T)
    days = (TSA_EXPIRY - datetime.now(timezone.utc)).days + 30
    (fv,) = verify(approved.ws, [out], renew_within_days=days).files
    messages = [f.message for f in expiring(fv)]
    assert any("signature timestamp of" in m for m in messages), messages


def test_cli_at_close_to_expiry_warns_in_json(approved, signed_convenant):
    result = CliRunner().invoke(cli, [
        "-w", str(approved.ws.root), "verify", "--json", "--at", "2034-11-01", str(signed_convenant),
    ])
    assert result.exit_code == 1, result.output
    (f,) = json.loads(result.stdout)["files"]
    codes = {x["code"]: x for x in f["findings"]}
    assert codes["ARCHIVE_TIMESTAMP_EXPIRING"]["level"] == "WARN"
    assert "2035-01-01" in codes["ARCHIVE_TIMESTAMP_EXPIRING"]["message"]
    ts = [s for s in f["signatures"] if s["kind"] == "document-timestamp"][-1]
    assert ts["signature_timestamp"]["tsa_not_after"].startswith("2035-01-01")
    # a short window at the same time: no warning
    result = CliRunner().invoke(cli, [
        "-w", str(approved.ws.root), "verify", "--json", "--at", "2034-11-01",
        "--renew-within", "30", str(signed_convenant),
    ])
    (f,) = json.loads(result.stdout)["files"]
    assert "ARCHIVE_TIMESTAMP_EXPIRING" not in {x["code"] for x in f["findings"]}


def test_cli_after_the_tsa_expiry_says_it_is_too_late_to_renew(approved, signed_convenant):
    """Past the TSA certificate's expiry, "run zvhsign extend ... before then" would point into
    the past (and extend refuses the copy): ARCHIVE_TIMESTAMP_EXPIRED says what is true."""
    result = CliRunner().invoke(cli, [
        "-w", str(approved.ws.root), "verify", "--json", "--at", "2035-06-01", str(signed_convenant),
    ])
    assert result.exit_code == 1, result.output
    (f,) = json.loads(result.stdout)["files"]
    codes = {x["code"]: x for x in f["findings"]}
    assert "ARCHIVE_TIMESTAMP_EXPIRING" not in codes
    expired = codes["ARCHIVE_TIMESTAMP_EXPIRED"]
    assert expired["level"] == "WARN"
    assert "expired on 2035-01-01" in expired["message"] and "too late" in expired["message"]
    assert "before then" not in expired["message"] + expired["hint"]
    assert "too late for `zvhsign extend`" in expired["hint"]


EXTERNAL = Path(__file__).resolve().parents[2].parent / "shared" / "external-signed"


@pytest.mark.skipif(not (EXTERNAL / "DSS-1983.pdf").is_file(), reason="../shared/external-signed not present")
def test_an_external_copy_whose_tsa_expired_years_ago(approved):
    """DSS-1983.pdf (esig/dss): its document timestamp's TSA certificate expired on 2022-02-06."""
    (fv,) = verify(approved.ws, [EXTERNAL / "DSS-1983.pdf"]).files
    found = {f.code: f for f in fv.all_findings()}
    assert "ARCHIVE_TIMESTAMP_EXPIRING" not in found
    assert "expired on 2022-02-06" in found["ARCHIVE_TIMESTAMP_EXPIRED"].message
    assert "before then" not in found["ARCHIVE_TIMESTAMP_EXPIRED"].message


def test_evidence_used_names_timestamps_and_revocation_sources(approved, signed_convenant):
    # offline: every piece of revocation data comes from the file (DSS)
    (off,) = verify(approved.ws, [signed_convenant], online=False).files
    assert off.verified
    for s in off.signatures:
        used = s.evidence.revocation_used
        assert used and {r.source for r in used} == {"file"}
        assert {r.kind for r in used} <= {"ocsp", "crl"}
    partner = [s for s in off.signatures if s.evidence.kind.value == "signature"][0]
    roles = [t.role for t in partner.evidence.timestamps_used]
    assert roles == ["signature", "content", "document"]  # the content timestamp: a lower bound on signing
    doc = [t for t in partner.evidence.timestamps_used if t.role == "document"][0]
    assert doc.field and doc.time >= partner.evidence.signature_timestamp.time
    js = partner.to_json()["evidence_used"]
    assert js["timestamps"][0]["role"] == "signature" and js["revocation"][0]["source"] == "file"


def test_evidence_used_marks_fetched_data_online(approved, signed_convenant):
    # online, the validator fetches fresh OCSP answers too; they are marked as fetched
    (on,) = verify(approved.ws, [signed_convenant]).files
    sources = {r.source for s in on.signatures for r in s.evidence.revocation_used}
    assert sources == {"file", "fetched"}
    # in an order of their own (the file's own data first), not the order of the fetches
    for s in on.signatures:
        order = [(r.source != "file", r.kind, r.about) for r in s.evidence.revocation_used]
        assert order == sorted(order)


def test_b_b_copy_has_no_timestamps_used(approved, passphrase, tmp_path):
    from zvhsign.domain.documents import PadesLevel
    from zvhsign.services.signing import sign

    out = tmp_path / "b-b.pdf"
    sign(approved.ws, approved.convenant, approved.key("om", passphrase), out, level=PadesLevel.B_B)
    (fv,) = verify(approved.ws, [out]).files
    partner = [s for s in fv.signatures if s.evidence.kind.value == "signature"][0]
    assert partner.evidence.timestamps_used == ()


def test_evidence_used_is_about_the_signatures_own_chains(approved, signed_convenant, passphrase, tmp_path):
    """In a batch, each signature lists only revocation data about the certificates
    of its own chains (signer, its timestamps, their CAs), not what was fetched for
    another partner's signature in the same run."""
    from zvhsign.services.signing import sign

    politie = tmp_path / "convenant-politie.pdf"
    sign(approved.ws, approved.convenant, approved.key("politie", passphrase), politie)
    om_copy, politie_copy = verify(approved.ws, [signed_convenant, politie]).files
    for fv, own, other in ((om_copy, "Saskia Terpstra", "Erik Hoogland"),
                           (politie_copy, "Erik Hoogland", "Saskia Terpstra")):
        (partner,) = [s.evidence for s in fv.signatures if s.evidence.kind.value == "signature"]
        used = partner.revocation_used
        about = {name for r in used for name in r.about}
        assert all(r.about for r in used)
        assert any(own in a for a in about), about
        assert not any(other in a for a in about), about
        assert any("Time Stamping Authority" in a for a in about)  # the signature timestamp's chain
        ocsp_about = {a for r in used if r.kind == "ocsp" for a in r.about}
        assert any(own in a for a in ocsp_about)
    (om_partner,) = [s for s in om_copy.signatures if s.evidence.kind.value == "signature"]
    js = om_partner.to_json()["evidence_used"]["revocation"]
    assert all(isinstance(r["about"], list) and r["about"] for r in js)
