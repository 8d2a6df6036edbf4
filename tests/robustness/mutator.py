"""A seeded, bounded mutator over signed copies: the fuzz harness's hostile inputs.

``mutants(bases, n, seed)`` yields ``n`` mutants of the given signed PDFs; the same
bases, ``n`` and ``seed`` give the same mutants. Each mutant knows whether it changed
a byte inside a signed range (``in_signed_range``): such a copy must never be
VERIFIED. Kinds (weights in ``KINDS``):

* ``flip_inside`` / ``flip_outside``: one to three bit flips inside a signature's
  /ByteRange, or outside every one (the /Contents hex strings, revisions after the
  last signature);
* ``truncate``, ``insert``, ``delete``: the file cut, bytes inserted or a span removed;
* ``drop_revision``, ``duplicate_revision``, ``swap_revisions``: incremental updates
  removed from the end, appended twice, or the last two exchanged;
* ``xref_offset``: a digit of a ``startxref`` or an xref table offset changed;
* ``byte_range``: a number of a /ByteRange changed (same length or not);
* ``contents``: a signature's /Contents hex damaged (a digit, a zeroed span, non-hex);
* ``xmp_bomb``, ``objstm_bomb``: an appended update with a Flate bomb (XMP metadata,
  an object stream holding the new catalog; ``bombs.py``);
* ``nesting``: an appended update whose catalog holds arrays nested thousands deep;
* ``name_bytes``: a byte of a name (``/Type``, ``/ZVHDocumentId``, ...) replaced by one that
  is not UTF-8 on its own -- half of the time in a name outside every signed range (the
  parsers hand such bytes over as lone surrogates, which every output must still write).

Bounded: bombs inflate to at most ``BOMB_MAX`` bytes and are made once per size.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

try:
    from . import bombs
except ImportError:  # loaded as a top-level module (benchmarks/fuzz.py)
    import bombs  # type: ignore[no-redef]

BOMB_MAX = 256 * 1024 * 1024

KINDS: dict[str, int] = {
    "flip_inside": 30,
    "flip_outside": 10,
    "truncate": 8,
    "insert": 8,
    "delete": 8,
    "drop_revision": 4,
    "duplicate_revision": 4,
    "swap_revisions": 4,
    "xref_offset": 8,
    "byte_range": 8,
    "contents": 8,
    "xmp_bomb": 1,
    "objstm_bomb": 1,
    "nesting": 1,
    "name_bytes": 6,
}

_BYTE_RANGE = re.compile(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]")
_EOF = re.compile(rb"%%EOF[\r\n]*")
_NAME = re.compile(rb"/[A-Za-z][A-Za-z0-9]{2,}")


@dataclass(frozen=True)
class Mutant:
    name: str
    kind: str
    base: str
    data: bytes
    in_signed_range: bool  # a byte covered by a signature's /ByteRange was changed
    note: str


@dataclass(frozen=True)
class Layout:
    """Where a signed copy's signed ranges, /Contents hex strings and revisions are."""

    ranges: tuple[tuple[int, int], ...]  # [start, end) spans covered by some signature
    contents: tuple[tuple[int, int], ...]  # [start, end) of each /Contents <hex> (the gaps)
    byte_ranges: tuple[tuple[int, int], ...]  # [start, end) of each /ByteRange [...] text
    revision_ends: tuple[int, ...]  # offset after each %%EOF (and its line end)

    def covered(self, pos: int) -> bool:
        return any(a <= pos < b for a, b in self.ranges)

    def outside(self, size: int) -> list[tuple[int, int]]:
        """The [start, end) spans of a file of ``size`` bytes covered by no signature."""
        spans, at = [], 0
        for a, b in sorted(self.ranges):
            if a > at:
                spans.append((at, a))
            at = max(at, b)
        if at < size:
            spans.append((at, size))
        return spans


def layout(data: bytes) -> Layout:
    ranges, contents, brs = [], [], []
    for m in _BYTE_RANGE.finditer(data):
        a, b, c, d = (int(x) for x in m.groups())
        if a + b > len(data) or c + d > len(data) or b <= 0:
            continue
        ranges += [(a, a + b), (c, c + d)]
        if a + b < c:
            contents.append((a + b, c))
        brs.append((m.start(), m.end()))
    ends = tuple(m.end() for m in _EOF.finditer(data))
    return Layout(tuple(ranges), tuple(contents), tuple(brs), ends)


class _Bombs:
    """Flate bombs, made once per (kind, size): compressing hundreds of MB takes a second."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, int, int], bytes] = {}

    def xmp(self, base: bytes, size: int) -> bytes:
        key = ("xmp", id(base), size)
        if key not in self._cache:
            self._cache[key] = bombs.with_xmp_bomb(base, size)
        return self._cache[key]

    def objstm(self, base: bytes, size: int) -> bytes:
        key = ("objstm", id(base), size)
        if key not in self._cache:
            self._cache[key] = bombs.with_objstm_bomb(base, size)
        return self._cache[key]


class Mutator:
    def __init__(self, bases: Mapping[str, bytes], seed: int) -> None:
        self.bases = dict(bases)
        self.layouts = {name: layout(data) for name, data in self.bases.items()}
        self.rng = random.Random(seed)
        self.bombs = _Bombs()

    # -- helpers -----------------------------------------------------------

    def _pos_inside(self, lay: Layout) -> int:
        a, b = self.rng.choice(lay.ranges)
        return self.rng.randrange(a, b)

    def _pos_outside(self, lay: Layout, size: int) -> int | None:
        spans = lay.outside(size)
        if not spans:
            return None
        a, b = self.rng.choices(spans, weights=[b - a for a, b in spans])[0]
        return self.rng.randrange(a, b)

    def _flip(self, data: bytes, positions: list[int]) -> bytes:
        out = bytearray(data)
        for p in positions:
            out[p] ^= 1 << self.rng.randrange(8)
        return bytes(out)

    # -- kinds: each returns (data, in_signed_range, note) -------------------

    def flip_inside(self, data: bytes, lay: Layout):
        ps = sorted({self._pos_inside(lay) for _ in range(self.rng.randint(1, 3))})
        return self._flip(data, ps), True, f"bits flipped at {ps}"

    def flip_outside(self, data: bytes, lay: Layout):
        ps = sorted({p for p in (self._pos_outside(lay, len(data)) for _ in range(self.rng.randint(1, 3)))
                     if p is not None})
        if not ps:
            return self.flip_inside(data, lay)
        return self._flip(data, ps), False, f"bits flipped at {ps} (outside every signed range)"

    def truncate(self, data: bytes, lay: Layout):
        p = self.rng.randrange(1, len(data))
        return data[:p], False, f"cut at {p} of {len(data)}"

    def insert(self, data: bytes, lay: Layout):
        p = self.rng.randrange(0, len(data) + 1)
        junk = bytes(self.rng.randrange(256) for _ in range(self.rng.randint(1, 64)))
        inside = any(a < p < b for a, b in lay.ranges)
        return data[:p] + junk + data[p:], inside, f"{len(junk)} bytes inserted at {p}"

    def delete(self, data: bytes, lay: Layout):
        p = self.rng.randrange(0, len(data))
        q = min(len(data), p + self.rng.randint(1, 256))
        inside = any(lay.covered(x) for x in range(p, q))
        return data[:p] + data[q:], inside, f"bytes {p}..{q} deleted"

    def drop_revision(self, data: bytes, lay: Layout):
        ends = [e for e in lay.revision_ends if e < len(data)]
        if not ends:
            return self.truncate(data, lay)
        e = self.rng.choice(ends)
        return data[:e], False, f"revisions after offset {e} dropped"

    def duplicate_revision(self, data: bytes, lay: Layout):
        ends = lay.revision_ends
        start = ends[-2] if len(ends) >= 2 else 0
        return data + data[start:], False, f"the last update ({len(data) - start} bytes) appended again"

    def swap_revisions(self, data: bytes, lay: Layout):
        ends = lay.revision_ends
        if len(ends) < 3:
            return self.duplicate_revision(data, lay)
        a, b, c = ends[-3], ends[-2], ends[-1]
        out = data[:a] + data[b:c] + data[a:b] + data[c:]
        inside = any(out[x:y] != data[x:y] for x, y in lay.ranges)
        return out, inside, f"updates {a}..{b} and {b}..{c} exchanged"

    def xref_offset(self, data: bytes, lay: Layout):
        spots = [m for m in re.finditer(rb"startxref\s+(\d+)", data)]
        spots += list(re.finditer(rb"(?m)^(\d{10}) \d{5} n", data))
        if not spots:
            return self.flip_inside(data, lay)
        m = self.rng.choice(spots)
        s, e = m.span(1)
        p = self.rng.randrange(s, e)
        digit = str((int(chr(data[p])) + self.rng.randint(1, 9)) % 10).encode()
        out = data[:p] + digit + data[p + 1:]
        return out, lay.covered(p), f"xref offset digit at {p} changed"

    def byte_range(self, data: bytes, lay: Layout):
        if not lay.byte_ranges:
            return self.flip_inside(data, lay)
        s, e = self.rng.choice(lay.byte_ranges)
        numbers = list(re.finditer(rb"\d+", data[s:e]))
        m = self.rng.choice(numbers)
        p, q = s + m.start(), s + m.end()
        old = int(data[p:q])
        if self.rng.random() < 0.5:  # same length: the file's offsets stay
            new = str(self.rng.randrange(10 ** (q - p - 1) if q - p > 1 else 0, 10 ** (q - p))).encode()
        else:
            new = str(max(0, old + self.rng.choice([-1, 1, -16, 16, 1000]))).encode()
        if int(new) == old:  # never a no-op
            new = str(old + 1).encode()
        out = data[:p] + new + data[q:]
        inside = out != data and any(a < q and p < b for a, b in lay.ranges)
        return out, inside, f"/ByteRange number {old} -> {new.decode()}"

    def contents(self, data: bytes, lay: Layout):
        if not lay.contents:
            return self.flip_outside(data, lay)
        s, e = self.rng.choice(lay.contents)
        s += 1  # after "<"
        e -= 1  # before ">"
        how = self.rng.choice(["digit", "zero", "nonhex"])
        p = self.rng.randrange(s, max(s + 1, e))
        if how == "digit":
            new = self.rng.choice(b"0123456789abcdef").to_bytes(1, "big")
            out = data[:p] + new + data[p + 1:]
        elif how == "zero":
            q = min(e, p + self.rng.randint(2, 400))
            out = data[:p] + b"0" * (q - p) + data[q:]
        else:
            out = data[:p] + b"Z" + data[p + 1:]
        return out, False, f"/Contents {how} at {p}"

    def xmp_bomb(self, data: bytes, lay: Layout):
        size = self.rng.choice([64, 256]) * 1024 * 1024
        return self.bombs.xmp(data, min(size, BOMB_MAX)), False, f"XMP Flate bomb ({size >> 20} MB inflated)"

    def objstm_bomb(self, data: bytes, lay: Layout):
        size = self.rng.choice([64, 256]) * 1024 * 1024
        return (self.bombs.objstm(data, min(size, BOMB_MAX)), False,
                f"object-stream Flate bomb holding the catalog ({size >> 20} MB inflated)")

    def nesting(self, data: bytes, lay: Layout):
        depth = self.rng.choice([1_000, 10_000, 100_000])
        return bombs.with_deep_nesting(data, depth), False, f"arrays nested {depth} deep in an appended update"

    def name_bytes(self, data: bytes, lay: Layout):
        names = list(_NAME.finditer(data))
        outside = [m for m in names if not lay.covered(m.start())]
        pool = outside if outside and self.rng.random() < 0.5 else names
        if not pool:
            return self.flip_inside(data, lay)
        m = self.rng.choice(pool)
        p = self.rng.randrange(m.start() + 1, m.end())
        new = bytes([self.rng.randrange(0x80, 0x100)])
        return (data[:p] + new + data[p + 1:], lay.covered(p),
                f"byte {p} of the name {m.group(0).decode()} -> 0x{new.hex()}")

    # -- the stream ----------------------------------------------------------

    def mutants(self, n: int) -> Iterator[Mutant]:
        names, weights = zip(*KINDS.items())
        bases = sorted(self.bases)
        for i in range(n):
            base = bases[i % len(bases)]
            kind = self.rng.choices(names, weights=weights)[0]
            data = self.bases[base]
            out, inside, note = getattr(self, kind)(data, self.layouts[base])
            if out == data:  # a no-op (e.g. a digit replaced by itself): not a mutant
                inside = False
            yield Mutant(f"{i:05d}-{kind}-{base}", kind, base, out, inside, note)


def mutants(bases: Mapping[str, bytes], n: int, seed: int = 15) -> Iterator[Mutant]:
    """``n`` mutants of ``bases`` (name -> signed PDF bytes), reproducible from ``seed``."""
    return Mutator(bases, seed).mutants(n)
