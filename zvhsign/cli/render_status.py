"""``zvhsign status`` for people: the partner × document matrix as a table that fits the
terminal (rich, as ``verify``'s: cells wrap instead of shifting the columns; ``COLUMNS``,
``NO_COLOR`` and colour only on a terminal honoured the same way)."""

from __future__ import annotations

from rich.text import Text

from ..domain.documents import DocumentKind
from ..i18n import local_date
from .render import _console, _finish, _table

_CELL_STYLE = {
    "signed": "green", "needs re-signing": "yellow", "indeterminate": "yellow", "invalid": "red bold",
    "missing": "",
}


def _cell(c) -> Text:  # noqa: ANN001
    detail = ", ".join(x for x in (c.version, c.qualification) if x)  # e.g. "1.0, QES"
    return Text.assemble((c.state.value, _CELL_STYLE.get(c.state.value, "")), f" ({detail})" if detail else "")


def _mandate(m) -> str:  # noqa: ANN001
    """The mandate column: its state, the revocation dated as the College dated it, the mayor."""
    text = m.state
    if m.revoked_at is not None:
        text = f"revoked from {local_date(m.revoked_at)}" if m.state.startswith("revoked from") else \
            f"revoked on {local_date(m.revoked_at)}"
    if m.mayor:
        text += f" ({m.mayor}, decided {m.decision_date})"
    return text


def render_status(m, *, width: int | None = None, color: bool | None = None,  # noqa: ANN001
                  no_color: bool | None = None) -> str:
    """The status matrix ``m`` (``domain.status.StatusMatrix``) as text."""
    console, buf = _console(width, color, no_color)
    cur = ", ".join(f"{d.value} {a.version if a else '-'}" for d, a in m.current.items())
    console.print(f"current approved versions: {cur}")
    console.print()
    if not m.rows:
        console.print("no partners registered (zvhsign partner import FILE)")
        return _finish(buf)
    t = _table(console.width, ("partner", None), *((d.value, None) for d in DocumentKind), ("mandate", None))
    for r in m.rows:
        t.add_row(Text(r.partner.name), *(_cell(r.cells[d]) for d in DocumentKind), Text(_mandate(r.mandate)))
    console.print(t)
    return _finish(buf)
