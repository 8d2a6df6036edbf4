"""Safe file output: write to a temporary file next to the target, fsync, rename."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..errors import InputError, UsageError


def read_input(path: Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not a PDF file") from None
    except OSError as exc:
        raise InputError(f"{path}: can't read: {exc.strerror}") from None


def check_distinct(inp: Path, out: Path) -> None:
    """Never overwrite the input."""
    try:
        same = Path(out).exists() and os.path.samefile(inp, out)
    except OSError:
        same = False
    if same or Path(inp).resolve() == Path(out).resolve():
        raise UsageError(f"the output {out} is the input file; choose another output path")


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the whole new one."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise UsageError(f"the output directory {directory} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    try:
        dfd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass
