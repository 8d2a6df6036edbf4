"""Examining copies on several cores: a process pool over files for large batches.

Only step 1 of the pipeline (examining a copy: pyHanko validation, the revision
analysis) runs in the workers; each worker opens its own runtime once (HTTP
session, trust, test PKI) and examines the files it is given. The judgement stays
in the parent (services/pipeline.py): the same rules, the same registry facts, the
same verdicts in the same order as in one process.

Workers are started with ``spawn`` (no inherited database connections or threads).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

#: below this many files per worker a pool costs more (process start, imports) than it saves
MIN_FILES_PER_JOB = 4

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


def _examine(label: str, path: str, keep_data: bool):
    """In a worker: (evidence, data, error) of one file."""
    from ..errors import ZvhsignError
    from ..pdf.examine import examine, plain_text
    from .files import read_input

    sizes = _state["sizes"]
    try:
        data = read_input(Path(path))
        ev = _state["loop"].run_until_complete(
            examine(label, data, _state["rt"].env, lambda n: sizes.get(n, []), spec=_state["spec"]))
        return ev, (data if keep_data else None), None
    except ZvhsignError as exc:
        return None, None, exc.message
    except Exception as exc:  # one bad file must not stop the batch
        return None, None, f"could not be examined: {plain_text(exc)}"


def _start_resource_tracker() -> None:
    """Start multiprocessing's resource tracker (a helper process that removes the pool's
    semaphores when this process ends) with its messages where the log goes, not on the
    terminal: after an interrupt this process ends without tidying up (cli/interrupts.py),
    and the tracker would say so on stderr ("leaked semaphore objects to clean up")."""
    import logging
    from multiprocessing import resource_tracker

    root = logging.getLogger()
    files = [h.baseFilename for h in root.handlers if isinstance(h, logging.FileHandler)]
    to_terminal = any(type(h) is logging.StreamHandler for h in root.handlers)
    if to_terminal and not files:
        resource_tracker.ensure_running()  # ZVHSIGN_DEBUG: everything on stderr
        return
    target = os.open(files[0] if files else os.devnull, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    saved = os.dup(2)
    try:
        os.dup2(target, 2)  # the tracker inherits this process's stderr when it starts
        resource_tracker.ensure_running()
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(target)


def examine_in_pool(ws, copies: Sequence, *, jobs: int, online: bool, at, sizes: dict,  # noqa: ANN001
                    keep_data: bool, setup=None, reuse_lists: bool = True) -> Iterator[tuple]:
    """(copy, evidence, data, error) for every copy, in the given order, examined by ``jobs``
    worker processes. Copies with stored evidence or bytes in hand must not be given here."""
    ctx = get_context("spawn")
    _start_resource_tracker()
    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_init,
                             initargs=(ws, online, at, sizes, setup, reuse_lists)) as pool:
        futures = [pool.submit(_examine, c.label, str(c.path), keep_data) for c in copies]
        try:
            for copy, fut in zip(copies, futures):
                ev, data, error = fut.result()
                yield copy, ev, data, error
        except BaseException:  # an interrupt or an error: don't wait for the rest of the batch
            pool.shutdown(wait=False, cancel_futures=True)
            raise
