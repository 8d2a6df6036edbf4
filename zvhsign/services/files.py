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


def _fsync_dir(directory: Path) -> None:
    try:
        dfd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass


def _link_fd(fd: int, name: Path) -> bool:
    """Give the unnamed file ``fd`` the name ``name`` (linkat), if the kernel lets us."""
    try:
        os.link(f"/proc/self/fd/{fd}", name, follow_symlinks=True)
        return True
    except OSError:
        pass
    try:  # linkat(fd, "", AT_FDCWD, name, AT_EMPTY_PATH); needs CAP_DAC_READ_SEARCH
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.linkat(fd, b"", -100, os.fsencode(name), 0x1000) == 0
    except (OSError, AttributeError):
        return False


def _write_unnamed(path: Path, directory: Path, data: bytes) -> bool:
    """Linux: write into an unnamed file (O_TMPFILE) and give it a name only when complete.

    A process killed (even SIGKILL) while writing leaves nothing behind: the
    kernel drops the unnamed file. Returns False where O_TMPFILE is unsupported.
    """
    flag = getattr(os, "O_TMPFILE", None)
    if flag is None or not Path("/proc/self/fd").is_dir():
        return False
    try:
        fd = os.open(directory, flag | os.O_WRONLY, 0o600)  # as mkstemp below
    except OSError:
        return False  # file system without O_TMPFILE support
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
            tmp = directory / f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.partial"
            # the data is complete and on disk before the file gets any name
            if not _link_fd(fh.fileno(), tmp):
                return False
    except OSError:
        return False
    try:
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _fsync_dir(directory)
    return True


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the whole new one."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise UsageError(f"the output directory {directory} does not exist")
    if _write_unnamed(path, directory, data):
        return
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
    _fsync_dir(directory)
