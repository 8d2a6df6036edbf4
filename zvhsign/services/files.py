"""Safe file output: write to a temporary file next to the target, fsync, rename."""

from __future__ import annotations

import errno
import hashlib
import io
import os
import stat
import tempfile
from pathlib import Path

from ..domain.digests import Sha256
from ..errors import N_, InputError, UsageError, ZvhsignError, os_reason, stop_if_interrupted
from .outputs import check_distinct, check_output  # noqa: F401 - (where outputs are checked; imported from here)
from .replacing import destination, keep_owner_and_mode


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
    (stat.S_ISDIR, N_("is a directory, not a PDF file")),
    (stat.S_ISFIFO, N_("is a named pipe (FIFO), not a regular file; refused")),
    (stat.S_ISSOCK, N_("is a socket, not a regular file; refused")),
    (stat.S_ISCHR, N_("is a character device, not a regular file; refused")),
    (stat.S_ISBLK, N_("is a block device, not a regular file; refused")),
)


def _not_regular(mode: int) -> str:
    for test, text in _KINDS:
        if test(mode):
            return text
    return N_("is not a regular file; refused")


def check_regular(path: Path) -> None:
    """Refuse at once anything but a regular file (a FIFO would block forever, a
    device never end). Symbolic links to regular files are followed."""
    shown = display_path(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise InputError.spoken(N_("{path}: no such file"), path=shown) from None
    except OSError as exc:
        raise InputError.spoken(N_("{path}: can't read: {reason}"), path=shown, reason=os_reason(exc)) from None
    if not stat.S_ISREG(st.st_mode):
        raise InputError.spoken(N_("{path}: {problem}"), path=shown, problem=_not_regular(st.st_mode))


def read_input(path: Path) -> bytes:
    """The bytes of the regular file ``path``; anything else is an :class:`InputError`
    (exit 3 for that file), raised at once, without blocking."""
    return _read(path, mapped=False)


def read_copy(path: Path):  # noqa: ANN201
    """A copy to examine or sign: its bytes, or -- from ``byteview.MAP_FROM`` bytes on -- the
    file mapped read-only (:class:`~zvhsign.pdf.byteview.MappedFile`: not held in memory;
    whoever uses it checks ``unchanged()`` before relying on what was read)."""
    return _read(path, mapped=True)


def _read(path: Path, *, mapped: bool):  # noqa: ANN202
    shown = display_path(path)
    check_regular(path)
    try:
        # O_NONBLOCK: if a FIFO was swapped in after the check, open() does not wait
        # for a writer; fstat on the open descriptor then refuses it
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise InputError.spoken(N_("{path}: no such file"), path=shown) from None
    except IsADirectoryError:
        raise InputError.spoken(N_("{path}: {problem}"), path=shown, problem=N_("is a directory, not a PDF file")) from None
    except OSError as exc:
        raise InputError.spoken(N_("{path}: can't read: {reason}"), path=shown, reason=os_reason(exc)) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise InputError.spoken(N_("{path}: {problem}"), path=shown, problem=_not_regular(st.st_mode))
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        if mapped:
            from ..pdf.byteview import MAP_FROM, map_file

            if st.st_size >= MAP_FROM:
                return map_file(fd)
        # one buffer sized by fstat and read into (FileIO.readall), not chunks joined:
        # a joined list holds the file twice at once (benchmarks/large_file.py)
        with io.FileIO(fd, "rb", closefd=False) as fh:
            return fh.readall()
    except OSError as exc:
        raise InputError.spoken(N_("{path}: can't read: {reason}"), path=shown, reason=os_reason(exc)) from None
    finally:
        os.close(fd)


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


def _unlink_quietly(name: Path | str | None) -> None:
    if name is None:
        return
    try:
        os.unlink(name)
    except OSError:
        pass


def _output_error(path: Path, exc: OSError, *, nothing_written: bool = True) -> "OutputError":
    reason = os_reason(exc)
    hint = None
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        hint = N_("free some space (or choose another output folder) and run the command again")
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        hint = N_("choose an output folder you can write to")
    text = N_("can't write {path}: {reason}; nothing was written") if nothing_written else N_("can't write {path}: {reason}")
    return OutputError.spoken(text, hint=hint, path=display_path(path), reason=reason)


class OutputError(ZvhsignError):
    """An output file can't be written (exit 3). Nothing half-written is left."""


class StagedOutput:
    """An output file written completely (and fsynced) but not yet visible under its name.

    ``stage_output`` writes given data, :func:`open_output` hands out an empty file
    (:attr:`file`) for a writer such as pyHanko to fill; either way a full disk, a quota
    or a size limit shows while writing, and :meth:`publish` gives the finished file its
    name in one rename. Until then nothing is visible: on Linux the data sits in an
    unnamed file (O_TMPFILE) that the kernel drops if the process dies, even by SIGKILL;
    elsewhere in a hidden ``.NAME.*.partial`` file next to the target that
    :meth:`discard` (or leaving the ``with`` block without publishing, also by Ctrl-C or
    SIGTERM) removes.

    Lets a command do something irreversible (commit a registration) only once
    the output is known to fit, and publish it right after.
    """

    def __init__(self, path: Path, directory: Path) -> None:
        self.path = path
        self.directory = directory
        self._fd: int | None = None  # the open file (unnamed with O_TMPFILE)
        self._tmp: str | None = None  # its name (the fallback, or once linked)
        self._file: io.BufferedRandom | None = None
        self.write_error: OSError | None = None  # a failed write into :attr:`file`
        self.published = False

    def _open(self) -> int:
        """Create the file, empty, open for reading and writing."""
        flag = getattr(os, "O_TMPFILE", None)
        if flag is not None and Path("/proc/self/fd").is_dir():
            try:
                self._fd = os.open(self.directory, flag | os.O_RDWR, 0o600)
            except OSError:
                self._fd = None  # file system without O_TMPFILE support
        if self._fd is None:
            self._fd, self._tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".partial",
                                                   dir=self.directory)
        return self._fd

    def _write(self, data: bytes) -> None:
        _write_all(self._open(), data)

    @property
    def file(self) -> io.BufferedRandom:
        """The staged file, open for reading, writing and seeking (pyHanko signs into it and
        makes its post-sign updates in place). A failed write is kept in :attr:`write_error`."""
        if self._file is None:
            if self._fd is None:
                raise ValueError("the staged output is closed")
            self._file = io.BufferedRandom(_WatchedIO(self._fd, self), buffer_size=1 << 20)
        return self._file

    def finish(self) -> None:
        """Flush what was written into :attr:`file` and fsync it: :class:`OutputError` if it
        did not fit (the file is discarded)."""
        try:
            if self._file is not None:
                self._file.flush()
            if self._fd is None:
                raise ValueError("the staged output is closed")
            os.fsync(self._fd)
        except OSError as exc:
            self.discard()
            raise _output_error(self.path, exc) from None

    def digest(self) -> tuple[Sha256, int]:
        """SHA-256 and size of the staged file, read back from disk in chunks (call after
        :meth:`finish`)."""
        h, pos = hashlib.sha256(), 0
        while chunk := os.pread(self._fd, 1 << 20, pos):
            h.update(chunk)
            pos += len(chunk)
        return Sha256(h.hexdigest()), pos

    def reader(self) -> io.BufferedRandom:
        """:attr:`file` at its start, for reading the finished file back (call after :meth:`finish`)."""
        self.file.seek(0)
        return self.file

    def publish(self) -> None:
        """Give the staged file its name (replacing an older file of that name atomically)."""
        if self.published:
            return
        tmp = self._tmp
        try:
            stop_if_interrupted()  # an interrupted command gives nothing a name
            if self._file is not None:
                self._file.flush()
            if self._fd is not None:  # replacing a file: it keeps its permissions and owner
                keep_owner_and_mode(self._fd, self.path)
            if self._tmp is None:
                tmp = str(self.directory / f".{self.path.name}.{os.getpid()}.{os.urandom(4).hex()}.partial")
                if self._fd is None or not _link_fd(self._fd, Path(tmp)):
                    raise OSError(errno.EPERM, "the finished file could not be given a name")
                self._tmp = tmp
            os.replace(tmp, self.path)
            self._tmp = None
            self.published = True
        finally:
            if not self.published:
                self.discard()
            else:
                self._close()
        _fsync_dir(self.directory)

    def commit(self) -> None:
        """:meth:`finish` and :meth:`publish`: the whole file under its name, or
        :class:`OutputError` and nothing."""
        self.finish()
        try:
            self.publish()
        except OSError as exc:
            raise _output_error(self.path, exc) from None

    def _close(self) -> None:
        file, self._file = self._file, None
        if file is not None:
            try:
                file.close()  # closefd=False: the descriptor is closed below
            except OSError:
                pass  # unflushed data of a discarded file
        fd, self._fd = self._fd, None
        if fd is not None:
            try:
                os.close(fd)
            except OSError:
                pass

    def discard(self) -> None:
        """Drop the staged file; nothing of it remains."""
        self._close()
        tmp, self._tmp = self._tmp, None
        _unlink_quietly(tmp)

    def __enter__(self) -> "StagedOutput":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:  # noqa: ANN001
        if not self.published:
            self.discard()
        # a writer that failed because the output did not fit (no space left, a size
        # limit) reports it in its own words, or as a network error: say what it was
        if isinstance(exc, Exception) and not isinstance(exc, OutputError) and self.write_error is not None:
            raise _output_error(self.path, self.write_error) from None


class _WatchedIO(io.FileIO):
    """The staged file's descriptor as a raw file that remembers a failed write."""

    def __init__(self, fd: int, staged: StagedOutput) -> None:
        super().__init__(fd, "r+b", closefd=False)
        self._staged = staged

    def write(self, b) -> int | None:  # noqa: ANN001
        try:
            return super().write(b)
        except OSError as exc:
            if self._staged.write_error is None:
                self._staged.write_error = exc
            raise


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view[: 1 << 20])
        view = view[n:]
    os.fsync(fd)


def _output_dir(path: Path) -> Path:
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise UsageError.spoken(N_("the output directory {path} does not exist"), path=display_path(directory))
    return directory


def open_output(path: Path) -> StagedOutput:
    """An empty staged file for ``path`` (see :class:`StagedOutput`): fill :attr:`~StagedOutput.file`,
    then :meth:`~StagedOutput.commit` (or ``finish()``, the irreversible step, ``publish()``).
    Use it as a context manager: leaving it unpublished leaves nothing behind, and a failure
    while writing into it that came from the output (no space left, quota, size limit) is
    one :class:`OutputError` (exit 3). A symbolic link ``path`` is followed: its target is replaced."""
    path = destination(Path(path))
    staged = StagedOutput(path, _output_dir(path))
    try:
        staged._open()
    except OSError as exc:
        staged.discard()
        raise _output_error(path, exc) from None
    return staged


def stage_output(path: Path, data: bytes) -> StagedOutput:
    """Write ``data`` for ``path`` completely, but not yet under that name (see
    :class:`StagedOutput`; use it as a context manager and call ``publish()``).

    A failed write (no space left, quota, size limit, read-only file system,
    permissions) is one :class:`OutputError` (exit 3) and leaves nothing behind."""
    path = destination(Path(path))
    staged = StagedOutput(path, _output_dir(path))
    try:
        staged._write(data)
    except OSError as exc:
        staged.discard()
        raise _output_error(path, exc) from None
    except BaseException:  # Ctrl-C, SIGTERM: nothing half-written stays behind
        staged.discard()
        raise
    return staged


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the whole new one.

    A failed write (no space left, quota, read-only file system, permissions) is one
    :class:`~zvhsign.errors.ZvhsignError` (exit 3); no partial file is left behind,
    also when the command is interrupted (Ctrl-C, SIGTERM) or killed. Replacing: ``replacing.py``."""
    path = destination(Path(path))
    with stage_output(path, data) as staged:
        try:
            staged.publish()
        except OSError as exc:
            raise _output_error(path, exc) from None
