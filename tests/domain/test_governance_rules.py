"""The governance rules on hand-made evidence (pure domain: no PDF, no database): who may
sign (registered, authorised, retired signatories), the Privacy Protocol after the covenant,
superseded versions and the status matrix, the rule set and partner values, and the domain's
freedom from infrastructure. The mandate rules are in test_mandate_rules.py, the hand-made
evidence in conftest.py.

The real-PDF versions of the main cases are in tests/services/test_governance_flow.py.
"""

from __future__ import annotations

import ast
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from zvhsign.domain.attribution import CovenantSignature
from zvhsign.domain.documents import DocumentKind
from zvhsign.domain.evidence import Indication
from zvhsign.domain.findings import Level
from zvhsign.domain.parties import Partner
from zvhsign.domain.rules import RuleSet, authority, order
from zvhsign.domain.status import status_matrix
from zvhsign.domain.verdicts import BatchVerdict
from zvhsign.errors import PolicyError

from .conftest import (
    BOSSCHAART,
    CONV_10,
    CONV_11,
    NOW,
    PROT_10,
    SIGNATORIES,
    T0,
    TERPSTRA,
    VALSTRA,
    VERHOEVEN,
    approved,
    context,
    judge,
    judge_file,
    mandate,
    signature,
    ts,
)


# ---------------------------------------------- the Privacy Protocol after the covenant


def test_protocol_signature_without_covenant_signature_fails():
    codes, _ = judge(context(), signature(TERPSTRA, sig_ts=T0), av=PROT_10)
    assert codes == {"SIGNER_AUTHORISED": Level.INFO, "COVENANT_SIGNATURE_MISSING": Level.FAIL}
    codes, indication = judge(context(covenant={"om"}), signature(TERPSTRA, sig_ts=T0, content_ts=T0), av=PROT_10)
    assert codes["PROTOCOL_AFTER_COVENANT"] is Level.INFO and indication is Indication.TOTAL_PASSED


@pytest.mark.parametrize("protocol, covenant, expected", [
    # covenant timestamped (upper bound) before the protocol's content timestamp (lower bound)
    ((T0, T0), (T0 - timedelta(hours=1), T0 - timedelta(hours=1)), ("PROTOCOL_AFTER_COVENANT", Level.INFO)),
    # the protocol existed before the covenant was made (its content timestamp): sign again
    ((T0, T0), (T0 + timedelta(hours=1), T0 + timedelta(hours=1)), ("PROTOCOL_BEFORE_COVENANT", Level.FAIL)),
    # no lower bound on the protocol signature: the order can't be proven
    ((None, T0), (T0 - timedelta(hours=1), T0 - timedelta(hours=1)), ("PROTOCOL_ORDER_UNPROVEN", Level.WARN)),
], ids=["after", "before", "unproven"])
def test_protocol_signature_must_be_proven_after_the_covenant_signature(protocol, covenant, expected):
    content, sig_ts = protocol
    ctx = replace(context(), covenant=(CovenantSignature("om", "c.pdf", ts(covenant[1]), ts(covenant[0])),))
    codes, _ = judge(ctx, signature(TERPSTRA, sig_ts=sig_ts, content_ts=content), av=PROT_10)
    code, level = expected
    assert codes[code] is level
    if code == "PROTOCOL_BEFORE_COVENANT":
        v = judge_file(ctx, signature(TERPSTRA, sig_ts=sig_ts, content_ts=content), av=PROT_10)
        f = next(f for f in v.signatures[-1].findings if f.code == code)
        assert "sign the Privacy Protocol again" in f.hint


# ------------------------------------------------------------------------- who may sign


def test_signer_not_in_registry_fails():
    codes, indication = judge(context(mandate()), signature(VALSTRA, sig_ts=T0))
    assert codes == {"SIGNER_UNKNOWN": Level.FAIL}
    assert indication is Indication.TOTAL_FAILED


def test_secretaris_may_not_sign_the_documents():
    codes, _ = judge(context(mandate()), signature(VERHOEVEN, sig_ts=T0))
    assert codes["SIGNER_NOT_AUTHORISED"] is Level.FAIL


def test_placed_by_organisation_identifier_and_name_when_certificate_unregistered():
    new_cert = replace(BOSSCHAART, fingerprint_sha256="c" * 64)
    placement = context().place(new_cert)
    assert placement is not None and placement[2] == "organisation identifier and name"
    assert context().place(replace(new_cert, organisation_identifier="NTRNL-90000033")) is None


@pytest.mark.parametrize("sig_ts, content_ts, expected", [
    (timedelta(hours=1), None, ("SIGNER_AUTHORISED", Level.INFO)),
    (timedelta(days=3, hours=1), timedelta(days=3), ("SIGNER_RETIRED", Level.FAIL)),
    (timedelta(days=3), None, ("SIGNER_RETIREMENT_ORDER_UNPROVEN", Level.WARN)),
], ids=["before", "after", "unproven"])
def test_retired_signatory_signs_only_before_retirement(sig_ts, content_ts, expected):
    retired = tuple(replace(s, retired_at=T0 + timedelta(days=2)) if s.name == "Saskia Terpstra" else s
                    for s in SIGNATORIES)
    ctx = replace(context(covenant={"om"}), signatories=retired)
    sig = signature(TERPSTRA, sig_ts=T0 + sig_ts, content_ts=T0 + content_ts if content_ts else None)
    codes, _ = judge(ctx, sig)
    code, level = expected
    assert codes[code] is level


# ------------------------------------------------------- versions and the status matrix


def test_signature_on_superseded_version_needs_resigning():
    old = approved(DocumentKind.CONVENANT, "1.0", superseded_by="1.1")
    ctx = context(approved_versions=(old, CONV_11, PROT_10), covenant={"om"})
    fv = judge_file(ctx, signature(TERPSTRA, sig_ts=T0), av=old)
    assert {f.code: f.level for f in fv.findings}["VERSION_SUPERSEDED"] is Level.WARN
    assert fv.signatures[-1].ok and not fv.verified
    matrix = status_matrix(ctx, BatchVerdict((fv,)), NOW).to_json()
    om = next(p for p in matrix["partners"] if p["partner"] == "om")
    assert om["documents"]["convenant"]["state"] == "needs re-signing"


def test_status_matrix_is_rendered_from_verdicts(registered_mandate):
    ctx = context(registered_mandate, covenant={"om"})
    good = judge_file(ctx, signature(TERPSTRA, sig_ts=T0, content_ts=T0), av=CONV_10)
    revoked = replace(signature(TERPSTRA, sig_ts=T0, content_ts=T0), trusted=False,
                      indication=Indication.TOTAL_FAILED, subindication="REVOKED")
    bad = judge_file(ctx, revoked, av=PROT_10)
    before = status_matrix(ctx, BatchVerdict((good, bad)), NOW).to_json()
    om = next(p for p in before["partners"] if p["partner"] == "om")
    assert om["documents"]["convenant"]["state"] == "signed"
    assert om["documents"]["protocol"]["state"] == "invalid"
    assert om["documents"]["protocol"]["signatures"][0]["codes"] == ["SIGNER_REVOKED"]
    haarlem = next(p for p in before["partners"] if p["partner"] == "haarlem")
    assert haarlem["documents"]["convenant"]["state"] == "missing"
    assert haarlem["mandate"]["state"] == "registered"
    zandvoort = next(p for p in before["partners"] if p["partner"] == "zandvoort")
    assert zandvoort["mandate"]["state"] == "missing"
    later = context(registered_mandate, approved_versions=(CONV_10, CONV_11, PROT_10))
    after = status_matrix(later, BatchVerdict(()), NOW).to_json()
    assert after["current_versions"]["convenant"] == "1.1"
    haarlem = next(p for p in after["partners"] if p["partner"] == "haarlem")
    assert haarlem["mandate"]["state"] == "does not cover current version"


# ----------------------------------------- the rule set, partners, the domain's imports


def test_empty_governance_rule_set_fails_closed():
    with pytest.raises(PolicyError):
        RuleSet(rules=())
    with pytest.raises(PolicyError):  # a scope without rules is an empty rule set too
        RuleSet(rules=authority.RULES + order.RULES)


@pytest.mark.parametrize("bad", [
    dict(key="Haarlem!", name="x", kind="gemeente"),
    dict(key="x", name="x", kind="ministerie"),
    dict(key="x", name="x", kind="om", oin="123"),
    dict(key="x", name="x", kind="om", kvk="1234"),
])
def test_partner_refuses_malformed_values(bad):
    with pytest.raises(ValueError):
        Partner(**bad)


def test_domain_module_imports_no_infrastructure():
    for src in (Path(__file__).resolve().parents[2] / "zvhsign" / "domain").rglob("*.py"):
        tree = ast.parse(src.read_text(encoding="utf-8"))
        mods = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        mods |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        bad = {m for m in mods if m.split(".")[0] in {"click", "sqlalchemy", "pyhanko", "pikepdf", "asn1crypto", "cattrs"}}
        assert not bad, (src, bad)
