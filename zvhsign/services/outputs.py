"""What an output may not be written over: an input, the workspace's own files, or (for what a
command makes of a document) any existing file -- checked before any work is done."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import N_, UsageError


def _display(path) -> str:  # noqa: ANN001
    from .files import display_path

    return display_path(path)


def _same_file(a: Path, b: Path) -> bool:
    """Whether ``a`` and ``b`` name one file (also through links), or one path."""
    try:
        if Path(a).exists() and Path(b).exists() and os.path.samefile(a, b):
            return True
    except OSError:
        pass
    return Path(a).resolve() == Path(b).resolve()


def check_distinct(inp: Path, out: Path) -> None:
    """Never overwrite the input."""
    if _same_file(inp, out):
        raise UsageError.spoken(N_("the output {path} is the input file; choose another output path"), path=out)


def check_output(out: Path, inputs=(), *, workspace=None, replace: bool = True) -> None:  # noqa: ANN001
    """Refuse (usage error, exit 2) an output that would overwrite one of ``inputs``, a file the
    ``workspace`` lives on (its configuration, registry database, trust certificates), or --
    unless ``replace`` -- any existing file (a signed copy, an approved version: what a
    signatory or the secretariat can't get back). Checked before any work is done."""
    for inp in inputs:
        check_distinct(inp, out)
    if workspace is not None and any(_same_file(own, out) for own in workspace.own_files):
        raise UsageError.spoken(
            N_("the output {path} is one of the workspace's own files (its configuration, registry or "
               "trust certificates); choose another output path"), path=_display(out))
    if not replace and (Path(out).exists() or Path(out).is_symlink()):
        raise UsageError.spoken(N_("{path} already exists; choose another name, or remove it first"),
                                path=_display(out))
