"""A read-only stream over the first bytes of a file held in memory, without copying them.

Each revision of a copy is read on its own (by pikepdf, and by pyHanko for the signed
revisions): ``io.BytesIO(data[:end])`` would copy the file once per revision -- for a
200 MB copy, hundreds of MB. The view reads straight from ``data``.
"""

from __future__ import annotations

import io


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
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: len(self._buf)}[whence]
        if base + offset < 0:
            raise ValueError("negative seek position")
        self._pos = base + offset
        return self._pos

    def tell(self) -> int:
        return self._pos


def prefix_stream(data: bytes, end: int | None = None) -> io.BufferedReader:
    """A binary stream of ``data[:end]`` (the whole of ``data`` when ``end`` is None)."""
    view = memoryview(data)
    return io.BufferedReader(_View(view if end is None else view[:end]), buffer_size=1 << 16)
