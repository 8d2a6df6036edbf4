"""A finding as people read it, in the language spoken now (:mod:`zvhsign.i18n`).

A rule makes a finding with an English message about this file or signature; the
catalogue (``domain/catalogue.py``) says once what the code means and what to do. In
English a finding reads as its own message, as it always has. In another language it
reads as its code's translated meaning (catalogue ``zvhsign-findings``), with the
rule's English message kept as *details* only where it adds facts the meaning lacks
(names, dates, ETSI indications, counts), and the hint translated -- a rule's own hint
that the catalogue does not know stays as it is.

Every place that shows findings to people (``sign``'s pre-flight and refusals, the
mandate commands, the web page, the audit report) calls :func:`finding_text`, or
:func:`finding_line` for one line, inside :func:`zvhsign.i18n.using`. JSON and the
registry keep the finding itself (code, English message, hint): they are for programs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..domain.catalogue import CATALOGUE
from ..domain.findings import Finding
from ..i18n import _, findings_gettext, language

__all__ = ["FindingText", "finding_text", "finding_line", "adds_facts"]

_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class FindingText:
    """A finding in words: ``text`` what it means (in English the rule's message),
    ``details`` the rule's English message where it adds facts (only when ``text`` is a
    translation), ``hint`` what to do (None: nothing to say)."""

    code: str
    text: str
    details: str | None = None
    hint: str | None = None


def adds_facts(message: str, meaning: str) -> bool:
    """Whether ``message`` says more than ``meaning``: a word (name, number, date,
    indication) that the meaning does not have, case and punctuation aside. "no
    certification (approval) signature" adds nothing to "The copy has no certification
    (approval) signature."; "... revoked on 2026-11-02 (ETSI TOTAL-FAILED/REVOKED)" does."""
    known = {w.lower() for w in _WORD.findall(meaning)}
    return any(w.lower() not in known for w in _WORD.findall(message))


def finding_text(f: Finding) -> FindingText:
    """``f`` for people, in the language spoken now (see the module's docstring)."""
    if language() == "en":
        return FindingText(f.code, f.message, None, f.hint)
    hint = findings_gettext(f.hint) if f.hint else None
    entry = CATALOGUE.get(f.code)
    meaning = findings_gettext(entry.meaning) if entry is not None else None
    if entry is None or meaning == entry.meaning:  # unknown code, or not translated: the message says most
        return FindingText(f.code, f.message, None, hint)
    details = f.message if adds_facts(f.message, entry.meaning) else None
    return FindingText(f.code, meaning, details, hint)


def finding_line(f: Finding, *, details: bool = False) -> str:
    """``CODE: text`` on one line (a refusal, a warning); with ``details`` the rule's
    English facts follow in brackets, for where nothing else shows them."""
    t = finding_text(f)
    line = f"{t.code}: {t.text}"
    if details and t.details:
        line += " " + _("(details: {message})").format(message=t.details)
    return line
