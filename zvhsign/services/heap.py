"""A command's long-lived objects, set apart from the cyclic garbage collector once.

A command imports about a thousand modules (pyHanko, SQLAlchemy, cryptography, asn1crypto,
lxml ...) and sets up its trust and registry: some 10^5 objects that live until it exits.
CPython's cyclic collector scans every one of them again at each full collection -- a few
times in a one-copy command (once more at exit), every few files in a batch -- while none
of them can ever be garbage. Measured on a demo copy (2 cores, alternating runs): a
one-copy ``verify`` spent 0.86 s CPU, 0.74 s with this; a ``sign`` 0.88 s, 0.72 s.

:func:`settle` moves what is alive when the pipeline starts on its first file (everything
imported and set up by then) to the permanent generation with :func:`gc.freeze` -- the
use CPython documents for long-lived objects -- once per process; collection goes on as
before for everything made after it, so a batch's per-file garbage is collected as
before. What is frozen is never collected: a cycle that was alive then and dies later
stays until the process ends (once, bounded by what a command holds before its first
file). Only a process that owns its lifetime allows it (:func:`allow`): the CLI and the
pipeline's worker processes. A library caller (the tests, a program importing zvhsign)
keeps its collector untouched.
"""

from __future__ import annotations

import gc
import os

_allowed_in: int | None = None  # the process id that allowed settling
_settled_in: int | None = None  # the process id that has settled


def allow() -> None:
    """This process owns its lifetime (a command, a worker): :func:`settle` may freeze."""
    global _allowed_in
    _allowed_in = os.getpid()


def settle() -> bool:
    """Freeze what is alive now, once per process, where allowed; True if it froze now."""
    global _settled_in
    pid = os.getpid()  # a forked child has its own allowance and its own objects to settle
    if _allowed_in != pid or _settled_in == pid:
        return False
    _settled_in = pid
    gc.freeze()
    return True
