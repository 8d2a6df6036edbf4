"""Governance storage on SQLite and PostgreSQL: domain objects back, one audit event per change."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from zvhsign.domain.digests import Sha256
from zvhsign.domain.documents import DocumentKind
from zvhsign.domain.evidence import TimestampEvidence
from zvhsign.domain.mandates import (
    BURGEMEESTER_FIELD,
    SECRETARIS_FIELD,
    Mandate,
    MandateCoverage,
    MandateSignature,
    MandateTerms,
)
from zvhsign.domain.parties import Partner, Signatory
from zvhsign.registry import DuplicateError, NotFoundError, Registry

AT = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)
HAARLEM = Partner("haarlem", "Gemeente Haarlem", "gemeente", oin="00000001800000022000", kvk="90000022")


@pytest.fixture
def reg(registry_url):
    r = Registry.create(registry_url, actor="tester")
    yield r
    r.close()


def test_partners_and_signatories_round_trip_with_audit(reg):
    store = reg.governance
    store.add_partner(HAARLEM, actor="tester")
    store.add_signatory(Signatory("haarlem", "Willemijn Bosschaart", "Burgemeester", ("AB" * 32,)), actor="tester")
    store.add_signatory(Signatory("haarlem", "Willemijn Bosschaart", "burgemeester", ("cd" * 32,)), actor="tester")
    assert store.partners() == [HAARLEM]
    assert store.find_partner("Haarlem") == HAARLEM
    [s] = store.signatories("haarlem")
    assert s.role == "burgemeester" and s.fingerprints == ("ab" * 32, "cd" * 32)
    actions = [e.action for e in reg.events()]
    assert actions == ["init", "register-partner", "register-signatory", "register-signatory"]
    assert reg.verify_log() == []


def test_duplicates_and_unknown_partner_refused_without_audit(reg):
    store = reg.governance
    store.add_partner(HAARLEM, actor="tester")
    with pytest.raises(DuplicateError):
        store.add_partner(HAARLEM, actor="tester")
    with pytest.raises(NotFoundError):
        store.add_signatory(Signatory("zandvoort", "Ineke Zwaanswijk", "burgemeester"), actor="tester")
    store.add_signatory(Signatory("haarlem", "A", "burgemeester", ("ab" * 32,)), actor="tester")
    with pytest.raises(DuplicateError):
        store.add_signatory(Signatory("haarlem", "B", "wethouder", ("ab" * 32,)), actor="tester")
    assert [e.action for e in reg.events()] == ["init", "register-partner", "register-signatory"]


def test_mandate_and_recorded_copy_are_stored_content_addressed(reg):
    store = reg.governance
    store.add_partner(HAARLEM, actor="tester")
    pdf = b"%PDF-1.7 signed mandate %%EOF"
    ts = TimestampEvidence(AT, "TSA", True, True, True)
    m = Mandate(
        sha256=Sha256.of(pdf), partner_key="haarlem",
        terms=MandateTerms("Haarlem", "Willemijn Bosschaart", date(2026, 11, 9),
                           (MandateCoverage(DocumentKind.CONVENANT, "1.0", Sha256("a" * 64)),)),
        signatures=(MandateSignature(SECRETARIS_FIELD, None, True, True, True, ts),
                    MandateSignature(BURGEMEESTER_FIELD, None, True, True, True, ts)),
        revision_sha256s=("e" * 64,),
    )
    store.add_mandate(m, pdf, actor="tester")
    [back] = store.mandates("haarlem")
    assert back.terms == m.terms and back.signatures == m.signatures and back.revision_sha256s == ("e" * 64,)
    assert reg.get_blob(m.sha256) == pdf
    with pytest.raises(DuplicateError):
        store.add_mandate(m, pdf, actor="tester")

    copy = b"%PDF-1.7 a signed copy %%EOF"
    rec = {"field": "ZVH_Handtekening_01", "document": "convenant", "version": "1.0", "approved_sha256": "a" * 64,
           "partner": "haarlem", "signer_name": "Willemijn Bosschaart", "signer_fingerprint": "ab" * 32,
           "indication": "TOTAL-PASSED", "codes": []}
    store.record_copy(copy, {"status": "VERIFIED"}, [rec], actor="tester", trust_sha256="c" * 64)
    [got] = store.recorded_copies()
    assert (got.sha256, got.status, got.trust_sha256, got.evidence) == (Sha256.of(copy).hex, "VERIFIED", "c" * 64, None)
    assert reg.get_blob(Sha256.of(copy)) == copy
    assert [e.action for e in reg.events()][-2:] == ["register-mandate", "record-copy"]
    assert reg.verify_log() == []


def test_a_copy_whose_names_hold_undecodable_bytes_is_recorded(reg):
    """Evidence and verdict text with bytes a parser could not decode (pikepdf's lone
    surrogates) are stored, the bytes as #XX -- SQLite and PostgreSQL refused the text."""
    from zvhsign.domain.evidence import Change, ChangeKind, FileEvidence

    copy = b"%PDF-1.7 a copy with an odd name %%EOF"
    odd = "document info /ZVH\udcc4ocumentId changed"
    ev = FileEvidence(path="kopie.pdf", size=len(copy), sha256=Sha256.of(copy), revision_ends=(10, len(copy)),
                      trailing_bytes=0, stamp=None, approved=None, approved_revision=None,
                      changes=(Change(1, ChangeKind.METADATA, odd),), signatures=())
    reg.governance.record_copy(copy, {"status": "FAILED", "findings": [{"details": [odd]}]}, [],
                               actor="tester", evidence=ev)
    [got] = reg.governance.recorded_copies()
    assert got.status == "FAILED"
    assert got.evidence.changes[0].description == "document info /ZVH#C4ocumentId changed"
