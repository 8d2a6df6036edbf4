"""The reasons for a signature's eIDAS qualification are facts (an English msgid and its
parameters), worded where they are shown: ``verify --json`` and the findings keep the
English sentences they always had, the Dutch audit report says them in Dutch, and the
evidence store keeps the facts (schema 2; evidence recorded with string reasons, schema 1,
is read with those English sentences as they were). Real material only: the test LOTL and Dutch trusted list and the copies
signed as QES, AdES-QC and AdES of test_qualification.py.
"""

from __future__ import annotations

import html
import json
import re

import pytest

from tests.qualification.test_qualification import _cli, _partner, _verify, setup  # noqa: F401 -- the module fixture
from zvhsign import i18n
from zvhsign.domain.qualification import NOT_ASSESSED, QualificationReason

SERVICE = "ZVH Test Issuing CA - qualified certificates (TEST ONLY)"
ISO = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00"
LOCAL = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d CES?T"
QC_EN = re.compile(re.escape(f"qualified certificate (esign) issued under '{SERVICE}', granted at ") + ISO)
QC_NL = re.compile(re.escape(f"gekwalificeerd certificaat (esign), uitgegeven onder '{SERVICE}'; die dienst had op ")
                   + LOCAL + " de status verleend")
NO_QSCD_EN = ("the key is not declared to be in a qualified signature creation device "
              "(no QcSSCD statement, no QSCD qualifier on the trusted list)")
NO_QSCD_NL = ("er is niet verklaard dat de sleutel in een gekwalificeerd middel voor het aanmaken van "
              "elektronische handtekeningen (QSCD) zit (geen QcSSCD-verklaring in het certificaat, "
              "geen QSCD-kwalificatie op de vertrouwenslijst)")
NOT_QC_EN = ("the certificate does not declare itself qualified (no QcCompliance statement) and the "
             "trusted list does not qualify it")
NOT_QC_NL = ("het certificaat verklaart zelf niet gekwalificeerd te zijn (geen QcCompliance-verklaring) en de "
             "vertrouwenslijst maakt het ook niet gekwalificeerd")


@pytest.fixture(autouse=True)
def _no_language_override(monkeypatch):
    monkeypatch.delenv(i18n.ENV_VAR, raising=False)  # the report speaks Dutch unless told otherwise


@pytest.fixture(scope="module")
def batch(setup):  # noqa: F811
    return _verify(setup.approved.ws, setup.copies.values())


def _q(batch, setup, label):  # noqa: F811
    return _partner(batch, setup.copies[label])[1].evidence.qualification


def test_the_reasons_are_facts_whose_msgids_the_dutch_catalogue_knows(batch, setup):  # noqa: F811
    nl = i18n.translation("nl")
    for label in ("politie", "reclassering", "nonqualified-signer"):
        q = _q(batch, setup, label)
        assert q.reasons and all(type(r) is QualificationReason for r in q.reasons), (label, q.reasons)
        for r in q.reasons:
            assert str(r) == r.text == r.msgid.format(**dict(r.params))
            assert nl.gettext(r.msgid) != r.msgid, f"no Dutch for {r.msgid!r}"
    (qc, key) = _q(batch, setup, "reclassering").reasons
    assert dict(qc.params)["service"] == SERVICE and re.fullmatch(ISO, dict(qc.params)["at"])
    assert QC_EN.fullmatch(qc.text) and key.text == NO_QSCD_EN
    assert [r.text for r in _q(batch, setup, "nonqualified-signer").reasons] == [NOT_QC_EN]
    assert NOT_ASSESSED.reasons == (
        QualificationReason("no trusted lists are loaded in this workspace (zvhsign trust tl add)"),)


def test_verify_json_and_the_findings_keep_the_english_sentences(setup):  # noqa: F811
    def reasons(label):
        r = _cli(setup.approved.ws, "verify", "--json", "--no-cache", str(setup.copies[label]))
        sig = next(s for s in json.loads(r.output)["files"][0]["signatures"] if s["kind"] == "signature")
        return sig["qualification"]["reasons"]

    qc, key = reasons("reclassering")
    assert QC_EN.fullmatch(qc) and key == NO_QSCD_EN
    assert reasons("nonqualified-signer") == [NOT_QC_EN]
    strict = _verify(setup.approved.ws, [setup.copies["reclassering"], setup.copies["nonqualified-signer"]],
                     require_qualified=True)
    message = {f.code: f.message for f in _partner(strict, setup.copies["reclassering"])[1].findings}
    assert re.fullmatch(re.escape("AdES-QC, not a qualified electronic signature: ") + QC_EN.pattern
                        + re.escape("; " + NO_QSCD_EN), message["NOT_QUALIFIED"])
    message = {f.code: f.message for f in _partner(strict, setup.copies["nonqualified-signer"])[1].findings}
    assert message["NOT_QUALIFIED"] == "AdES, not a qualified electronic signature: " + NOT_QC_EN


def test_the_report_says_the_reasons_in_dutch(setup):  # noqa: F811
    from zvhsign.reports import render_report
    from zvhsign.reports.model import build_report
    from zvhsign.services.reporting import gather

    files = [setup.copies["reclassering"], setup.copies["nonqualified-signer"]]
    facts = gather(setup.approved.ws, files, responsible="J. de Vries")
    cards = {s.file.rsplit("/", 1)[-1]: s.qualification for s in build_report(facts).signatures
             if s.kind == "ondertekening partner"}
    adesqc, ades = cards[files[0].name], cards[files[1].name]
    assert adesqc.level == "AdES-QC" and len(adesqc.reasons) == 2
    assert QC_NL.fullmatch(adesqc.reasons[0]), adesqc.reasons
    assert adesqc.reasons[1] == NO_QSCD_NL
    assert ades.level == "AdES" and ades.reasons == (NOT_QC_NL,)
    page = " ".join(html.unescape(render_report(setup.approved.ws, facts, "html").decode("utf-8")).split())
    assert NO_QSCD_NL in page and NOT_QC_NL in page and QC_NL.search(page)
    for english in (NO_QSCD_EN, NOT_QC_EN, "issued under", "granted at"):
        assert english not in page


def test_a_translation_that_does_not_fit_its_parameters_falls_back_to_english():
    from zvhsign.reports.words import reason_text

    r = QualificationReason.of("the certificate is qualified for {type}, not for electronic signatures",
                               type="eseal")
    assert r.said(lambda _m: "gekwalificeerd voor {soort}") == r.text  # a field the reason lacks
    assert r.said(lambda _m: "gekwalificeerd voor {0}") == r.text
    with i18n.using("nl"):
        assert reason_text(r) == "het certificaat is gekwalificeerd voor eseal, niet voor elektronische handtekeningen"
        unknown = QualificationReason.of("a reason no catalogue knows, at {at}", at="2026-07-01T10:00:00+00:00")
        assert reason_text(unknown) == "a reason no catalogue knows, at 2026-07-01 12:00:00 CEST"


def test_the_evidence_store_keeps_the_reasons_and_reads_old_evidence(batch, setup):  # noqa: F811
    from zvhsign.registry import evidence_codec as codec
    from zvhsign.reports.words import reason_text

    fv = _partner(batch, setup.copies["reclassering"])[0]
    stored = codec.dumps(fv.evidence)
    back = codec.loads(stored)
    assert back == fv.evidence
    q = next(s.qualification for s in back.signatures if s.qualification.level.value == "AdES-QC")
    assert all(type(r) is QualificationReason for r in q.reasons) and q.reasons[1].text == NO_QSCD_EN
    doc = json.loads(stored)
    assert doc["schema"] == codec.SCHEMA == "zvhsign.evidence/3"
    assert codec.loads(json.dumps({**doc, "schema": "zvhsign.evidence/0"})) is None  # unknown: examine again
    # schema 2: the same facts without the timestamps' trust problems (read as unknown)
    two = json.loads(stored)
    for sig in two["evidence"]["signatures"]:
        for key in ("signature_timestamp", "content_timestamp"):
            if sig.get(key):
                sig[key].pop("trust_problem")
    read = codec.loads(json.dumps({**two, "schema": "zvhsign.evidence/2"}))
    assert read is not None and read.sha256 == fv.evidence.sha256
    assert all(s.signature_timestamp is None or s.signature_timestamp.trust_problem is None for s in read.signatures)
    # evidence recorded before the reasons were facts: schema 1, the reasons plain strings. It is
    # read as it is (else every command would examine the recorded covenant copies again), the
    # reasons staying the English sentences they were, braces and all
    for sig in doc["evidence"]["signatures"]:
        sig["qualification"]["reasons"] = [r["msgid"].format(**dict(r["params"]))
                                           for r in sig["qualification"]["reasons"]]
    doc["evidence"]["signatures"][0]["qualification"]["reasons"].append("a {braced} reason")
    old = codec.loads(json.dumps({**doc, "schema": "zvhsign.evidence/1"}))
    assert old is not None and old.sha256 == fv.evidence.sha256
    sentences = [[r.text for r in s.qualification.reasons] for s in old.signatures]
    expected = [[r.text for r in s.qualification.reasons] for s in fv.evidence.signatures]
    expected[0].append("a {braced} reason")
    assert sentences == expected
    with i18n.using("nl"):
        assert reason_text(old.signatures[0].qualification.reasons[-1]) == "a {braced} reason"
    assert codec.loads(json.dumps(doc)) is None  # string reasons under the new schema: not mis-read either
