"""The finding catalogue speaks Dutch: every code's meaning and hint (zvhsign/domain/catalogue.py)
is extracted by zvhsign's Babel extractor (babel-findings.cfg), translated in the gettext
catalogue ``zvhsign-findings`` with its placeholders and code names kept, nothing stale is left,
and the committed .mo -- what the standard library's gettext reads at run time -- says what the
.po says."""

from __future__ import annotations

import gettext
import io
import re
from pathlib import Path

import pytest

babel = pytest.importorskip("babel", reason="Babel comes with the [test] extra")

from babel.messages.extract import extract_from_dir  # noqa: E402
from babel.messages.frontend import parse_mapping_cfg  # noqa: E402
from babel.messages.mofile import write_mo  # noqa: E402
from babel.messages.pofile import read_po  # noqa: E402

from zvhsign import i18n  # noqa: E402
from zvhsign.domain.catalogue import CATALOGUE  # noqa: E402
from zvhsign.domain.findings import Level  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
PO = i18n.LOCALE_DIR / "nl" / "LC_MESSAGES" / f"{i18n.FINDINGS_DOMAIN}.po"
MO = PO.with_suffix(".mo")
POT = i18n.LOCALE_DIR / f"{i18n.FINDINGS_DOMAIN}.pot"
#: what stays as it is in Dutch: code names, settings, commands, ETSI and eIDAS terms
_KEPT = re.compile(r"`[^`]+`|\[[a-z]+\]|\b[a-z]+_[a-z_]+\b|--[a-z]+|/[A-Z][A-Za-z]+|"
                   r"\b(?:QES|AdES-QC|AdES|QSCD|PAdES|DocMDP|DSS|XMP|OCSP|TSA|B-T|WARN|FAIL|zvhsign\.toml)\b")


def _kept(text: str) -> list[str]:
    """The terms of ``text`` that a translation keeps; a command's placeholder (``SIGNED_MANDATE.pdf``)
    may be translated."""
    return sorted(re.sub(r"\b[A-Z][A-Z_]{2,}(?:\.\w+)?", "PLACEHOLDER", x) if x.startswith("`") else x
                  for x in _KEPT.findall(text))


def _texts() -> set[str]:
    """Every meaning and hint of the live catalogue."""
    return {c.meaning for c in CATALOGUE.values()} | {c.hint for c in CATALOGUE.values() if c.hint}


def _extracted() -> dict[str, list[str]]:
    """What ``pybabel extract -F babel-findings.cfg zvhsign/domain`` finds, with its comments."""
    with (REPO / "babel-findings.cfg").open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    return {message: comments for _file, _line, message, comments, _context in extract_from_dir(
        str(REPO / "zvhsign" / "domain"), method_map=method_map, options_map=options_map)}


def _po(path: Path = PO):
    with path.open("rb") as fh:
        return read_po(fh, locale="nl")


def test_the_extractor_finds_every_meaning_and_hint_and_nothing_else():
    found = _extracted()
    assert set(found) == _texts()
    # the translator sees which codes a text belongs to (a hint shared by many codes names them all)
    assert found[CATALOGUE["SIGNER_REVOKED"].meaning] == ["what the finding SIGNER_REVOKED means"]
    shared = found[CATALOGUE["CONTENT_CHANGED_AFTER_APPROVAL"].hint]
    assert "CONTENT_CHANGED_AFTER_APPROVAL" in shared[0] and "TRAILING_DATA" in shared[0]


def test_the_extractor_refuses_a_text_it_cannot_read():
    """A meaning built at run time would silently stay English: extraction fails instead."""
    src = b'from .findings import Code\nX = Code("X", F, "a " + NAME, "fine")\n'
    with pytest.raises(ValueError, match=r"line 2: the meaning of X is not a string literal"):
        list(i18n.extract_findings(io.BytesIO(src), (), (), {}))
    ok = b'_H = "do this"\nY = Code("Y", F, "It means.", _H, scope="file")\nZ = Code("Z", I, "Fine.")\n'
    assert [m for _line, _f, m, _c in i18n.extract_findings(io.BytesIO(ok), (), (), {})] == \
        ["It means.", "do this", "Fine."]


def test_the_template_and_the_dutch_catalogue_hold_exactly_the_catalogue():
    texts = _texts()
    assert {m.id for m in _po(POT) if m.id} == texts, "run pybabel extract (see babel-findings.cfg)"
    po = {m.id: m for m in _po() if m.id}
    missing = sorted(texts - set(po))
    assert not missing, f"not in {PO.name} (run pybabel extract + update, see babel-findings.cfg): {missing}"
    stale = sorted(set(po) - texts)
    assert not stale, f"in {PO.name} but no longer in catalogue.py (run pybabel update): {stale}"
    for msgid, m in po.items():
        assert not m.fuzzy, f"fuzzy translation: {msgid}"
        assert m.string.strip() and m.string != msgid, f"untranslated: {msgid}"
        # code names, settings, commands and ETSI/eIDAS terms are kept, not translated
        assert _kept(m.string) == _kept(msgid), (msgid, m.string)


def test_the_committed_mo_says_what_the_po_says():
    buf = io.BytesIO()
    write_mo(buf, _po())
    compiled = gettext.GNUTranslations(io.BytesIO(buf.getvalue()))._catalog
    with MO.open("rb") as fh:
        committed = gettext.GNUTranslations(fh)._catalog
    assert committed == compiled, f"{MO.name} is out of step: run pybabel compile (see babel-findings.cfg)"


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_every_code_reads_dutch_at_run_time(name, monkeypatch):
    """What the installed package reads (the .mo, by the standard library's gettext): a
    Dutch meaning for every code, a Dutch hint for every code that has one -- which every
    blocking code outside mandate registration has (tests/domain/test_catalogue.py)."""
    monkeypatch.delenv(i18n.ENV_VAR, raising=False)
    c = CATALOGUE[name]
    with i18n.using("nl"):
        meaning = i18n.findings_gettext(c.meaning)
        hint = i18n.findings_gettext(c.hint) if c.hint else None
    assert meaning != c.meaning and meaning.strip()
    if c.level is not Level.INFO and c.scope != "mandate":
        assert c.hint and hint != c.hint and hint.strip(), name
    with i18n.using("en"):
        assert i18n.findings_gettext(c.meaning) == c.meaning
