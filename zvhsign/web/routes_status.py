"""The status (partner × document matrix, approved versions, mandates) and the audit
report: the same report ``zvhsign report`` writes, made by ``services.reporting`` and
rendered by ``zvhsign.reports`` -- HTML, JSON, and the PDF signed by the secretariat."""

from __future__ import annotations

from datetime import UTC, datetime

import anyio.to_thread
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..errors import ZvhsignError
from . import intake as judging
from .site import page, require, site_of

REPORT_MEDIA = {"html": "text/html; charset=utf-8", "json": "application/json", "pdf": "application/pdf"}


def report_formats(request: Request) -> tuple[str, ...]:
    """The report formats this page offers: the signed PDF only with the secretariat's key."""
    return ("pdf", "html", "json") if site_of(request).report_key is not None else ("html", "json")


async def status_page(request: Request) -> Response:
    account = require(request)
    matrix, versions = await anyio.to_thread.run_sync(judging.status_now, site_of(request).ws)
    rows = [r for r in matrix.rows if account.is_secretariat or r.partner.key == account.partner]
    return page(request, "status.html.j2", matrix=matrix, rows=rows, versions=versions,
                report_formats=report_formats(request))


async def status_json(request: Request) -> Response:
    account = require(request)
    matrix, _ = await anyio.to_thread.run_sync(judging.status_now, site_of(request).ws)
    out = matrix.to_json()
    if not account.is_secretariat:
        out["partners"] = [p for p in out["partners"] if p["partner"] == account.partner]
    return JSONResponse(out)


async def report_page(request: Request) -> Response:
    require(request, secretariat=True)
    return page(request, "report.html.j2", report_formats=report_formats(request))


async def report(request: Request) -> Response:
    account = require(request, secretariat=True)
    fmt = request.path_params["fmt"]
    if fmt not in REPORT_MEDIA:
        raise HTTPException(404, "Het rapport is er als PDF, HTML en JSON.")
    if fmt not in report_formats(request):
        raise HTTPException(404, "Een ondertekende PDF vraagt de sleutel van het secretariaat: "
                                 "start de pagina met zvhsign serve --key secretariaat.p12.")
    site = site_of(request)
    try:
        body = await anyio.to_thread.run_sync(judging.report_bytes, site.ws, fmt, account, site.report_key)
    except ZvhsignError as exc:
        hint = f" ({exc.hint})" if exc.hint else ""
        raise HTTPException(409, f"Geen rapport: {exc.message}{hint}") from None
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    return Response(body, media_type=REPORT_MEDIA[fmt], headers={
        "content-disposition": f'attachment; filename="zvh-auditrapport-{stamp}.{fmt}"'})
