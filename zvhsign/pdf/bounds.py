"""zvhsign's own bounds on hostile structure, checked before any parser reads the bytes.

Nesting depth: arrays and dictionaries nested thousands deep exhaust a recursive
parser's stack (pyHanko's reader, and the canonicalisation in :mod:`.structure`).
No real PDF nests anywhere near :data:`MAX_NESTING` levels; a revision that does is
not read at all: it is reported as exceeding the bound (a finding, with the bound
named), and the revisions before it are still judged.
"""

from __future__ import annotations

import re

#: the deepest nesting of arrays and dictionaries zvhsign reads (qpdf stops at 500;
#: pyHanko's recursive reader at about 300 with Python's default stack)
MAX_NESTING = 100

# one level: an opening bracket, then what may stand before the next opening bracket
# inside the same container: a key, numbers, references, keywords (not a closing bracket)
# (possessive: no backtracking, linear in the file's size)
_OPEN = rb"(?:\[|<<)"
_INSIDE = (rb"(?>[\s\x00]*+(?:/[^\s\x00/\[\]<>(){}%]*+|[-+]?[\d.]++|R\b|true\b|false\b|null\b))*+"
           rb"[\s\x00]*+")
_LEVEL = _OPEN + _INSIDE


def _deep(limit: int) -> re.Pattern[bytes]:
    # the first level written out (its quantifiers are possessive: the same matches as
    # ``(?>LEVEL){limit+1}``), so the pattern starts with its first character and the
    # regex engine skips straight to the next '[' or '<' -- 7x faster on a 200 MB file
    # of images (benchmarks/large_file.py) than trying the whole pattern at every byte
    return re.compile(rb"%s%s(?>%s){%d}" % (_OPEN, _INSIDE, _LEVEL, limit))


_DEEP = _deep(MAX_NESTING)


def first_too_deep(data: bytes, limit: int = MAX_NESTING) -> int | None:
    """Offset of the first place where arrays/dictionaries nest more than ``limit`` levels
    deep (each level opened before the previous one holds anything but keys, numbers
    and references -- the shape of a nesting bomb), or None."""
    pattern = _DEEP if limit == MAX_NESTING else _deep(limit)
    m = pattern.search(data)
    return m.start() if m else None


def nesting_message(where: str, limit: int = MAX_NESTING) -> str:
    return (
        f"{where} nests arrays or dictionaries more than {limit} levels deep "
        f"(zvhsign's nesting bound, {limit} levels): it was not examined; "
        "readers may fail on it or show content no one checked"
    )


RECURSION_TEXT = "maximum recursion depth"


def is_too_deep(exc: BaseException) -> bool:
    """A parser ran out of stack: the structure nests deeper than can be read."""
    return isinstance(exc, RecursionError) or RECURSION_TEXT in str(exc)
