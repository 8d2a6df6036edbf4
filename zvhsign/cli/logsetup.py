"""Logging for the CLI: quiet on the terminal, the detail in a file on request.

Libraries (pikepdf/qpdf, pyHanko, WeasyPrint, fontTools, asyncio, aiohttp…) log
warnings and tracebacks of their own; zvhsign reports its own findings and one-line
errors instead, so nothing of theirs reaches the terminal by default.

* ``ZVHSIGN_DEBUG_LOG=FILE``: everything (DEBUG and up, Python warnings, exceptions
  ignored in destructors) is appended to FILE; the terminal stays quiet.
* ``ZVHSIGN_DEBUG=1``: the same detail on stderr (and internal errors with their trace).
"""

from __future__ import annotations

import logging
import os
import sys

LIBRARY_LOGGERS = (
    "pikepdf", "pyhanko", "pyhanko_certvalidator", "weasyprint", "fontTools", "asyncio",
    "aiohttp", "certomancer", "werkzeug", "urllib3", "PIL", "alembic", "sqlalchemy",
    "pkcs11", "tinycss2", "cssselect2", "py.warnings",
)
#: libraries whose DEBUG/INFO records say nothing about a verdict (font subsetting, SQL
#: mapper set-up): warnings only, also in the debug log
_CHATTY = frozenset({"fontTools", "PIL", "sqlalchemy", "alembic", "tinycss2", "cssselect2"})
DEBUG_LOG_VAR = "ZVHSIGN_DEBUG_LOG"
_FORMAT = "%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"
_installed: list[logging.Handler] = []


def _unraisable_to_log(unraisable) -> None:
    logging.getLogger("zvhsign.unraisable").debug(
        "exception ignored in %r", unraisable.object,
        exc_info=(unraisable.exc_type, unraisable.exc_value, unraisable.exc_traceback),
    )


def configure_logging(environ=None) -> str | None:
    """Configure logging once for this process; returns the debug log file in use, if any."""
    env = os.environ if environ is None else environ
    root = logging.getLogger()
    for handler in _installed:
        root.removeHandler(handler)
        handler.close()
    _installed.clear()

    log_file = env.get(DEBUG_LOG_VAR) or None
    on_terminal = bool(env.get("ZVHSIGN_DEBUG"))
    handlers: list[logging.Handler] = []
    if log_file:
        try:
            handler = logging.FileHandler(log_file, encoding="utf-8", errors="backslashreplace")
        except OSError as exc:
            sys.stderr.write(f"zvhsign: warning: can't write the debug log {log_file}: {exc.strerror}\n")
            log_file = None
        else:
            handlers.append(handler)
    if on_terminal:
        handlers.append(logging.StreamHandler(sys.stderr))
    if not handlers:
        # a handler on the root: Python's last-resort handler (WARNING and up to
        # stderr) is never used, so no library record reaches the terminal
        handlers.append(logging.NullHandler())
    for handler in handlers:
        handler.setFormatter(logging.Formatter(_FORMAT))
        root.addHandler(handler)
        _installed.append(handler)

    detail = bool(log_file or on_terminal)
    root.setLevel(logging.DEBUG if detail else logging.WARNING)
    for name in LIBRARY_LOGGERS:
        level = logging.DEBUG if name not in _CHATTY else logging.WARNING
        logging.getLogger(name).setLevel(level if detail else logging.CRITICAL + 1)
    logging.captureWarnings(True)  # warnings.warn(...) of libraries → logger py.warnings
    if not on_terminal:
        sys.unraisablehook = _unraisable_to_log  # "Exception ignored in …" → the log
    if log_file:
        logging.getLogger("zvhsign").debug("zvhsign %s", " ".join(sys.argv))
    return log_file
