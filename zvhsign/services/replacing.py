"""Replacing a file that exists (``extend`` in place, an output written over an older one).

The new content is written beside the file and renamed over it (``files.StagedOutput``);
these two helpers make that rename behave like editing the file: a symbolic link is
followed to the file it names (the link stays a link, its target gets the new content),
and the new file keeps the permissions -- and, where the system allows, the owner and
group -- of the one it replaces.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

__all__ = ["destination", "keep_owner_and_mode"]


def destination(path: Path) -> Path:
    """Where writing ``path`` lands: for a symbolic link (also a chain of them) the file it
    finally names, so that file is replaced and the link kept; else ``path`` itself."""
    path = Path(path)
    if os.path.islink(path):
        return Path(os.path.realpath(path))
    return path


def keep_owner_and_mode(fd: int, replaced: Path) -> None:
    """Give the new file open as ``fd`` the permission bits of the regular file ``replaced``
    it is about to replace, and its owner and group where the system lets this process
    (else the group alone, else neither); nothing when ``replaced`` does not exist."""
    try:
        old = os.stat(replaced)
    except OSError:
        return
    if not stat.S_ISREG(old.st_mode):
        return
    new = os.fstat(fd)
    if (new.st_uid, new.st_gid) != (old.st_uid, old.st_gid):
        for uid in (old.st_uid, -1):  # another owner needs privileges; the group may not
            try:
                os.fchown(fd, uid, old.st_gid)
                break
            except OSError:
                continue
    os.fchmod(fd, stat.S_IMODE(old.st_mode))  # after chown, which may clear set-id bits
