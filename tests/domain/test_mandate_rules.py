"""The mandate rules on hand-made evidence (pure domain: no PDF, no database): a mayor's
signature bound to a registered, complete mandate of the right municipality, person and
version; the order of mandate and signature proven by timestamps; revoked mandates; the
decision date and the capacity signed in. The other governance rules are in
test_governance_rules.py, the hand-made evidence in conftest.py.

Each fixture is named after the case it builds; the real-PDF versions of the
main cases are in tests/services/test_governance_flow.py.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from zvhsign.domain.evidence import Indication, SignatureBinding
from zvhsign.domain.findings import Level
from zvhsign.domain.mandates import BURGEMEESTER_FIELD, SECRETARIS_FIELD, assess_mandate

from .conftest import (
    BOSSCHAART,
    CONV_10,
    CONV_11,
    HAARLEM,
    NOW,
    PROT_10,
    SIGNATORIES,
    T0,
    TERPSTRA,
    VERHOEVEN,
    context,
    judge,
    mandate,
    msig,
    signature,
)


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture
def mayor_signature_bound_to_registered_mandate(registered_mandate):
    return signature(BOSSCHAART, sig_ts=T0 + timedelta(hours=1)), SignatureBinding(registered_mandate.sha256.hex, "namens het college van burgemeester en wethouders van Haarlem")


# -------------------------------------------------------- bound to a registered mandate


def test_mayor_signs_with_bound_registered_mandate_passes(registered_mandate, mayor_signature_bound_to_registered_mandate):
    sig, binding = mayor_signature_bound_to_registered_mandate
    codes, indication = judge(context(registered_mandate), sig, binding=binding)
    assert codes == {
        "SIGNER_AUTHORISED": Level.INFO,
        "MANDATE_PRESENT": Level.INFO,
        "MANDATE_PRECEDES_SIGNATURE": Level.INFO,
    }
    assert indication is Indication.TOTAL_PASSED


def test_mayor_bound_to_incomplete_mandate_revision_fails(registered_mandate):
    sig = signature(BOSSCHAART, sig_ts=T0 + timedelta(hours=1))
    bound_to_half_signed = SignatureBinding(registered_mandate.revision_sha256s[0])
    codes, indication = judge(context(registered_mandate), sig, binding=bound_to_half_signed)
    assert codes["MANDATE_INCOMPLETE_WHEN_SIGNED"] is Level.FAIL
    assert indication is Indication.TOTAL_FAILED


def test_signature_timestamp_before_mandate_content_timestamp_fails():
    late = mandate(sigs=(
        msig(SECRETARIS_FIELD, VERHOEVEN, T0, content=T0 - timedelta(minutes=1)),
        msig(BURGEMEESTER_FIELD, BOSSCHAART, T0 + timedelta(days=2), content=T0 + timedelta(days=2)),
    ))
    sig = signature(BOSSCHAART, sig_ts=T0 + timedelta(days=1))  # existed a day before the mandate was done
    codes, indication = judge(context(late), sig)
    assert codes["MANDATE_AFTER_SIGNATURE"] is Level.FAIL
    assert indication is Indication.TOTAL_FAILED


def test_bound_mandate_of_another_municipality_fails():
    zandvoort = mandate(partner="zandvoort", municipality="Zandvoort", mayor="Willemijn Bosschaart")
    sig = signature(BOSSCHAART, sig_ts=T0 + timedelta(hours=1))
    codes, _ = judge(context(zandvoort), sig, binding=SignatureBinding(zandvoort.sha256.hex))
    assert codes["MANDATE_OTHER_MUNICIPALITY"] is Level.FAIL


def test_mandate_naming_another_person_fails():
    other_person = mandate(mayor="Jan Jansen")
    sig = signature(BOSSCHAART, sig_ts=T0 + timedelta(hours=1))
    codes, indication = judge(context(other_person), sig, binding=SignatureBinding(other_person.sha256.hex))
    assert codes["MANDATE_OTHER_PERSON"] is Level.FAIL
    assert indication is Indication.TOTAL_FAILED


def test_mandate_covering_another_version_fails():
    covers_11 = mandate(covers=(CONV_11,))
    sig = signature(BOSSCHAART, sig_ts=T0 + timedelta(hours=1))
    codes, _ = judge(context(covers_11, approved_versions=(CONV_10, CONV_11, PROT_10)), sig, binding=SignatureBinding(covers_11.sha256.hex))
    assert codes["MANDATE_OTHER_VERSION"] is Level.FAIL


def test_mandate_signed_only_by_the_secretaris_fails():
    one_signature = mandate(sigs=(msig(SECRETARIS_FIELD, VERHOEVEN, T0),))
    assert "MANDATE_SIGNATURE_MISSING" in {f.code for f in assess_mandate(one_signature, HAARLEM, SIGNATORIES)}
    sig = signature(BOSSCHAART, sig_ts=T0 + timedelta(hours=1))
    codes, indication = judge(context(one_signature), sig, binding=SignatureBinding(one_signature.sha256.hex))
    assert codes["MANDATE_NOT_VALIDLY_SIGNED"] is Level.FAIL
    assert indication is Indication.TOTAL_FAILED


def test_mandate_signed_by_wrong_role_is_not_valid():
    swapped = mandate(sigs=(msig(SECRETARIS_FIELD, BOSSCHAART, T0), msig(BURGEMEESTER_FIELD, VERHOEVEN, T0)))
    codes = {f.code for f in assess_mandate(swapped, HAARLEM, SIGNATORIES)}
    assert codes == {"MANDATE_SIGNER_WRONG_ROLE"}


def test_no_mandate_at_all_fails():
    codes, indication = judge(context(), signature(BOSSCHAART, sig_ts=T0))
    assert codes["MANDATE_MISSING"] is Level.FAIL
    assert indication is Indication.TOTAL_FAILED


# --------------------------------------------------- the order of mandate and signature


def test_ordering_by_self_reported_time_only_is_indeterminate(registered_mandate):
    sig = signature(BOSSCHAART, sig_ts=None, claimed=T0 + timedelta(days=3))
    codes, indication = judge(context(registered_mandate), sig)
    assert codes["MANDATE_ORDER_UNPROVEN"] is Level.WARN
    assert "MANDATE_PRECEDES_SIGNATURE" not in codes
    assert indication is Indication.INDETERMINATE


def test_ordering_by_signature_timestamp_only_is_indeterminate(registered_mandate):
    sig = signature(BOSSCHAART, sig_ts=T0 + timedelta(days=3))  # an upper bound proves nothing here
    codes, indication = judge(context(registered_mandate), sig)
    assert codes["MANDATE_ORDER_UNPROVEN"] is Level.WARN
    assert indication is Indication.INDETERMINATE


def test_content_timestamp_after_mandate_timestamps_proves_order(registered_mandate):
    sig = signature(BOSSCHAART, sig_ts=T0 + timedelta(hours=2), content_ts=T0 + timedelta(hours=1))
    codes, indication = judge(context(registered_mandate), sig)
    assert codes["MANDATE_PRECEDES_SIGNATURE"] is Level.INFO
    assert indication is Indication.TOTAL_PASSED


def test_content_timestamp_before_mandate_is_not_a_pass(registered_mandate):
    sig = signature(BOSSCHAART, sig_ts=T0 + timedelta(hours=2), content_ts=T0 - timedelta(hours=1))
    codes, _ = judge(context(registered_mandate), sig)
    assert codes["MANDATE_ORDER_UNPROVEN"] is Level.WARN


# --------------------------------------------------------------------- revoked mandates


@pytest.mark.parametrize(
    "sig_ts, content_ts, expected",
    [
        # existed (signature timestamp) before the revocation took effect: covered
        (timedelta(hours=1), None, ("MANDATE_IN_FORCE", Level.INFO)),
        # made (content timestamp) after it: not covered
        (timedelta(days=3, hours=1), timedelta(days=3), ("MANDATE_REVOKED", Level.FAIL)),
        # only an upper bound after it: can't be proven either way
        (timedelta(days=3), None, ("MANDATE_REVOCATION_ORDER_UNPROVEN", Level.WARN)),
    ],
    ids=["before", "after", "unproven"],
)
def test_revoked_mandate_covers_only_signatures_proven_before_the_revocation(
    registered_mandate, sig_ts, content_ts, expected
):
    revoked = replace(registered_mandate, revoked_at=T0 + timedelta(days=2))
    sig = signature(BOSSCHAART, sig_ts=T0 + sig_ts, content_ts=T0 + content_ts if content_ts else None)
    binding = SignatureBinding(revoked.sha256.hex, "namens het college van burgemeester en wethouders van Haarlem")
    codes, indication = judge(context(revoked), sig, binding=binding)
    code, level = expected
    assert codes[code] is level
    assert indication is {Level.INFO: Indication.TOTAL_PASSED, Level.WARN: Indication.INDETERMINATE,
                          Level.FAIL: Indication.TOTAL_FAILED}[level]


def test_unbound_signature_still_finds_a_revoked_mandate(registered_mandate):
    """Revocation does not turn an earlier signature into MANDATE_MISSING."""
    revoked = replace(registered_mandate, revoked_at=T0 + timedelta(days=2))
    sig = signature(BOSSCHAART, sig_ts=T0 + timedelta(hours=2), content_ts=T0 + timedelta(hours=1))
    codes, _ = judge(context(revoked), sig)
    assert "MANDATE_MISSING" not in codes
    assert codes["MANDATE_IN_FORCE"] is Level.INFO


# ----------------------------------------------------------- decision date and capacity


def test_signature_proven_before_the_mandate_decision_date_fails(registered_mandate):
    # decided on 2026-11-09 (Amsterdam); a signature timestamped on the 8th existed before it
    early = datetime(2026, 11, 8, 12, 0, tzinfo=UTC)
    binding = SignatureBinding(registered_mandate.sha256.hex, "namens het college van burgemeester en wethouders van Haarlem")
    codes, indication = judge(context(registered_mandate), signature(BOSSCHAART, sig_ts=early), binding=binding)
    assert codes["SIGNED_BEFORE_MANDATE_DECISION"] is Level.FAIL and indication is Indication.TOTAL_FAILED


def test_capacity_of_another_municipality_fails(registered_mandate):
    binding = SignatureBinding(registered_mandate.sha256.hex,
                               "namens het college van burgemeester en wethouders van Zandvoort")
    codes, _ = judge(context(registered_mandate), signature(BOSSCHAART, sig_ts=T0 + timedelta(hours=1)),
                     binding=binding)
    assert codes["CAPACITY_MISMATCH"] is Level.FAIL
    codes, _ = judge(context(covenant={"om"}), signature(TERPSTRA, sig_ts=T0),
                     binding=SignatureBinding(None, "namens het college van burgemeester en wethouders van Haarlem"))
    assert codes["CAPACITY_MISMATCH"] is Level.FAIL


def test_revocation_with_a_future_date_is_not_yet_in_effect(registered_mandate):
    later = replace(registered_mandate, revoked_at=NOW + timedelta(days=10))
    binding = SignatureBinding(later.sha256.hex, "namens het college van burgemeester en wethouders van Haarlem")
    # no timestamp at all: the signature exists now, before the revocation takes effect
    codes, indication = judge(context(later), signature(BOSSCHAART), binding=binding)
    assert codes["MANDATE_IN_FORCE"] is Level.INFO and "MANDATE_REVOKED" not in codes
