"""The gettext catalogue (zvhsign/locale) is complete and in step with the code: every
text marked with ``_()``/``ngettext()`` has a Dutch translation that keeps its
placeholders, nothing stale is left, and the committed .mo (what ships in the wheel
and what the standard library's gettext reads) says what the .po says. Babel reads
the code and the .po the way ``pybabel extract/compile`` (babel.cfg) does."""

from __future__ import annotations

import gettext
import io
import string
from datetime import datetime, timezone
from pathlib import Path

import pytest

babel = pytest.importorskip("babel", reason="Babel comes with the [test] extra")

from babel.messages.extract import extract_from_dir  # noqa: E402
from babel.messages.mofile import write_mo  # noqa: E402
from babel.messages.pofile import read_po  # noqa: E402

from zvhsign import i18n  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
PO = i18n.LOCALE_DIR / "nl" / "LC_MESSAGES" / "zvhsign.po"
MO = PO.with_suffix(".mo")


def _ids_in_code() -> set:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(REPO / "zvhsign"), method_map=[("**.py", "python")],
    ):
        found.add(message if isinstance(message, str) else tuple(message))
    return found


def _po():
    with PO.open("rb") as fh:
        return read_po(fh, locale="nl")


def _fields(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None}


def test_every_marked_text_is_translated_and_nothing_stale_is_left():
    po = _po()
    in_po = {m.id if isinstance(m.id, str) else tuple(m.id): m for m in po if m.id}
    in_code = _ids_in_code()
    assert in_code, "no marked texts found: the extraction looked in the wrong place"
    missing = sorted(map(str, in_code - set(in_po)))
    assert not missing, f"not in zvhsign.po (run pybabel extract + update, see babel.cfg): {missing}"
    stale = sorted(map(str, set(in_po) - in_code))
    assert not stale, f"in zvhsign.po but no longer in the code (run pybabel update): {stale}"
    for key, m in in_po.items():
        assert not m.fuzzy, f"fuzzy translation: {key}"
        strings = m.string if isinstance(m.string, (tuple, list)) else (m.string,)
        ids = key if isinstance(key, tuple) else (key,)
        assert all(s.strip() for s in strings), f"untranslated: {key}"
        for s in strings:  # placeholders kept: str.format would fail (or lose facts) otherwise
            assert _fields(s) == _fields(ids[-1]), (key, s)


def test_the_committed_mo_says_what_the_po_says():
    buf = io.BytesIO()
    write_mo(buf, _po())
    compiled = gettext.GNUTranslations(io.BytesIO(buf.getvalue()))._catalog
    with MO.open("rb") as fh:
        committed = gettext.GNUTranslations(fh)._catalog
    assert committed == compiled, "zvhsign.mo is out of step: run pybabel compile (see babel.cfg)"


def test_gettext_finds_the_dutch_catalogue_where_the_package_is():
    nl = i18n.translation("nl")
    assert nl.gettext("Sign this document?") == "Dit document ondertekenen?"
    assert nl.ngettext("{path} ({n} partner signature so far)", "{path} ({n} partner signatures so far)", 1) \
        == "{path} (tot nu toe {n} handtekening van een partner)"
    assert i18n.translation("en").gettext("Sign this document?") == "Sign this document?"
    with pytest.raises(i18n.UsageError):
        i18n.translation("de")


def test_using_switches_the_language_for_the_block_only(monkeypatch):
    monkeypatch.delenv(i18n.ENV_VAR, raising=False)
    assert i18n.language() == "en"
    with i18n.using("nl") as lang:
        assert lang == "nl" and i18n._("dry run: nothing signed, nothing written").startswith("proefrun")
        with i18n.using("en"):
            assert i18n._("dry run: nothing signed, nothing written").startswith("dry run")
        assert i18n.language() == "nl"
    assert i18n.language() == "en"
    with i18n.using(None):  # no setting: Dutch, the default
        assert i18n.language() == "nl"
    monkeypatch.setenv(i18n.ENV_VAR, "en")
    with i18n.using("nl"):
        assert i18n.language() == "en"


@pytest.mark.parametrize("moment, shown, date", [
    (datetime(2026, 11, 30, 16, 34, 12, tzinfo=timezone.utc), "2026-11-30 17:34 CET", "2026-11-30"),
    (datetime(2026, 7, 1, 22, 30, tzinfo=timezone.utc), "2026-07-02 00:30 CEST", "2026-07-02"),
    (datetime(2026, 3, 29, 0, 59), "2026-03-29 01:59 CET", "2026-03-29"),  # naive: UTC
    (datetime(2026, 3, 29, 1, 0, tzinfo=timezone.utc), "2026-03-29 03:00 CEST", "2026-03-29"),  # DST starts
])
def test_local_time_is_amsterdam_with_the_zone_named(moment, shown, date):
    assert i18n.local_time(moment) == shown
    assert i18n.local_time(moment, seconds=True) == shown[:16] + f":{moment.second:02d}" + shown[16:]
    assert i18n.local_date(moment) == date
    assert i18n.local_time(None) == "-"
