"""Reading a copy's bytes without holding copies of them.

Each revision of a copy is read on its own (by pikepdf, and by pyHanko for the signed
revisions): ``io.BytesIO(data[:end])`` would copy the file once per revision -- for a
200 MB copy, hundreds of MB. :func:`prefix_stream` reads straight from ``data``.

A large file is not read into memory at all (:class:`MappedFile`): it is mapped read-only
for zvhsign's own scans and hashes (the pages are let go again afterwards, :meth:`release`),
and the parsers read it with ``pread`` -- from the page cache, not this process's memory.
pyHanko's difference analysis keeps every stream it reads (about the file's size once
more); with the file also held in memory that was 2.6x the file (benchmarks/large_file.py).
A mapped file can be changed by someone else while it is read: :meth:`MappedFile.unchanged`
compares its identity (size, times, inode) at the end, and the examination refuses a copy
that changed.
"""

from __future__ import annotations

import io
import mmap
import os

# files from this size on are mapped instead of read (tests lower it)
MAP_FROM = 32 * 2**20
# prefixes up to this size are given to the parsers as a copy (see prefix_stream)
COPY_UP_TO = 4 * 2**20


class _View(io.RawIOBase):
    def __init__(self, buf: memoryview) -> None:
        super().__init__()
        self._buf = buf
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # noqa: ANN001
        n = max(0, min(len(b), len(self._buf) - self._pos))
        b[:n] = self._buf[self._pos:self._pos + n]
        self._pos += n
        return n

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size()}[whence]
        if base + offset < 0:
            raise ValueError("negative seek position")
        self._pos = base + offset
        return self._pos

    def _size(self) -> int:
        return len(self._buf)

    def tell(self) -> int:
        return self._pos


class _PreadView(_View):
    """The first ``end`` bytes of an open file, read with ``pread`` (no shared position)."""

    def __init__(self, fd: int, end: int) -> None:  # noqa: D107
        io.RawIOBase.__init__(self)
        self._fd, self._end, self._pos = fd, end, 0

    def _size(self) -> int:
        return self._end

    def readinto(self, b) -> int:  # noqa: ANN001
        n = max(0, min(len(b), self._end - self._pos))
        if n == 0:
            return 0
        got = os.preadv(self._fd, [memoryview(b)[:n]], self._pos)
        self._pos += got
        return got


class MappedFile(mmap.mmap):
    """A regular file's bytes, mapped read-only: bytes-like for searching, hashing and
    small slices (a slice is a copy: take big parts through :func:`prefix_stream`)."""

    def __new__(cls, fd: int):  # noqa: ANN204
        st = os.fstat(fd)
        self = super().__new__(cls, fd, st.st_size, access=mmap.ACCESS_READ)
        self._fd = os.dup(fd)
        self._identity = _identity(st)
        return self

    def release(self) -> None:
        """Let go of the pages read so far (they stay in the page cache)."""
        try:
            self.madvise(mmap.MADV_DONTNEED)
        except (AttributeError, OSError, ValueError):  # no madvise here: the kernel decides
            pass

    def unchanged(self) -> bool:
        """The file is still the one mapped: same size, modification and change times, inode."""
        try:
            return _identity(os.fstat(self._fd)) == self._identity
        except OSError:
            return False

    def stream(self, end: int | None = None) -> io.BufferedReader:
        return io.BufferedReader(_PreadView(self._fd, len(self) if end is None else end), buffer_size=1 << 16)

    def __del__(self) -> None:
        fd, self._fd = getattr(self, "_fd", None), None
        if fd is not None:
            os.close(fd)


def _identity(st: os.stat_result) -> tuple:
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev


def map_file(fd: int) -> MappedFile:
    return MappedFile(fd)


def prefix(data, end: int):  # noqa: ANN001, ANN201
    """``data[:end]`` without a copy when it is all of ``data``."""
    return data if end >= len(data) else data[:end]


def prefix_stream(data, end: int | None = None) -> io.BufferedIOBase:
    """A binary stream of ``data[:end]`` (the whole of ``data`` when ``end`` is None).

    Up to :data:`COPY_UP_TO` bytes the prefix is copied into an ``io.BytesIO``: the parsers
    ask a stream for its position and seek several times per object they read, and
    ``BytesIO`` answers in C where the view below answers in Python (qpdf asked ~4,500
    times per revision of a signed covenant: a tenth of the revision comparison's time).
    Above that the view reads straight from ``data``, a copy per revision being too big."""
    if isinstance(data, MappedFile):
        return data.stream(end)
    view = memoryview(data)
    if end is not None:
        view = view[:end]
    if len(view) <= COPY_UP_TO:
        # all of a bytes object is shared by BytesIO until written to: no copy
        return io.BytesIO(data if type(data) is bytes and len(view) == len(data) else view)
    return io.BufferedReader(_View(view), buffer_size=1 << 16)


def release(data) -> None:  # noqa: ANN001
    """Let a mapped file's pages go (nothing for bytes)."""
    if isinstance(data, MappedFile):
        data.release()
