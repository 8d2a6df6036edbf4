"""Rendering the report: HTML (Jinja2, autoescaped), PDF (WeasyPrint, PDF/A) and JSON."""

from __future__ import annotations

import json

from ..domain.text import valid_output, valid_tree
from ..errors import ZvhsignError
from .model import Report

PDF_VARIANT = "pdf/a-3b"
"""PDF/A-3b: archival PDF (fonts embedded, colour profile), accepted by Dutch archives."""


class RenderError(ZvhsignError):
    """The report could not be rendered (exit 3)."""


def _environment():
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    return Environment(
        loader=PackageLoader("zvhsign.reports", "templates"),
        autoescape=select_autoescape(["html", "j2"], default=True),
        undefined=StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
        finalize=valid_output,  # every value valid text, whatever bytes a file's names held
    )


def render_html(report: Report, *, pdf: bool = False) -> str:
    """The report as one self-contained HTML page (no external resources)."""
    return _environment().get_template("report.html.j2").render(r=report, pdf=pdf)


def render_pdf(report: Report) -> bytes:
    """The same content as the HTML, laid out for A4 paper as PDF/A-3b (unsigned)."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:  # OSError: the pango libraries are missing
        raise RenderError(
            f"can't render PDF: WeasyPrint is not usable here ({exc})",
            hint="install the system libraries: apt-get install libpango-1.0-0 libpangoft2-1.0-0",
        ) from None
    html = render_html(report, pdf=True)
    return HTML(string=html, base_url=None).write_pdf(pdf_variant=PDF_VARIANT)


def render_json(report: Report) -> str:
    return json.dumps(valid_tree(report.to_json()), indent=2, ensure_ascii=False)
