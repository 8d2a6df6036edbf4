"""The governance rules on hand-made evidence (pure domain: no PDF, no database).

Each fixture is named after the case it builds; the real-PDF versions of the
main cases are in tests/services/test_governance_flow.py.
"""

from __future__ import annotations

import ast
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from zvhsign.domain.digests import Sha256
from zvhsign.domain.documents import ApprovedVersion, DocumentKind
from zvhsign.domain.attribution import CovenantSignature, GovernanceContext
from zvhsign.domain.evidence import (
    CertificateInfo,
    FileEvidence,
    Indication,
    SignatureBinding,
    SignatureEvidence,
    SignatureKind,
    TimestampEvidence,
)
from zvhsign.domain.findings import Level
from zvhsign.domain.mandates import (
    BURGEMEESTER_FIELD,
    SECRETARIS_FIELD,
    Mandate,
    MandateCoverage,
    MandateSignature,
    MandateTerms,
    assess_mandate,
)
from zvhsign.domain.parties import Partner, Signatory
from zvhsign.domain.rules import DEFAULT_RULES, Context, RuleSet, VerifyPolicy
from zvhsign.domain.rules import authority, order
from zvhsign.domain.status import status_matrix
from zvhsign.domain.verdicts import BatchVerdict
from zvhsign.errors import PolicyError

T0 = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)
FP = {name: Sha256.of(name.encode()).hex for name in ("bosschaart", "verhoeven", "zwaanswijk", "terpstra", "valstra")}


def cert(name: str, cn: str, org: str, kvk: str) -> CertificateInfo:
    return CertificateInfo(
        subject=f"CN={cn}", common_name=cn, organisation=org, organisation_identifier=f"NTRNL-{kvk}",
        subject_serial_number=None, title=None, issuer="ZVH Test Issuing CA", serial_hex="1",
        not_before=T0 - timedelta(days=300), not_after=T0 + timedelta(days=3000),
        fingerprint_sha256=FP[name],
    )


BOSSCHAART = cert("bosschaart", "Willemijn Bosschaart", "Gemeente Haarlem", "90000022")
VERHOEVEN = cert("verhoeven", "Ruud Verhoeven", "Gemeente Haarlem", "90000022")
TERPSTRA = cert("terpstra", "Saskia Terpstra", "Openbaar Ministerie", "90000044")
VALSTRA = cert("valstra", "Victor Valstra", "Gemeente Haarlem", "90000022")

HAARLEM = Partner("haarlem", "Gemeente Haarlem", "gemeente", kvk="90000022")
ZANDVOORT = Partner("zandvoort", "Gemeente Zandvoort", "gemeente", kvk="90000033")
OM = Partner("om", "Openbaar Ministerie", "om", kvk="90000044")
SIGNATORIES = (
    Signatory("haarlem", "Willemijn Bosschaart", "burgemeester", (FP["bosschaart"],)),
    Signatory("haarlem", "Ruud Verhoeven", "gemeentesecretaris", (FP["verhoeven"],)),
    Signatory("zandvoort", "Ineke Zwaanswijk", "burgemeester", (FP["zwaanswijk"],)),
    Signatory("om", "Saskia Terpstra", "hoofdofficier van justitie", (FP["terpstra"],)),
)


def approved(doc: DocumentKind, version: str, superseded_by: str | None = None) -> ApprovedVersion:
    return ApprovedVersion(
        document=doc, version=version, source_sha256=Sha256.of(f"src {doc} {version}".encode()),
        approved_sha256=Sha256.of(f"approved {doc} {version}".encode()), approved_size=1000,
        decided_on=date(2026, 11, 2), approved_at=T0 - timedelta(days=8),
        approver_fingerprint="ab" * 32, superseded_by=superseded_by,
    )


CONV_10 = approved(DocumentKind.CONVENANT, "1.0")
CONV_11 = approved(DocumentKind.CONVENANT, "1.1")
PROT_10 = approved(DocumentKind.PROTOCOL, "1.0")


def ts(at: datetime) -> TimestampEvidence:
    return TimestampEvidence(time=at, tsa="ZVH Test TSA", intact=True, valid=True, trusted=True)


def msig(field: str, who: CertificateInfo, at: datetime, content: datetime | None = None) -> MandateSignature:
    return MandateSignature(field, who, True, True, True, ts(at), ts(content) if content else None)


def mandate(partner="haarlem", municipality="Haarlem", mayor="Willemijn Bosschaart",
            covers=(CONV_10, PROT_10), sigs=None) -> Mandate:
    terms = MandateTerms(
        municipality, mayor, date(2026, 11, 9),
        tuple(MandateCoverage(a.document, a.version, a.approved_sha256) for a in covers),
    )
    sigs = sigs if sigs is not None else (
        msig(SECRETARIS_FIELD, VERHOEVEN, T0), msig(BURGEMEESTER_FIELD, BOSSCHAART, T0 + timedelta(minutes=5))
    )
    sha = Sha256.of(repr((partner, terms, len(sigs))).encode())
    return Mandate(sha, partner, terms, tuple(sigs), revision_sha256s=("e" * 64, "f" * 64))


def signature(who: CertificateInfo, *, sig_ts: datetime | None = None, content_ts: datetime | None = None,
              claimed: datetime | None = T0 + timedelta(hours=1)) -> SignatureEvidence:
    return SignatureEvidence(
        field_name="ZVH_Handtekening_01", kind=SignatureKind.SIGNATURE, revision=2, signed_end=2000,
        covers_whole_revision=True, intact=True, valid=True, trusted=True,
        indication=Indication.TOTAL_PASSED, subindication=None, failure=None,
        subfilter="/ETSI.CAdES.detached", signer=who, claimed_signing_time=claimed,
        signature_timestamp=ts(sig_ts) if sig_ts else None,
        content_timestamp=ts(content_ts) if content_ts else None,
        best_signature_time=sig_ts, pades_level="B-LTA",
    )


SECRETARIAT = replace(cert("bosschaart", "Secretariaat ZVH", "ZVH Kennemerland", "90000011"),
                      fingerprint_sha256="ab" * 32)


def approval() -> SignatureEvidence:
    """The secretariat's certification signature inside the approved revision."""
    return replace(signature(SECRETARIAT, sig_ts=T0 - timedelta(days=8)), field_name="ZVH_Goedkeuring",
                   kind=SignatureKind.CERTIFICATION, revision=1, docmdp_permission=2)


def file_on(av: ApprovedVersion, sig: SignatureEvidence) -> FileEvidence:
    return FileEvidence(
        path="copy.pdf", size=3000, sha256=Sha256.of(b"copy"), revision_ends=(1000, 2000, 3000), trailing_bytes=0,
        stamp=None, approved=av, approved_revision=1, changes=(), signatures=(approval(), sig),
    )


def context(*mandates: Mandate, approved_versions=(CONV_10, PROT_10), covenant=frozenset()) -> GovernanceContext:
    return GovernanceContext(
        partners=(HAARLEM, ZANDVOORT, OM), signatories=SIGNATORIES, mandates=tuple(mandates),
        approved=tuple(approved_versions),
        covenant=tuple(CovenantSignature(k, "covenant.pdf", ts(T0 - timedelta(days=1)), ts(T0 - timedelta(days=1)))
                       for k in covenant),
    )


POLICY = VerifyPolicy(frozenset({"ab" * 32}))
NOW = T0 + timedelta(days=30)


def judge_file(ctx, sig, av=CONV_10, binding=SignatureBinding(), now=NOW):
    sig = replace(sig, binding=binding)
    return DEFAULT_RULES.judge(file_on(av, sig), Context(POLICY, ctx, now))


def judge(ctx, sig, av=CONV_10, binding=SignatureBinding(), now=NOW):
    sv = judge_file(ctx, sig, av, binding, now).signatures[-1]
    return {f.code: f.level for f in sv.findings}, sv.indication


# -------------------------------------------------------------------------- fixtures


@pytest.fixture
def registered_mandate() -> Mandate:
    return mandate()


@pytest.fixture
def mayor_signature_bound_to_registered_mandate(registered_mandate):
    return signature(BOSSCHAART, sig_ts=T0 + timedelta(hours=1)), SignatureBinding(registered_mandate.sha256.hex, "namens het college van burgemeester en wethouders van Haarlem")


# ----------------------------------------------------------------------------- cases


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


# ------------------------------------------------------------------ revoked mandates


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


# ------------------------------------------------------- order, capacity, retirement


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
