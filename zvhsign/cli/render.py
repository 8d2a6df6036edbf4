"""Rendering verdicts for people (tables, via rich) and scripts (JSON).

People get one line per file by default and the per-signature detail with
``verbose``; tables are laid out for the terminal's width and wrap long paths and
messages instead of cutting them off; colour only on a terminal, never with
``NO_COLOR`` set or ``--no-color``. A closing summary names every file that
failed, stayed indeterminate or could not be read, with its first blocking
finding (and its hint).

Nothing here judges: a file's state is the verdict's own (``FileVerdict.status``),
except that a failed file whose only problems are INDETERMINATE signatures (no
FAIL-level finding, no TOTAL-FAILED signature) is shown as INDETERMINATE, its own
state, not as FAILED.
"""

from __future__ import annotations

import os
import shutil
import sys
from io import StringIO

from rich import box
from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from ..domain.evidence import Indication, SignatureKind
from ..domain.findings import Level
from ..domain.qualification import Qualification
from ..domain.text import valid_text
from ..domain.verdicts import BatchVerdict, FileVerdict, SignatureVerdict
from ..i18n import local_time
from .render_json import iter_batch_json, render_batch_json

__all__ = [
    "iter_batch_json",
    "render_batch_json",
    "render_batch_table",
    "render_file",
    "file_state",
    "VERIFIED",
    "FAILED",
    "INDETERMINATE",
    "ERROR",
]

VERIFIED, FAILED, INDETERMINATE, ERROR = "VERIFIED", "FAILED", "INDETERMINATE", "ERROR"

_STATE_STYLE = {VERIFIED: "bold green", FAILED: "bold red", INDETERMINATE: "bold yellow", ERROR: "bold magenta"}
_INDICATION_STYLE = {
    Indication.TOTAL_PASSED: "green",
    Indication.TOTAL_FAILED: "red",
    Indication.INDETERMINATE: "yellow",
}
_LEVEL_STYLE = {Level.FAIL: "red", Level.WARN: "yellow", Level.INFO: "dim"}
_DEFAULT_WIDTH = 100  # when the output is not a terminal and COLUMNS is not set


# ---------------------------------------------------------------- the judgement shown


def file_state(v: FileVerdict) -> str:
    """VERIFIED, FAILED, INDETERMINATE or ERROR: the verdict's own outcome."""
    return v.outcome.value


def _first_blocking(v: FileVerdict):
    return v.first_blocking()


def _etsi_reason(v: FileVerdict) -> tuple[str, str] | None:
    """Code and message from the first signature whose ETSI indication is not passed."""
    for s in v.signatures:
        if s.indication is not Indication.TOTAL_PASSED:
            ev = s.evidence
            code = ev.subindication or s.indication.value
            return code, ev.failure or f"{ev.field_name}: ETSI indication {s.indication.value}"
    return None


# ------------------------------------------------------------------------ settings


def _click_setting(name: str):
    """A value of the running click command's options (``verbose``, ``no_color``), looked
    up from the innermost context outwards; ``None`` outside click or when not defined."""
    try:
        import click
    except ImportError:  # pragma: no cover - click is a dependency
        return None
    ctx = click.get_current_context(silent=True)
    while ctx is not None:
        if name in ctx.params and ctx.params[name] is not None:
            return ctx.params[name]
        ctx = ctx.parent
    return None


def _width(width: int | None) -> int:
    if width:
        return max(int(width), 40)
    cols = os.environ.get("COLUMNS", "")
    if cols.isdigit() and int(cols) > 0:
        return max(int(cols), 40)
    try:
        if sys.stdout.isatty():
            return max(shutil.get_terminal_size((_DEFAULT_WIDTH, 24)).columns, 40)
    except (AttributeError, ValueError, OSError):
        pass
    return _DEFAULT_WIDTH


def _colour(color: bool | None, no_color: bool | None) -> bool:
    if no_color or os.environ.get("NO_COLOR"):
        return False  # https://no-color.org: any non-empty value
    if color is not None:
        return bool(color)
    if _click_setting("no_color"):
        return False
    if _click_setting("color") is False:
        return False
    if os.environ.get("TERM") == "dumb":
        return False
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def _console(width: int | None, color: bool | None, no_color: bool | None) -> tuple[Console, StringIO]:
    buf = StringIO()
    use_colour = _colour(color, no_color)
    console = Console(
        file=buf,
        width=_width(width),
        force_terminal=use_colour,
        no_color=not use_colour,
        color_system="standard" if use_colour else None,
        highlight=False,
        emoji=False,
        markup=False,
        soft_wrap=False,
        legacy_windows=False,
        force_jupyter=False,
        force_interactive=False,
        _environ={},  # width and colour are decided above, not by rich's own look at the environment
    )
    return console, buf


def _finish(buf: StringIO) -> str:
    """The table as text a terminal can take, whatever bytes a file's names held."""
    return valid_text("\n".join(line.rstrip() for line in buf.getvalue().rstrip("\n").split("\n")))


# --------------------------------------------------------------------- pieces


def _time(dt) -> str:
    """Dutch local time with the zone named (``2026-11-12 10:30:00 CET``); JSON keeps UTC."""
    return local_time(dt, seconds=True)


def _signer(s: SignatureVerdict) -> str:
    sig = s.evidence.signer
    if sig is None:
        return "?"
    who = sig.common_name or sig.subject
    if sig.organisation:
        who += f" ({sig.organisation})"
    return who


def _approved(v: FileVerdict) -> str:
    ev = v.evidence
    return ev.approved.label if ev is not None and ev.approved is not None else "no approved version"


def _state_text(state: str) -> Text:
    return Text(state, style=_STATE_STYLE[state])


def _finding_text(f, *, where: str | None = None) -> Text:
    t = Text()
    t.append(f.level.value, style=_LEVEL_STYLE.get(f.level, ""))
    t.append(" ")
    if where:
        t.append(f"{where}: ")
    t.append(f.code, style="bold")
    t.append(f": {f.message}")
    for d in f.details:
        t.append(f"\n  {d}")
    hint = getattr(f, "hint", None)
    if hint:
        t.append("\n  hint: ", style="cyan")
        t.append(hint)
    return t


def _evidence_text(s: SignatureVerdict) -> Text | None:
    """Which timestamps and revocation data the verdict rests on."""
    ev = s.evidence
    used_ts = getattr(ev, "timestamps_used", ())
    used_rev = getattr(ev, "revocation_used", ())
    if not used_ts and not used_rev:
        return None
    roles = [t.role for t in used_ts]
    ts = ", ".join(f"{roles.count(r)} {r}" for r in dict.fromkeys(roles)) or "none"
    src = [r.source for r in used_rev]
    rev = f"{src.count('file')} from file, {src.count('fetched')} fetched" if src else "none"
    return Text(f"{ev.field_name} rests on: timestamps {ts}; revocation data {rev}", style="dim")


def _reason(v: FileVerdict) -> Text:
    """The first blocking finding of a not-verified file (code, message, hint)."""
    if not v.completed:
        t = Text()
        f = _first_blocking(v)
        if f is not None:
            t.append(f.code, style="bold")
            t.append(": ")
        else:
            t.append("could not be read", style="bold")
            t.append(": ")
        t.append(v.error or "")
        hint = getattr(f, "hint", None) if f is not None else None
        if hint:
            t.append("\nhint: ", style="cyan")
            t.append(hint)
        return t
    f = _first_blocking(v)
    if f is not None:
        t = Text()
        t.append(f.code, style="bold")
        t.append(f": {f.message}")
        hint = getattr(f, "hint", None)
        if hint:
            t.append("\nhint: ", style="cyan")
            t.append(hint)
        return t
    etsi = _etsi_reason(v)
    if etsi is not None:
        return Text.assemble((etsi[0], "bold"), f": {etsi[1]}")
    return Text("not verified")


def _table(width: int, *columns: tuple[str, int | None], title: str | None = None) -> Table:
    """A borderless table for ``width`` columns of text; each column as (header, fixed
    width or None). Every cell folds (wraps, and breaks a word longer than its column)
    rather than being cut off; the fixed widths are dropped when they leave the other
    columns too little room, so that nothing is ever cropped."""
    t = Table(
        box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=False,
        title=title, title_justify="left", title_style="bold", header_style="bold",
    )
    gaps = 2 * (len(columns) - 1)
    fixed = sum(w for _, w in columns if w)
    flexible = sum(1 for _, w in columns if not w)
    keep_fixed = fixed + gaps + 10 * flexible <= width
    for header, w in columns:
        t.add_column(header, width=w if (w and keep_fixed) else None, overflow="fold")
    return t


def _files_table(batch: BatchVerdict, width: int) -> Table:
    """One line per file (as long as the terminal is wide enough for its path)."""
    t = _table(width, ("State", len(INDETERMINATE)), ("File", None), ("Approved", None), ("Signed by", None))
    for v in batch.files:
        state = file_state(v)
        if not v.completed:
            t.add_row(_state_text(state), Text(v.path), Text("-"), Text("-"))
            continue
        signers = "; ".join(_signer(s) for s in v.partner_signatures) or "none"
        t.add_row(_state_text(state), Text(v.path), Text(_approved(v)), Text(signers))
    return t


def _signatures_table(v: FileVerdict, width: int) -> Table:
    t = _table(width, ("Signature, level", 19), ("Signer", None), ("Claimed / timestamp", 24),
               ("Indication", len(INDETERMINATE)))
    for s in v.signatures:
        ev = s.evidence
        ts = ev.signature_timestamp.time if ev.signature_timestamp else None
        level = f"{ev.kind.value}, {ev.pades_level or '-'}"
        q = ev.qualification.level
        if ev.kind is not SignatureKind.DOC_TIMESTAMP and q is not Qualification.NOT_ASSESSED:
            level += f", {q.value}"  # eIDAS qualification (from the trusted lists)
        t.add_row(
            Text.assemble(ev.field_name, "\n", (level, "dim")),
            Text(_signer(s)),
            Text(f"{_time(ev.claimed_signing_time)}\n{_time(ts)}"),
            Text(s.indication.value, style=_INDICATION_STYLE.get(s.indication, "")),
        )
    return t


def _file_detail(v: FileVerdict, width: int) -> RenderableType:
    """A file with every signature (field and kind, signer, level, the claimed and the
    timestamped signing time, indication), then each finding (INFO left out) and what
    each verdict rests on."""
    state = file_state(v)
    head = Text.assemble(_state_text(state), "  ", (v.path, "bold"))
    if not v.completed:
        return Group(head, Padding(_reason(v), (0, 0, 0, 2)))
    n = len(v.partner_signatures)
    parts: list[RenderableType] = [head, Padding(Text(f"{_approved(v)}; {n} partner signature(s)"), (0, 0, 0, 2))]
    for f in v.findings:
        if f.level is not Level.INFO:
            parts.append(Padding(_finding_text(f), (0, 0, 0, 2)))
    if v.signatures:
        parts.append(Padding(_signatures_table(v, width - 2), (0, 0, 0, 2)))
        for s in v.signatures:
            for f in s.findings:
                if f.level is not Level.INFO:
                    parts.append(Padding(_finding_text(f, where=s.evidence.field_name), (0, 0, 0, 2)))
            used = _evidence_text(s)
            if used is not None:
                parts.append(Padding(used, (0, 0, 0, 2)))
    return Group(*parts)


def _summary(batch: BatchVerdict, width: int) -> list[RenderableType]:
    states = [file_state(v) for v in batch.files]
    n = len(batch.files)
    line = f"{states.count(VERIFIED)} of {n} file(s) verified"
    for state, words in ((FAILED, "failed"), (INDETERMINATE, "indeterminate"), (ERROR, "could not be read")):
        if states.count(state):
            line += f", {states.count(state)} {words}"
    out: list[RenderableType] = [Text(line, style="bold")]
    attention = [(v, s) for v, s in zip(batch.files, states) if s != VERIFIED]
    if attention:
        t = _table(width, ("State", len(INDETERMINATE)), ("File", None), ("First finding", None),
                   title="Not verified:")
        for v, state in attention:
            t.add_row(_state_text(state), Text(v.path), _reason(v))
        out.append(t)
    return out


# --------------------------------------------------------------------- the API


def render_file(
    v: FileVerdict, *, width: int | None = None, color: bool | None = None, no_color: bool | None = None
) -> str:
    """One file with its per-signature detail."""
    console, buf = _console(width, color, no_color)
    console.print(_file_detail(v, console.width))
    return _finish(buf)


def render_batch_table(
    batch: BatchVerdict,
    *,
    verbose: bool | None = None,
    width: int | None = None,
    color: bool | None = None,
    no_color: bool | None = None,
) -> str:
    """The verdicts for people: one line per file (``verbose``: each signature too), then a
    summary naming every file not verified with its first blocking finding.

    ``verbose``/``no_color`` left as ``None`` follow the running command's ``--verbose`` and
    ``--no-color`` options when it has them; ``width`` defaults to the terminal's (or
    ``COLUMNS``); colour only on a terminal and never with ``NO_COLOR`` set."""
    if verbose is None:
        verbose = bool(_click_setting("verbose"))
    console, buf = _console(width, color, no_color)
    if batch.files:
        if verbose:
            for i, v in enumerate(batch.files):
                if i:
                    console.print()
                console.print(_file_detail(v, console.width))
        else:
            console.print(_files_table(batch, console.width))
        console.print()
    for part in _summary(batch, console.width):
        console.print(part)
    return _finish(buf)
