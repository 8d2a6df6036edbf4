"""Intake: upload signed copies, see the pipeline's verdict on each, download its JSON or
ETSI report, and (the secretariat) record the accepted ones in the registry."""

from __future__ import annotations

import json

import anyio.to_thread
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..domain.text import valid_tree
from ..errors import ZvhsignError
from . import intake as judging
from .accounts import Account
from .present import copy_view
from .security import check_csrf
from .site import page, read_upload, require, safe_label, site_of, small_form


def _form_page(request: Request, account: Account, status_code: int = 200, error: str | None = None) -> Response:
    site = site_of(request)
    return page(request, "intake.html.j2", status_code, intakes=site.store.visible(account), error=error,
                max_files=site.max_files, max_mb=site.max_mb)


async def intake_form(request: Request) -> Response:
    return _form_page(request, require(request))


async def _uploaded(request: Request, form) -> tuple[list[tuple[str, bytes]], list[str]]:  # noqa: ANN001
    """(label, bytes) of every usable upload, and a message for each one refused."""
    limit = site_of(request).max_file_bytes
    files: list[tuple[str, bytes]] = []
    problems: list[str] = []
    for n, up in enumerate(form.getlist("bestanden"), start=1):
        if not isinstance(up, UploadFile):
            continue
        data = await up.read()
        label = safe_label(up.filename, n)
        if not data:
            if up.filename:
                problems.append(f"{label}: het bestand is leeg.")
        elif len(data) > limit:
            problems.append(f"{label}: groter dan {limit // (1024 * 1024)} MB.")
        else:
            files.append((label, data))
    return files, problems


async def intake_post(request: Request) -> Response:
    account = require(request)
    form = await read_upload(request)
    check_csrf(request, form)
    files, problems = await _uploaded(request, form)
    if not files:
        return _form_page(request, account, 400,
                          " ".join(problems) or "Kies een of meer ondertekende PDF-kopieën.")
    site = site_of(request)
    try:
        batch, examined, trust = await anyio.to_thread.run_sync(judging.judge, site.ws, files)
    except ZvhsignError as exc:
        raise HTTPException(503, f"De kopieën konden nu niet worden beoordeeld: {exc.message}") from None
    it = site.store.add(account, batch, examined, [d for _, d in files], trust)
    request.session["problems"] = problems
    return RedirectResponse(f"/inname/{it.id}", 303)


def intake_of(request: Request, account: Account) -> judging.Intake:
    it = site_of(request).store.get(request.path_params["id"], account)
    if it is None:
        raise HTTPException(404, "Deze inzending bestaat niet (meer), of is niet van u.")
    return it


async def intake_result(request: Request) -> Response:
    account = require(request)
    it = intake_of(request, account)
    views = [copy_view(i, fv, it.data[i]) for i, fv in enumerate(it.batch.files)]
    problems = request.session.pop("problems", [])
    recordable = account.is_secretariat and any(
        v.outcome == "geaccepteerd" and v.index not in it.recorded for v in views)
    return page(request, "result.html.j2", intake=it, copies=views, problems=problems,
                recordable=recordable, message=request.session.pop("message", None))


def _copy_number(request: Request, it: judging.Intake, message: str) -> int:
    n = request.path_params["n"]
    if not 0 <= n < len(it.batch.files):
        raise HTTPException(404, message)
    return n


async def intake_copy_json(request: Request) -> Response:
    it = intake_of(request, require(request))
    n = _copy_number(request, it, "Deze kopie bestaat niet.")
    body = json.dumps(valid_tree(it.batch.files[n].to_json()), indent=2, ensure_ascii=False)
    return Response(body, media_type="application/json",
                    headers={"content-disposition": f'attachment; filename="oordeel-{n + 1}.json"'})


async def intake_copy_etsi(request: Request) -> Response:
    it = intake_of(request, require(request))
    n = _copy_number(request, it, "Van deze kopie is geen ETSI-rapport te maken.")
    if it.batch.files[n].evidence is None:
        raise HTTPException(404, "Van deze kopie is geen ETSI-rapport te maken.")
    body = await anyio.to_thread.run_sync(judging.etsi_report, site_of(request).ws, it.batch.files[n].path,
                                          it.data[n])
    return Response(body, media_type="application/xml",
                    headers={"content-disposition": f'attachment; filename="etsi-rapport-{n + 1}.xml"'})


async def intake_record(request: Request) -> Response:
    account = require(request)
    form = await small_form(request)
    check_csrf(request, form)
    if not account.is_secretariat:
        raise HTTPException(403, "Alleen het secretariaat legt kopieën vast in het register.")
    it = intake_of(request, account)
    try:
        done = await anyio.to_thread.run_sync(judging.record, site_of(request).ws, it,
                                              list(range(len(it.batch.files))), account)
    except ZvhsignError as exc:
        raise HTTPException(409, f"Niet vastgelegd: {exc.message}") from None
    request.session["message"] = (f"{len(done)} geaccepteerde kopie(ën) vastgelegd in het register."
                                  if done else "Er was niets (meer) vast te leggen.")
    return RedirectResponse(f"/inname/{it.id}", 303)
