"""Command-line interface: the only place that imports click.

Renders results and maps errors to exit codes: 0 verified, 1 findings,
2 usage, 3 could not complete (also: interrupted by Ctrl-C or SIGTERM).
"""

from __future__ import annotations

import os
import signal
import sys

from .main import cli

_interrupted: list[int] = []


def _on_interrupt(signum, frame) -> None:  # noqa: ANN001
    """SIGINT/SIGTERM: end the command at once.

    The first signal raises KeyboardInterrupt wherever the main thread is (also
    inside an asyncio event loop, whose own SIGINT handling only cancels the
    running task at its next ``await`` -- after the whole batch when the work is
    synchronous); the command's clean-up runs (staged outputs are discarded,
    transactions rolled back) and it ends with one line and exit 3. A second
    signal during that clean-up ends the process immediately."""
    if _interrupted:
        try:
            os.write(2, b"zvhsign: interrupted again; stopped\n")
        finally:
            os._exit(3)
    _interrupted.append(signum)
    _stop_workers()
    raise KeyboardInterrupt


def _stop_workers() -> None:
    """End this process's worker processes (``verify --jobs``): they ignore Ctrl-C and
    would otherwise examine the rest of the batch before the pool lets the command end."""
    mp = sys.modules.get("multiprocessing")
    if mp is None:
        return
    try:
        for child in mp.active_children():
            child.terminate()
    except Exception:  # noqa: BLE001 - ending anyway
        pass


def install_interrupt_handlers() -> None:
    """Ctrl-C and SIGTERM raise KeyboardInterrupt at once (see :func:`_on_interrupt`).
    A signal that is ignored (``nohup``, a background job) stays ignored."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            current = signal.getsignal(sig)
            if current in (signal.default_int_handler, signal.SIG_DFL):
                signal.signal(sig, _on_interrupt)
        except (ValueError, OSError):  # not the main thread / not supported
            pass


def main(argv: list[str] | None = None) -> None:
    from .keyopts import take_secret_env
    from .logsetup import configure_logging

    take_secret_env()  # before anything can start a child process
    configure_logging()
    install_interrupt_handlers()
    cli.main(args=argv, prog_name="zvhsign")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
