"""Safe file output: write to a temporary file next to the target, fsync, rename."""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path

from ..errors import InputError, UsageError, ZvhsignError


def display_path(path) -> str:
    """``path`` as text that is always valid UTF-8 (for messages, JSON, the registry).

    File names on POSIX are bytes; Python hands undecodable bytes over as lone
    surrogates (surrogateescape), which can't be encoded as UTF-8. Those bytes are
    shown as ``\\xNN`` escapes instead."""
    text = os.fspath(path)
    if isinstance(text, bytes):
        return text.decode("utf-8", "backslashreplace")
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


_KINDS = (
    (stat.S_ISDIR, "is a directory, not a PDF file"),
    (stat.S_ISFIFO, "is a named pipe (FIFO), not a regular file; refused"),
    (stat.S_ISSOCK, "is a socket, not a regular file; refused"),
    (stat.S_ISCHR, "is a character device, not a regular file; refused"),
    (stat.S_ISBLK, "is a block device, not a regular file; refused"),
)


def _not_regular(mode: int) -> str:
    for test, text in _KINDS:
        if test(mode):
            return text
    return "is not a regular file; refused"


def check_regular(path: Path) -> None:
    """Refuse at once anything but a regular file (a FIFO would block forever, a
    device never end). Symbolic links to regular files are followed."""
    shown = display_path(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise InputError(f"{shown}: no such file") from None
    except OSError as exc:
        raise InputError(f"{shown}: can't read: {exc.strerror}") from None
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"{shown}: {_not_regular(st.st_mode)}")


def read_input(path: Path) -> bytes:
    """The bytes of the regular file ``path``; anything else is an :class:`InputError`
    (exit 3 for that file), raised at once, without blocking."""
    shown = display_path(path)
    check_regular(path)
    try:
        # O_NONBLOCK: if a FIFO was swapped in after the check, open() does not wait
        # for a writer; fstat on the open descriptor then refuses it
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise InputError(f"{shown}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{shown}: is a directory, not a PDF file") from None
    except OSError as exc:
        raise InputError(f"{shown}: can't read: {exc.strerror}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise InputError(f"{shown}: {_not_regular(st.st_mode)}")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        chunks = []
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise InputError(f"{shown}: can't read: {exc.strerror}") from None
    finally:
        os.close(fd)


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
    # a failing write (disk full, quota, file size limit, I/O error) is raised: the
    # unnamed file vanishes with its descriptor, nothing is left behind
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
        tmp = directory / f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.partial"
        # the data is complete and on disk before the file gets any name
        if not _link_fd(fh.fileno(), tmp):
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
    """Write ``data`` to ``path`` so that readers see the old file or the whole new one.

    A failed write (no space left, quota, read-only file system, permissions) is one
    :class:`~zvhsign.errors.ZvhsignError` (exit 3); no partial file is left behind."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise UsageError(f"the output directory {display_path(directory)} does not exist")
    try:
        _write_atomic(path, directory, data)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        hint = None
        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            hint = "free some space (or choose another output folder) and run the command again"
        elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            hint = "choose an output folder you can write to"
        raise OutputError(
            f"can't write {display_path(path)}: {reason}; nothing was written", hint=hint
        ) from None


class OutputError(ZvhsignError):
    """An output file can't be written (exit 3). Nothing half-written is left."""


def _write_atomic(path: Path, directory: Path, data: bytes) -> None:
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
