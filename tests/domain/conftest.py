"""Hand-made governance evidence for the domain tests (pure domain: no PDF, no database):
certificates, partners and signatories, approved versions, mandates, signatures, the
governance context, and ``judge``/``judge_file`` through the default rules. The tests import
the helpers from here (``from .conftest import ...``); ``registered_mandate`` is a fixture.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

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
from zvhsign.domain.mandates import (
    BURGEMEESTER_FIELD,
    SECRETARIS_FIELD,
    Mandate,
    MandateCoverage,
    MandateSignature,
    MandateTerms,
)
from zvhsign.domain.parties import Partner, Signatory
from zvhsign.domain.rules import DEFAULT_RULES, Context, VerifyPolicy

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


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture
def registered_mandate() -> Mandate:
    return mandate()
