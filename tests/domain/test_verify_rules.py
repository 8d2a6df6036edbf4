"""Verification rules on hand-made evidence (pure domain, no PDF)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

import pytest

from zvhsign.domain.digests import Sha256
from zvhsign.domain.evidence import (
    Change,
    ChangeKind,
    FileEvidence,
    Indication,
    SignatureEvidence,
    SignatureKind,
)
from zvhsign.domain.rules import DEFAULT_RULES, Context, RuleSet, VerifyPolicy
from zvhsign.errors import PolicyError

T = datetime(2026, 11, 2, 10, 0, tzinfo=timezone.utc)


def sig(**kw) -> SignatureEvidence:
    base = dict(
        field_name="ZVH_Handtekening_01", kind=SignatureKind.SIGNATURE, revision=3, signed_end=100,
        covers_whole_revision=True, intact=True, valid=True, trusted=True,
        indication=Indication.TOTAL_PASSED, subindication=None, failure=None,
        subfilter="/ETSI.CAdES.detached", signer=None, claimed_signing_time=T,
        signature_timestamp=None, content_timestamp=None, best_signature_time=T,
        pades_level="B-B",
    )
    base.update(kw)
    return SignatureEvidence(**base)


def file_ev(*sigs, **kw) -> FileEvidence:
    base = dict(
        path="x.pdf", size=100, sha256=Sha256.of(b"x"), revision_ends=(10, 20, 30, 100),
        trailing_bytes=0, stamp=None, approved=None, approved_revision=None, changes=(),
        signatures=tuple(sigs),
    )
    base.update(kw)
    return FileEvidence(**base)


POLICY = VerifyPolicy(frozenset({"ab" * 32}))


def judge(ev: FileEvidence):
    """The one rule set, without registered partners."""
    return DEFAULT_RULES.judge(ev, Context(POLICY, None, T))


def sig_codes(verdict) -> set[str]:
    return {f.code for s in verdict.signatures for f in s.findings}


def test_difference_analysis_is_a_second_opinion():
    s = sig(modification_level="ANNOTATIONS", docmdp_ok=True)
    v = judge(file_ev(s))
    assert "CHANGED_AFTER_SIGNING" in sig_codes(v)
    assert v.signatures[0].indication is Indication.TOTAL_FAILED
    ok = sig(modification_level="FORM_FILLING", docmdp_ok=True)
    assert "CHANGED_AFTER_SIGNING" not in sig_codes(judge(file_ev(ok)))


def test_docmdp_violation_is_a_change_after_signing():
    s = sig(kind=SignatureKind.CERTIFICATION, docmdp_ok=False)
    assert "CHANGED_AFTER_SIGNING" in sig_codes(judge(file_ev(s)))


def test_malformed_signature_is_named_as_such():
    s = sig(intact=False, valid=False, trusted=False, indication=Indication.TOTAL_FAILED,
            subindication="FORMAT_FAILURE", failure="the signature can't be processed: x")
    codes = sig_codes(judge(file_ev(s)))
    assert "SIGNATURE_MALFORMED" in codes and "SIGNATURE_NOT_INTACT" not in codes


def test_timestamp_present_but_unjudged_is_not_called_missing():
    s = sig(indication=Indication.INDETERMINATE, subindication="NO_CERTIFICATE_CHAIN_FOUND",
            trusted=False, signature_timestamp_present=True)
    codes = sig_codes(judge(file_ev(s)))
    assert codes - {"GOVERNANCE_NOT_CONFIGURED"} == {"SIGNER_NOT_TRUSTED"}
    bare = replace(s, signature_timestamp_present=False)
    assert "NO_SIGNATURE_TIMESTAMP" in sig_codes(judge(file_ev(bare)))


@pytest.mark.parametrize("sub,code", [
    ("REVOKED_NO_POE", "SIGNER_REVOKED"),
    ("OUT_OF_BOUNDS_NO_POE", "SIGNER_CERT_EXPIRED"),
    ("NO_CERTIFICATE_CHAIN_FOUND", "SIGNER_NOT_TRUSTED"),
    ("TRY_LATER", "REVOCATION_UNKNOWN"),
    ("CERTIFICATE_CHAIN_GENERAL_FAILURE", "SIGNATURE_NOT_VALIDATED"),
])
def test_etsi_subindication_to_finding(sub, code):
    s = sig(indication=Indication.INDETERMINATE, subindication=sub, trusted=False)
    assert code in sig_codes(judge(file_ev(s)))


def test_changes_are_grouped_by_kind_with_details():
    ev = file_ev(sig(), changes=(
        Change(4, ChangeKind.PAGE_CONTENT, "page 1: /Contents changed"),
        Change(5, ChangeKind.PAGE_CONTENT, "page 2: /Contents changed"),
    ))
    (f,) = [f for f in judge(ev).findings if f.code == "CONTENT_CHANGED_AFTER_APPROVAL"]
    assert f.details == ("revision 5: page 1: /Contents changed", "revision 6: page 2: /Contents changed")


def test_trailing_data_fails():
    codes = {f.code for f in judge(file_ev(sig(), trailing_bytes=12)).findings}
    assert "TRAILING_DATA" in codes


def test_rule_set_fails_closed():
    with pytest.raises(PolicyError):
        RuleSet(rules=())
    with pytest.raises(PolicyError):
        VerifyPolicy(frozenset())
