"""What people read: the language (gettext) and Dutch local time.

**Language.** The texts a partner signatory reads -- ``sign``'s pre-flight, prompts
and messages, the ``mandate`` commands, the kit's LEESMIJ -- are written in English
in the code (the msgids) and translated by the gettext catalogue
``zvhsign/locale/<lang>/LC_MESSAGES/zvhsign.mo`` (source: ``zvhsign.po``, kept with
Babel: see ``babel.cfg``). The language is the workspace's ``[display] lang``
(``"nl"``, the default, or ``"en"``); the environment variable ``ZVHSIGN_LANG``
overrides it for one shell. Commands that speak the workspace's language switch it
on with :func:`using`; everything else stays English. An error raised inside
:func:`using` is shown in that language, the words around it ("fout", "tip") too
(``errors.py``, ``cli/main.py``); texts raised below this layer (``pdf/``) are marked
with ``errors.N_`` and translated where they are shown. Only the standard library's
gettext runs here: Babel is needed only to update and compile the catalogues.

**Findings.** The meaning and hint of every finding code (``domain/catalogue.py``,
pure Python, no ``_()`` marks) are translated by a second catalogue,
``zvhsign-findings`` (:data:`FINDINGS_DOMAIN`), extracted from the catalogue module by
:func:`extract_findings` (``babel-findings.cfg``) and read with :func:`findings_gettext`.
``zvhsign.services.findings_text`` puts a finding into words with it.

**Time.** Every time a person reads is Dutch local time with the zone named
(``2026-11-30 17:34 CET``): :func:`local_time` and :func:`local_date`. JSON keeps
UTC ISO-8601 with its offset.
"""

from __future__ import annotations

import contextlib
import gettext as _gettext
import os
from collections.abc import Iterator
from datetime import date, datetime, timezone
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from .errors import UsageError, ZvhsignError, show_moments_with

__all__ = [
    "DOMAIN", "FINDINGS_DOMAIN", "LANGUAGES", "DEFAULT_LANGUAGE", "ENV_VAR", "LOCALE_DIR", "AMSTERDAM",
    "_", "ngettext", "findings_gettext", "extract_findings", "language", "resolve", "activate", "using",
    "translation",
    "local_time", "local_date",
]

DOMAIN = "zvhsign"
#: the finding catalogue's meanings and hints (msgids: the English texts of catalogue.py)
FINDINGS_DOMAIN = "zvhsign-findings"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"
ENV_VAR = "ZVHSIGN_LANG"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


# ------------------------------------------------------------------------- language


@lru_cache(maxsize=None)
def translation(lang: str, domain: str = DOMAIN) -> _gettext.NullTranslations:
    """The catalogue ``domain`` of ``lang``; English (the msgids themselves) for ``"en"``.
    A missing catalogue is an installation fault, said plainly (never silently English)."""
    if lang == "en":
        return _gettext.NullTranslations()
    if lang not in LANGUAGES:
        raise UsageError(f"zvhsign does not speak {lang!r}", hint=f"use one of: {', '.join(LANGUAGES)}")
    try:
        return _gettext.translation(domain, localedir=str(LOCALE_DIR), languages=[lang])
    except OSError:
        raise UsageError(
            f"the {lang!r} translations of zvhsign are missing ({LOCALE_DIR / lang / 'LC_MESSAGES'})",
            hint="reinstall zvhsign, or set [display] lang = \"en\" in zvhsign.toml",
        ) from None


def resolve(setting: str | None = None) -> str:
    """The language to speak: ``$ZVHSIGN_LANG`` (``nl``, ``en``; ``nl_NL.UTF-8`` will do)
    when set, else the workspace's ``setting``, else Dutch."""
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        lang = env.replace("-", "_").split("_")[0].split(".")[0].lower()
        if lang not in LANGUAGES:
            raise UsageError(f"{ENV_VAR}={env}: zvhsign does not speak that language",
                             hint=f"set {ENV_VAR} to one of: {', '.join(LANGUAGES)} (or unset it)")
        return lang
    return setting if setting in LANGUAGES else DEFAULT_LANGUAGE


_active: list[tuple[str, _gettext.NullTranslations]] = [("en", _gettext.NullTranslations())]


def language() -> str:
    """The language spoken now."""
    return _active[-1][0]


def activate(lang: str) -> None:
    """Speak ``lang`` from now on (for the rest of the process)."""
    _active[-1] = (lang, translation(lang))


@contextlib.contextmanager
def using(setting: str | None) -> Iterator[str]:
    """Speak the language :func:`resolve` gives for ``setting`` inside the block (what
    was spoken before comes back afterwards); yields the language code. A
    :class:`ZvhsignError` leaving the block is tagged with the language (``err.lang``,
    unless an inner block tagged it): the CLI says it in that language (errors.py)."""
    lang = resolve(setting)
    _active.append((lang, translation(lang)))
    try:
        yield lang
    except ZvhsignError as exc:
        if exc.lang is None:
            exc.lang = lang
        raise
    except KeyboardInterrupt as exc:  # Ctrl-C: "interrupted" is said in this language too
        if getattr(exc, "lang", None) is None:
            exc.lang = lang
        raise
    finally:
        _active.pop()


def _(message: str) -> str:
    """``message`` (an English msgid) in the language spoken now."""
    return _active[-1][1].gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _active[-1][1].ngettext(singular, plural, n)


def findings_gettext(message: str) -> str:
    """A finding code's meaning or hint (an English text of ``domain/catalogue.py``) in
    the language spoken now; a text the catalogue does not know stays as it is."""
    return translation(language(), FINDINGS_DOMAIN).gettext(message)


def extract_findings(fileobj, keywords, comment_tags, options):  # noqa: ANN001, ANN201
    """Babel extractor for ``zvhsign/domain/catalogue.py`` (``babel-findings.cfg``): the
    meaning and the hint of every ``Code(name, level, meaning, hint, ...)``, string
    literals or module-level string constants (``_ASK_APPROVED``). Yields Babel's
    ``(lineno, funcname, message, comments)``, one per distinct text, the comment naming
    the codes that use it. Anything else in those places is an error: a text that is not
    extracted would silently stay English."""
    import ast

    source = fileobj.read().decode(options.get("encoding", "utf-8"))
    tree = ast.parse(source)
    constants: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) \
                and isinstance(node.value.value, str):
            constants.update((t.id, node.value.value) for t in node.targets if isinstance(t, ast.Name))

    def text(node: ast.expr | None, what: str) -> str | None:
        if node is None or isinstance(node, ast.Constant) and node.value is None:
            return None
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.Name) and node.id in constants:
            return constants[node.id]
        raise ValueError(f"catalogue line {node.lineno}: the {what} is not a string literal or a "
                         f"module-level string constant ({ast.unparse(node)}); it can't be translated")

    found: dict[str, tuple[int, list[str], list[str]]] = {}  # text -> (line, meaning of, hint of)
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)
             and (getattr(n.func, "id", None) == "Code" or getattr(n.func, "attr", None) == "Code")]
    for call in sorted(calls, key=lambda n: n.lineno):
        kw = {k.arg: k.value for k in call.keywords}
        args = [*call.args, *(None,) * 4]
        name = text(args[0] or kw.get("name"), "name")
        for i, (field, slot) in enumerate((("meaning", 1), ("hint", 2))):
            msg = text(args[2 + i] or kw.get(field), f"{field} of {name}")
            if msg:
                found.setdefault(msg, (call.lineno, [], []))[slot].append(name)
    for msg, (line, meaning_of, hint_of) in found.items():
        comments = []
        if meaning_of:
            comments.append("what the finding " + ", ".join(meaning_of) + " means")
        if hint_of:
            comments.append("what to do about " + ", ".join(hint_of))
        yield line, None, msg, comments


# ----------------------------------------------------------------------------- time


def _aware(dt: datetime) -> datetime:
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=timezone.utc)  # naive: UTC


def local_time(dt: datetime | None, *, seconds: bool = False, empty: str = "-") -> str:
    """``dt`` in Dutch local time with the zone named: ``2026-11-30 17:34 CET`` (summer:
    ``CEST``); a naive ``dt`` is taken as UTC; ``None`` gives ``empty``."""
    if dt is None:
        return empty
    fmt = "%Y-%m-%d %H:%M:%S %Z" if seconds else "%Y-%m-%d %H:%M %Z"
    return _aware(dt).astimezone(AMSTERDAM).strftime(fmt)


def local_date(dt: datetime | date | None, *, empty: str = "-") -> str:
    """The Dutch calendar date of ``dt`` (``2026-11-30``); a ``date`` stays as it is."""
    if dt is None:
        return empty
    if not isinstance(dt, datetime):
        return dt.isoformat()
    return _aware(dt).astimezone(AMSTERDAM).strftime("%Y-%m-%d")


show_moments_with(local_time)  # the times in errors raised below this layer too (errors.py)
