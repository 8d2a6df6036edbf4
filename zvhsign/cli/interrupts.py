"""Ctrl-C and SIGTERM: the command ends at once, with one line and exit 3.

The first signal raises KeyboardInterrupt wherever the main thread is (also inside an
asyncio event loop, whose own SIGINT handling only cancels the running task at its next
``await`` -- after the whole batch when the work is synchronous); the command's
clean-up runs (staged outputs are discarded, transactions rolled back) and
``cli/main.py`` says ``zvhsign: interrupted; nothing was written``.

* The interrupt is remembered (``errors.note_interrupt``): where a library took the
  KeyboardInterrupt for an error of its own, the work stops at its next seam
  (``errors.stop_if_interrupted``) instead of going on with the batch.
* Worker processes (``verify --jobs``) ignore Ctrl-C; they are ended here.
* A second signal during the clean-up ends the process immediately.
* After the clean-up and the line the process ends at once (:func:`exit_interrupted`),
  not through the interpreter's exit, which waits for the threads libraries started.
* A clean-up that does not end within :data:`GRACE_S` does not keep the command
  alive: a watchdog ends the process.
"""

from __future__ import annotations

import os
import signal
import sys
import threading

from ..errors import note_interrupt

#: seconds the clean-up after an interrupt may take before the process is ended anyway
GRACE_S = 10.0
_said: list[bool] = []


def said_interrupted() -> None:
    """The clean-up is done and the line is said."""
    _said.append(True)


def _on_interrupt(signum, frame) -> None:  # noqa: ANN001
    if note_interrupt(signum):
        try:
            os.write(2, b"zvhsign: interrupted again; stopped\n")
        finally:
            os._exit(3)
    _start_watchdog()
    _stop_workers()
    _log_where(signum, frame)
    raise KeyboardInterrupt


def _start_watchdog() -> None:
    timer = threading.Timer(GRACE_S, _end_now)
    timer.daemon = True
    timer.name = "zvh-interrupt-watchdog"
    timer.start()


def _end_now() -> None:
    """The clean-up took too long: end the process (exit 3). Only system calls here: a
    Python stream's lock may be held by the thread that is stuck."""
    try:
        if not _said:
            os.write(2, b"zvhsign: interrupted; stopped before the clean-up finished\n")
    finally:
        os._exit(3)


def exit_interrupted(code: int) -> None:
    """End an interrupted command now that its clean-up is done and its line said:
    without the interpreter's own exit, which waits for threads a library left behind
    (a thread pool, a server) and runs their finalizers -- the wait CI saw never end."""
    import logging

    try:
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        logging.shutdown()  # the debug log is complete
        _remove_multiprocessing_tempdir()
    finally:
        os._exit(code)


def _remove_multiprocessing_tempdir() -> None:
    """The folder multiprocessing made in $TMPDIR for the worker pool (``pymp-*``: the fork
    server's socket), which its exit handler -- not run here -- would have removed."""
    process = sys.modules.get("multiprocessing.process")
    tempdir = process.current_process()._config.get("tempdir") if process is not None else None
    if tempdir:
        import shutil

        shutil.rmtree(tempdir, ignore_errors=True)


def _log_where(signum, frame) -> None:  # noqa: ANN001
    """Where the signal found the command, in the debug log (if one is kept)."""
    import logging
    import traceback

    log = logging.getLogger("zvhsign.interrupt")
    if log.isEnabledFor(logging.DEBUG):
        try:
            log.debug("%s received in:\n%s", signal.Signals(signum).name,
                      "".join(traceback.format_stack(frame)))
        except Exception:  # noqa: BLE001 - stopping anyway
            pass


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
    """Ctrl-C and SIGTERM raise KeyboardInterrupt at once (see the module's text).
    A signal that is ignored (``nohup``, a background job) stays ignored."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            current = signal.getsignal(sig)
            if current in (signal.default_int_handler, signal.SIG_DFL):
                signal.signal(sig, _on_interrupt)
        except (ValueError, OSError):  # not the main thread / not supported
            pass
