"""Progress for commands that take seconds: on stderr, only on a terminal.

``verify`` and ``extend`` count files (``[i/n] state path``, see cli/main.py); a
command doing one slow thing (``sign``, ``approve``, ``init``, ``report``) shows
what it is doing now with a rich spinner on stderr, which disappears when done
(``transient``). Nothing is shown when stderr is not a terminal (scripts, pipes,
tests), so stdout and stderr stay exactly what they were.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator


class Busy:
    """One spinner line that can be stopped (before a prompt or other output) and
    started again with a new text."""

    def __init__(self, enabled: bool | None = None) -> None:
        self._console = None
        if enabled is None:
            enabled = sys.stderr.isatty()
        if enabled:
            from rich.console import Console

            self._console = Console(stderr=True)
            # a spinner needs a terminal that can move the cursor (not TERM=dumb)
            enabled = self._console.is_interactive
        self.enabled = enabled
        self._status = None

    def start(self, text: str) -> None:
        if not self.enabled:
            return
        if self._status is not None:
            self._status.update(text)
            return
        self._status = self._console.status(text, spinner="dots")
        self._status.start()

    def stop(self) -> None:
        if self._status is not None:
            status, self._status = self._status, None
            status.stop()


@contextlib.contextmanager
def busy(text: str, enabled: bool | None = None) -> Iterator[Busy]:
    """``text`` with a spinner on stderr (on a terminal) while the block runs."""
    b = Busy(enabled)
    b.start(text)
    try:
        yield b
    finally:
        b.stop()
