"""Long chains of objects get a deep stack: the analyses that follow a file's object graph
run in a thread of their own with room for :data:`MAX_DEPTH` Python frames.

pyHanko's difference analysis (the paths to every object of a signed revision) and
zvhsign's own revision model follow the object graph recursively, two or three Python
frames per link. With Python's default limit of 1,000 frames, a chain of ~330 linked objects -- the
``/Next`` links of an outline with that many bookmarks at one level, an article thread's
beads -- could not be analysed, and a correctly signed copy of such a document was reported
as not validated and malformed. No PDF nests *direct* objects that deep (:mod:`.bounds`
refuses more than 100 levels before any parser reads them), but chains of *indirect*
objects are ordinary.

The main thread's stack (8 MB, shared with C code) is too small for more frames, so the
analysis runs in a thread started with :data:`STACK_BYTES` of stack, while the calling
thread waits. Python's recursion limit is raised to :data:`MAX_DEPTH` for as long as any such
call runs (it is process-wide), and put back after. A structure deeper still runs out of
frames as before: ``RecursionError``, which zvhsign reports as its bound (``bounds.py``).
What such a call costs: a thread per call (~0.15 ms; the stack is reserved, not touched).
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

#: Python frames available to a deep call: chains of ~1,500 linked objects (an outline with
#: 1,500 bookmarks at one level) are followed. pyHanko's analysis takes three frames per link
#: and time that grows with the square of the chain (~10 s at 1,500 links): the bound keeps a
#: hostile chain from costing more. Each frame takes at most a few kB of C stack
#: (tests/pdf/test_deepstack.py recurses to the limit through C calls without crashing)
MAX_DEPTH = 5_000
STACK_BYTES = 256 << 20  # reserved address space; only the pages used are memory

_lock = threading.Lock()
_running = 0
_limit_before = 0


def call_deep(fn: Callable[..., T], *args, **kwargs) -> T:
    """``fn(*args, **kwargs)`` in a thread with a deep stack; its result, or its exception
    raised here."""
    outcome: list = []

    def run() -> None:
        try:
            outcome.append((True, fn(*args, **kwargs)))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller below
            outcome.append((False, exc))

    _enter()
    try:
        with _lock:  # the stack size applies to threads started from now on: this one only
            before = threading.stack_size(STACK_BYTES)
            try:
                worker = threading.Thread(target=run, name="zvhsign-deep", daemon=True)
                worker.start()
            finally:
                threading.stack_size(before)
        worker.join()
    finally:
        _leave()
    ok, value = outcome[0]
    if not ok:
        raise value
    return value


def _enter() -> None:
    global _running, _limit_before
    with _lock:
        if _running == 0:
            _limit_before = sys.getrecursionlimit()
            sys.setrecursionlimit(max(_limit_before, MAX_DEPTH))
        _running += 1


def _leave() -> None:
    global _running
    with _lock:
        _running -= 1
        if _running == 0:
            sys.setrecursionlimit(_limit_before)
