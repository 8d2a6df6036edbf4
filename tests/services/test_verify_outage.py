"""A copy verified while the TSA's and CAs' responders can't be reached (a network outage):
what could not be established now is undetermined -- INDETERMINATE, "verify again" -- never a
failed signature with "sign again". The same copy verifies once the responders answer."""

from __future__ import annotations

import dataclasses
import shutil

import pytest

from zvhsign.domain.evidence import Indication
from zvhsign.services.operations import verify


def test_an_unreachable_responder_leaves_the_signature_undetermined(approved, signed_convenant, tmp_path):
    copy = tmp_path / "c.pdf"
    shutil.copyfile(signed_convenant, copy)
    # the test PKI not served: its responders' name (pki.zvh-test.invalid) does not resolve
    unreachable = dataclasses.replace(approved.ws, config=dataclasses.replace(approved.ws.config, test_pki=False))
    (fv,) = verify(unreachable, [copy], cache=False).files
    assert not fv.verified
    for s in fv.signatures:
        if s.evidence.kind.value == "document-timestamp":
            continue
        codes = {f.code: f.level.value for f in s.findings}
        assert "TIMESTAMP_INVALID" not in codes, codes
        assert s.indication is Indication.INDETERMINATE, (s.evidence.field_name, codes)
        ts = s.evidence.signature_timestamp
        assert ts is not None and ts.intact and ts.valid and not ts.trusted
        assert ts.trust_problem in ("CERTIFICATE_CHAIN_GENERAL_FAILURE", "TRY_LATER", "REVOCATION_OUT_OF_BOUNDS_NO_POE")
        assert {"SIGNATURE_NOT_VALIDATED", "REVOCATION_UNKNOWN"} & set(codes), codes
        assert "FAIL" not in codes.values(), codes
    (again,) = verify(approved.ws, [copy], cache=False).files  # the responders answer again
    assert again.verified, [f.to_json() for f in again.all_findings()]


def test_sign_waits_rather_than_refuses_when_the_copy_cant_be_checked_now(approved, passphrase, tmp_path):
    """sign's pre-flight in an outage: the approved copy's signatures can't be checked now.
    That is no reason to call it "not an approved version" and send the signatory back to the
    secretariat: it could not complete (exit 3), try again later; nothing is written."""
    from zvhsign.errors import EXIT_INCOMPLETE, ServiceError
    from zvhsign.registry import EvidenceCache
    from zvhsign.services.registry_access import open_registry
    from zvhsign.services.signing import sign

    with open_registry(approved.ws) as reg:
        EvidenceCache(reg).clear()  # the copy examined now, not as it was when reachable
    unreachable = dataclasses.replace(approved.ws, config=dataclasses.replace(approved.ws.config, test_pki=False))
    out = tmp_path / "getekend.pdf"
    with pytest.raises(ServiceError) as err:
        sign(unreachable, approved.convenant, approved.key("om", passphrase), out)
    assert err.value.exit_code == EXIT_INCOMPLETE
    assert "could not be checked now, so it is not signed yet" in err.value.message
    assert "internet connection" in (err.value.hint or "")
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_extend_reports_could_not_rather_than_refused(approved, signed_convenant, tmp_path):
    """extend in an outage: the copy's signatures can't be checked now -- it could not be
    extended this time (status "error", exit 3), it is not refused as a copy that does not verify."""
    from zvhsign.registry import EvidenceCache
    from zvhsign.services.extend import extend
    from zvhsign.services.registry_access import open_registry

    copy = tmp_path / "c.pdf"
    shutil.copyfile(signed_convenant, copy)
    with open_registry(approved.ws) as reg:
        EvidenceCache(reg).clear()
    unreachable = dataclasses.replace(approved.ws, config=dataclasses.replace(approved.ws.config, test_pki=False))
    (result,) = extend(unreachable, [copy])
    assert result.status == "error", result
    assert result.message.startswith("could not be checked now, so it was not extended"), result.message
    assert copy.read_bytes() == signed_convenant.read_bytes()


def test_an_undetermined_examination_is_not_cached(approved, signed_convenant, tmp_path):
    """"Verify again" must mean examined again: an examination made while a responder was out
    of reach is not kept in the evidence cache, so the next verify (the network back) judges
    the copy anew -- it is verified, not served the outage's INDETERMINATE from the cache."""
    copy = tmp_path / "c.pdf"
    shutil.copyfile(signed_convenant, copy)
    unreachable = dataclasses.replace(approved.ws, config=dataclasses.replace(approved.ws.config, test_pki=False))
    (during,) = verify(unreachable, [copy], cache=True).files
    assert not during.verified
    (after,) = verify(approved.ws, [copy], cache=True).files
    assert after.verified, [f.to_json() for f in after.all_findings()]
