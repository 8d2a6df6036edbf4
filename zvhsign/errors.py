"""The single exception root of zvhsign.

Every error zvhsign raises on purpose derives from :class:`ZvhsignError` and
carries a human diagnostic (what went wrong, and where useful what to do about
it) and the process exit code the CLI maps it to:

* 1 -- findings: the input was judged and found wanting (e.g. ``sign`` refuses a
  copy that is not an approved version);
* 2 -- usage: the command was called wrongly (bad option, no workspace);
* 3 -- could not complete: unreadable input, unreachable service, bad key.

**Language.** ``message`` and ``hint`` are English (logs, JSON and callers read them).
An error a partner signatory may meet is also said in their language, translated where it
is shown (``cli/main.py``), in the language spoken where it arose: ``i18n.using`` sets
:attr:`ZvhsignError.lang` on an error leaving its block. Layers below ``i18n`` (``pdf/``)
can't translate, so such an error carries its English msgids and their parameters:
``SigningKeyError.spoken(N_("can't open {path}: wrong passphrase"), hint=N_("..."), path=p)``.
:func:`N_` marks a msgid for ``pybabel extract`` (``babel.cfg``) and changes nothing; a
parameter that is itself marked (``N_("an empty file")``) is translated too.
:meth:`ZvhsignError.diagnostic` with a ``gettext`` gives the translated text; an error
without msgids keeps its text (it may already be in the language spoken, via ``_()``).
The system's reason for a failed file operation (``exc.strerror``) is such a parameter
when it is one of the common ones: :func:`os_reason`.
"""

from __future__ import annotations

import errno
from collections.abc import Callable
from datetime import datetime

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INCOMPLETE = 3


class Msgid(str):
    """An English text marked for translation (see :func:`N_`); otherwise a plain ``str``."""

    __slots__ = ()


def N_(msgid: str) -> Msgid:  # the gettext name Babel extracts by default
    """Marks ``msgid`` for extraction (``babel.cfg``) without translating it: for texts
    raised below ``i18n`` and translated where they are shown."""
    return Msgid(msgid)


# the system's reasons (strerror, as Python gives them) a signatory most often meets in a
# message about a file, marked so that they are said in the signatory's language too
_OS_REASONS = {
    errno.ENOENT: N_("No such file or directory"),
    errno.EACCES: N_("Permission denied"),
    errno.EPERM: N_("Operation not permitted"),
    errno.EISDIR: N_("Is a directory"),
    errno.ENOTDIR: N_("Not a directory"),
    errno.ENOSPC: N_("No space left on device"),
    errno.EDQUOT: N_("Disk quota exceeded"),
    errno.EFBIG: N_("File too large"),
    errno.EROFS: N_("Read-only file system"),
}


# how a moment (a ``datetime`` parameter of :meth:`ZvhsignError.spoken`) is put into words:
# ISO 8601 here; ``i18n`` (the layer that knows Dutch local time) installs its own on import
_moment_text: Callable[[datetime], str] = datetime.isoformat


def moment_text(dt: datetime) -> str:
    """A moment as people read it (Dutch local time with the zone named, once ``i18n`` is
    imported; ISO 8601 before): for the messages of findings and errors of every layer."""
    return _moment_text(dt)


def show_moments_with(text: Callable[[datetime], str]) -> None:
    """Put every moment in an error's message into words with ``text`` (``i18n.local_time``:
    ``2026-11-30 17:34 CET``) -- also the errors raised by layers below ``i18n``."""
    global _moment_text
    _moment_text = text


def os_reason(exc: OSError) -> str:
    """The system's reason for ``exc`` as a message parameter: its ``strerror`` (else the
    exception's class name), a :class:`Msgid` when it is one of the common reasons marked
    above -- only when the text is exactly that (another system, or an ``OSError`` made
    with its own words, keeps its text), so the English message is what it was."""
    marked = _OS_REASONS.get(exc.errno)
    if marked is not None and marked == exc.strerror:
        return marked
    return exc.strerror or type(exc).__name__


class ZvhsignError(Exception):
    """Root of all zvhsign errors. ``str(err)`` is the one-line diagnostic."""

    exit_code: int = EXIT_INCOMPLETE
    #: the language spoken where the error arose (set by ``i18n.using``); None: English
    lang: str | None = None
    #: the English msgids of message and hint, and their format parameters (:meth:`spoken`)
    msgid: str | None = None
    hint_msgid: str | None = None
    params: dict | None = None

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    @classmethod
    def spoken(cls, msgid: str, /, *, hint: str | None = None, **params: object):
        """The error whose message (and hint) is ``msgid`` (``hint``) formatted with
        ``params``; both are msgids (mark them with :func:`N_`), translated at display.
        A ``datetime`` parameter is said as people read times (:func:`show_moments_with`)."""
        params = {k: _moment_text(v) if isinstance(v, datetime) else v for k, v in params.items()}
        err = cls(msgid.format(**params), hint=hint.format(**params) if hint else None)
        err.msgid, err.hint_msgid, err.params = msgid, hint, params
        return err

    def said(self, gettext: Callable[[str], str] | None = None) -> tuple[str, str | None]:
        """``(message, hint)`` translated by ``gettext`` when the error carries msgids;
        else (or when a translation does not fit its parameters) as they are."""
        if gettext is None or self.msgid is None:
            return self.message, self.hint
        params = {k: gettext(v) if isinstance(v, Msgid) and v else v for k, v in (self.params or {}).items()}
        try:
            message = gettext(self.msgid).format(**params)
            hint = gettext(self.hint_msgid).format(**params) if self.hint_msgid else self.hint
        except (KeyError, IndexError, ValueError):
            return self.message, self.hint
        return message, hint

    def diagnostic(self, gettext: Callable[[str], str] | None = None) -> str:
        """The message plus, when known, a hint on what to do next; translated by
        ``gettext`` (the words around them too) when given."""
        message, hint = self.said(gettext)
        if hint:
            return f"{message}\n  " + (gettext or str)(N_("hint: {hint}")).format(hint=hint)
        return message


class UsageError(ZvhsignError):
    """The command was called wrongly (exit 2)."""

    exit_code = EXIT_USAGE


class WorkspaceError(UsageError):
    """No workspace, or its configuration is unusable (exit 2)."""


class InputError(ZvhsignError):
    """An input file can't be read or is not what it claims to be (exit 3)."""


class DamagedFileError(InputError):
    """The file was read, and is not a PDF that can be examined (not a PDF, cut off, damaged,
    encrypted): a verdict on the copy -- the finding FILE_DAMAGED, exit 1 -- not a failure to
    complete. (A file that can't be read at all -- missing, a directory, no permission -- stays
    an :class:`InputError`, exit 3.)"""


class SigningKeyError(ZvhsignError):
    """A signing key or certificate can't be loaded (wrong passphrase, bad file)."""


class ServiceError(ZvhsignError):
    """A network service (TSA, OCSP, CRL) did not answer usefully (exit 3)."""


class RegistryError(ZvhsignError):
    """The registry database can't be reached, is locked, or is inconsistent (exit 3)."""


class RefusedError(ZvhsignError):
    """zvhsign judged the input and refuses to act on it (exit 1)."""

    exit_code = EXIT_FINDINGS


class PolicyError(ZvhsignError):
    """A verification policy is unusable, e.g. an empty rule set (fails closed)."""


# ---------------------------------------------------------------- interrupts

_interrupts: list[int] = []


def note_interrupt(signum: int) -> bool:
    """Record that the command was asked to stop (SIGINT, SIGTERM: ``cli`` catches them).
    Returns whether it had been asked before."""
    before = bool(_interrupts)
    _interrupts.append(signum)
    return before


def interrupted() -> bool:
    return bool(_interrupts)


def stop_if_interrupted() -> None:
    """Raise :class:`KeyboardInterrupt` again if the command was asked to stop.

    The signal raises it once, wherever the main thread is -- also inside a library that
    turns every error into its own (a pikepdf stream callback becomes a ``PdfError``
    that ``except Exception`` takes for an unreadable file). Work that must not go on
    after an interrupt, nor keep a result made during one, calls this at its seams:
    after each copy is examined, before an output is given its name."""
    if _interrupts:
        raise KeyboardInterrupt
