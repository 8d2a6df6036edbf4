"""Examining copies on several cores: a process pool over files for large batches.

Only step 1 of the pipeline (examining a copy: pyHanko validation, the revision
analysis) runs in the workers; each worker opens its own runtime once (HTTP
session, trust, test PKI) and examines the files it is given. The judgement stays
in the parent (services/pipeline.py): the same rules, the same registry facts, the
same verdicts in the same order as in one process.

Workers are forked from multiprocessing's fork server (``forkserver``): a clean process,
started once per command, that has imported what every worker needs (:data:`PRELOAD`) and
nothing else -- no database connections, no threads, no event loop to inherit, as with
``spawn``, but without every worker importing pyHanko, pikepdf and the HTTP client anew (about
0.5-1 s of CPU each: with ``spawn`` a batch paid it once per worker, so ``--jobs 16`` on a
bigger machine paid sixteen times). The fork server's standard error goes where the log goes,
like the resource tracker's (see :func:`_quiet_helpers`).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from . import heap

#: below this many files per worker a pool costs more (process start, imports) than it saves
MIN_FILES_PER_JOB = 4

#: imported once, in the fork server, before the workers are forked from it (what
#: ``_init`` and ``_examine`` import; a module that can't be imported is left to the worker)
PRELOAD = (
    "zvhsign.services.parallel",
    "zvhsign.services.runtime",
    "zvhsign.pdf.examine",
    "zvhsign.pdf.sigexamine",
    "zvhsign.pdf.structure",
    "zvhsign.pdf.doctimestamps",
    "pyhanko.sign.validation",
    "pyhanko.sign.validation.ades",
    "pyhanko_certvalidator",
    "pikepdf",
    "aiohttp",
)

_state: dict = {}


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def jobs_for(n_files: int, jobs: int | None) -> int:
    """How many worker processes to use for ``n_files`` (1: examine in this process)."""
    wanted = default_jobs() if jobs is None else jobs
    return max(1, min(wanted, n_files // MIN_FILES_PER_JOB))


def _init(ws, online, at, sizes, setup, reuse_lists) -> None:  # noqa: ANN001
    """In a worker: open the runtime once, for all the files this worker examines.
    ``setup``: the caller's process set-up (the CLI's quiet logging), or None."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    _end_with_parent()
    heap.allow()  # a worker only examines files: its set-up is set apart on its first file
    if setup is not None:
        setup()
    from .runtime import open_runtime

    async def opened(stack: contextlib.AsyncExitStack):
        rt = await stack.enter_async_context(open_runtime(ws, online=online, moment=at,
                                                                reuse_lists=reuse_lists))
        return rt, rt.env.signature_spec()  # the environment made in the loop (aiohttp's session needs it)

    loop = asyncio.new_event_loop()
    stack = contextlib.AsyncExitStack()
    rt, spec = loop.run_until_complete(opened(stack))
    _state.update(loop=loop, rt=rt, stack=stack, sizes=sizes, spec=spec)


def _end_with_parent() -> None:
    """In a worker: end when the command that started it ends, however it ended. A command
    stopped (SIGTERM, Ctrl-C) before it told its workers to stop left a worker waiting for
    work for ever -- holding the command's standard output open, so that a script reading
    it waited too. multiprocessing's sentinel of the parent process becomes readable when the
    parent is gone; a daemon thread waits for that."""
    import multiprocessing
    import threading
    from multiprocessing.connection import wait

    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        wait([parent.sentinel])
        os._exit(0)

    threading.Thread(target=watch, name="zvhsign-end-with-parent", daemon=True).start()


def _examine(label: str, path: str | None, given: bytes | None, keep_data: bool, etsi: bool):
    """In a worker: (evidence, data read from ``path``, error, whether the file is damaged, ETSI
    report parts or None) of one copy: a file, or bytes ``given`` by the parent (a recorded
    copy's; not sent back)."""
    from ..errors import DamagedFileError, ZvhsignError
    from ..pdf.examine import examine, plain_text
    from .files import read_input

    sizes = _state["sizes"]
    parts: list | None = [] if etsi else None
    try:
        data = given if given is not None else read_input(Path(path))
        ev = _state["loop"].run_until_complete(
            examine(label, data, _state["rt"].env, lambda n: sizes.get(n, []), spec=_state["spec"], etsi=parts))
        return ev, (data if keep_data and given is None else None), None, False, parts
    except ZvhsignError as exc:
        return None, None, exc.message, isinstance(exc, DamagedFileError), None
    except Exception as exc:  # one bad file must not stop the batch
        return None, None, f"could not be examined: {plain_text(exc)}", False, None


def _quiet_helpers(ctx) -> None:  # noqa: ANN001
    """Start multiprocessing's helper processes -- the fork server the workers are forked
    from, and the resource tracker (which removes the pool's semaphores when this process
    ends) -- with their standard error where the log goes, not on the terminal: after an
    interrupt this process ends without tidying up (cli/interrupts.py), and the tracker
    would say so on stderr ("leaked semaphore objects to clean up"); a Ctrl-C while the fork
    server imports would print its traceback. The workers, forked from the fork server,
    log where ``setup`` sends them."""
    import logging
    from multiprocessing import forkserver, resource_tracker

    ctx.set_forkserver_preload(list(PRELOAD))
    root = logging.getLogger()
    files = [h.baseFilename for h in root.handlers if isinstance(h, logging.FileHandler)]
    to_terminal = any(type(h) is logging.StreamHandler for h in root.handlers)
    def start() -> None:
        resource_tracker.ensure_running()
        forkserver.ensure_running()

    if to_terminal and not files:
        start()  # ZVHSIGN_DEBUG: everything on stderr
        return
    target = os.open(files[0] if files else os.devnull, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    saved = os.dup(2)
    try:
        os.dup2(target, 2)  # the helpers inherit this process's stderr when they start
        start()
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(target)


def examine_in_pool(ws, copies: Sequence, *, jobs: int, online: bool, at, sizes: dict,  # noqa: ANN001
                    keep_data: bool, setup=None, reuse_lists: bool = True, etsi: bool = False) -> Iterator[tuple]:
    """(copy, evidence, data, error, damaged, ETSI report parts) for every copy, in the given order,
    examined by ``jobs`` worker processes (the parts when ``etsi``, else None): a file is read
    by the worker, bytes in hand are sent to it (and ``data`` is then the copy's own). Copies
    with stored evidence must not be given here."""
    ctx = get_context("forkserver")
    _quiet_helpers(ctx)
    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_init,
                             initargs=(ws, online, at, sizes, setup, reuse_lists)) as pool:
        futures = [pool.submit(_examine, c.label, None if c.path is None else str(c.path), c.data, keep_data, etsi)
                   for c in copies]
        try:
            for copy, fut in zip(copies, futures):
                ev, data, error, damaged, parts = fut.result()
                yield copy, ev, (copy.data if copy.data is not None and keep_data else data), error, damaged, parts
        except BaseException:  # an interrupt or an error: don't wait for the rest of the batch
            pool.shutdown(wait=False, cancel_futures=True)
            raise
