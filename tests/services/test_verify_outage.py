"""A copy verified while the TSA's and CAs' responders can't be reached (a network outage):
what could not be established now is undetermined -- INDETERMINATE, "verify again" -- never a
failed signature with "sign again". The same copy verifies once the responders answer."""

from __future__ import annotations

import dataclasses
import shutil

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
