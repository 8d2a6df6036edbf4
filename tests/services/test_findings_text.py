"""A finding for people (zvhsign.services.findings_text): in English the rule's own message,
as always; in Dutch the code's translated meaning, the rule's English message as details only
where it adds facts, and the hint translated (a rule's own hint the catalogue does not know stays
as it is). Findings are made the way the rules make them: by calling the catalogue's codes."""

from __future__ import annotations

import pytest

from zvhsign import i18n
from zvhsign.domain import catalogue as C
from zvhsign.domain.findings import Finding, Level
from zvhsign.services.findings_text import adds_facts, finding_line, finding_text

REVOKED = C.SIGNER_REVOKED("the signer's certificate was revoked on 2026-10-01 (ETSI TOTAL-FAILED/REVOKED_NO_POE)")
NO_APPROVAL = C.APPROVAL_SIGNATURE_MISSING("no certification (approval) signature")


@pytest.fixture(autouse=True)
def _no_env(monkeypatch):
    monkeypatch.delenv(i18n.ENV_VAR, raising=False)


def test_english_is_the_finding_itself():
    with i18n.using("en"):
        t = finding_text(REVOKED)
        assert (t.text, t.details, t.hint) == (REVOKED.message, None, "sign again with a valid certificate")
        assert finding_line(REVOKED, details=True) == f"SIGNER_REVOKED: {REVOKED.message}"


def test_dutch_is_the_meaning_with_the_rules_facts_as_details():
    with i18n.using("nl"):
        t = finding_text(REVOKED)
        line = finding_line(REVOKED)
        inline = finding_line(REVOKED, details=True)
    assert t.text == "Het certificaat van de ondertekenaar is ingetrokken."
    assert t.details == REVOKED.message  # the date and the ETSI indication are facts the meaning lacks
    assert t.hint == "onderteken opnieuw met een geldig certificaat"
    assert line == "SIGNER_REVOKED: Het certificaat van de ondertekenaar is ingetrokken."
    assert inline == line + f" (details, in het Engels: {REVOKED.message})"


def test_a_message_that_only_restates_the_meaning_is_not_repeated():
    with i18n.using("nl"):
        t = finding_text(NO_APPROVAL)
        assert finding_line(NO_APPROVAL, details=True) == f"APPROVAL_SIGNATURE_MISSING: {t.text}"
    assert t.text == "Het exemplaar heeft geen goedkeuringshandtekening (certificering)."
    assert t.details is None
    assert t.hint == "vraag het secretariaat om het goedgekeurde exemplaar en onderteken dat"


def test_a_rules_own_hint_stays_unless_the_catalogue_translates_it():
    own = C.SIGNER_NOT_TRUSTED("no chain to a trust root (ETSI INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND)",
                               hint="ask your CA for the intermediate certificate")
    borrowed = C.SIGNATURE_INVALID("the signature value does not verify", hint=C.SIGNER_REVOKED.hint)
    with i18n.using("nl"):
        assert finding_text(own).hint == "ask your CA for the intermediate certificate"
        assert finding_text(borrowed).hint == "onderteken opnieuw met een geldig certificaat"
        assert finding_text(borrowed).details is None


def test_a_code_outside_the_catalogue_or_without_a_hint_reads_as_its_message():
    odd = Finding("NOT_A_CODE", Level.WARN, "something zvhsign has no words for")
    with i18n.using("nl"):
        t = finding_text(odd)
        assert (t.text, t.details, t.hint) == (odd.message, None, None)
        info = finding_text(C.GOVERNANCE_NOT_CONFIGURED(""))  # an empty message is the meaning
    assert info.text.startswith("Er zijn geen partners geregistreerd") and info.details is None
    assert info.hint is None


@pytest.mark.parametrize("message, meaning, adds", [
    ("the signed bytes do not match the signature (changed after signing)",
     "The signed bytes do not match the signature: changed after signing.", False),
    ("approved copy without any partner signature", "An approved copy without any partner signature.", False),
    ("AdES-QC, not a qualified electronic signature: no QSCD",
     C.NOT_QUALIFIED.meaning, True),
    ("3 byte(s) follow the last revision", C.TRAILING_DATA.meaning, True),
])
def test_adds_facts(message, meaning, adds):
    assert adds_facts(message, meaning) is adds
