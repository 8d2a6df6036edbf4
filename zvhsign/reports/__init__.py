"""The audit report for privacy officers: model, templates, and HTML/PDF/JSON output.

Use :func:`write_report` (the CLI's ``zvhsign report`` and the demo do)::

    facts = services.reporting.gather(ws, files, responsible="A. de Vries")
    write_report(ws, facts, "html", Path("rapport.html"))
    write_report(ws, facts, "pdf", Path("rapport.pdf"), key=secretariat_key)

The PDF is rendered from the same content as the HTML and then signed and
timestamped by the secretariat (``ZVH_Rapport`` signature field).
"""

from __future__ import annotations

from pathlib import Path

FORMATS = ("html", "pdf", "json")


def write_report(ws, facts, fmt: str, out: Path, *, key=None) -> bytes:  # noqa: ANN001
    """Render ``facts`` as ``fmt`` and write it atomically to ``out``; returns the bytes."""
    from ..services.files import write_atomic

    data = render_report(ws, facts, fmt, key=key)
    write_atomic(out, data)
    return data


def render_report(ws, facts, fmt: str, *, key=None) -> bytes:  # noqa: ANN001
    """``facts`` as ``fmt``: HTML, JSON, or the PDF signed by the secretariat with ``key``
    (``zvhsign report``, the demo and ``zvhsign serve`` all make their reports here)."""
    from ..errors import UsageError
    from ..services.reporting import sign_report_pdf
    from .model import build_report
    from .render import render_html, render_json, render_pdf

    if fmt not in FORMATS:
        raise UsageError(f"unknown report format {fmt!r}; choose html, pdf or json")
    report = build_report(facts)
    if fmt == "html":
        data = render_html(report).encode("utf-8")
    elif fmt == "json":
        data = (render_json(report) + "\n").encode("utf-8")
    else:
        if key is None:
            raise UsageError(
                "a PDF report is signed by the secretariat: give its key with --key",
                hint="e.g. zvhsign report --format pdf -o rapport.pdf --key secretariaat.p12 signed/*.pdf",
            )
        data = sign_report_pdf(ws, render_pdf(report), key)
    return data


__all__ = ["FORMATS", "render_report", "write_report"]
