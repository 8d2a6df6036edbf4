"""The Starlette application of ``zvhsign serve``: intake, status and reports.

The page has no verdict logic of its own: every verdict comes from the one
verification pipeline (``services/pipeline.py``, see :mod:`.intake`), the status
matrix from ``services.governance.status`` and the audit report from
``services.reporting.gather`` rendered by ``zvhsign.reports``.
"""

from __future__ import annotations

import json
import secrets
import time
from datetime import UTC, datetime
from pathlib import Path

import anyio.to_thread
from jinja2 import Environment, PackageLoader, StrictUndefined
from starlette.applications import Starlette
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from ..errors import ZvhsignError
from ..services.workspace import Workspace
from . import intake as judging
from .accounts import LOCAL, Account, check_password, spend_time
from .present import CELL_NL, INDICATION_NL, copy_view, mandate_text, when
from .security import BodyLimit, SecurityHeaders, check_csrf, csrf_token

MAX_FILES = 20  # copies per upload
MAX_FILE_BYTES = 25 * 1024 * 1024  # per copy
MAX_BODY = MAX_FILES * MAX_FILE_BYTES + 64 * 1024
LOGIN_ATTEMPTS, LOGIN_LOCK_SECONDS = 5, 60
HERE = Path(__file__).resolve().parent


class _InMemoryParser(MultiPartParser):
    """Uploads stay in memory: the spool never rolls over to a file on disk."""

    spool_max_size = MAX_BODY + 1


def _templates() -> Jinja2Templates:
    env = Environment(loader=PackageLoader("zvhsign.web", "templates"), autoescape=True,
                      undefined=StrictUndefined)
    env.globals.update(when=when, cell_nl=CELL_NL, mandate_text=mandate_text,
                       indication_nl={i.value: t for i, t in INDICATION_NL.items()})
    return Jinja2Templates(env=env)


def safe_label(filename: str | None, n: int) -> str:
    """A display name for an upload: the base name, printable, short. Never a path on disk."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()[:120]
    return name or f"bestand-{n}"


def create_app(ws: Workspace, accounts: dict[str, Account] | None = None, *, https: bool = False,
               max_files: int = MAX_FILES, max_file_bytes: int = MAX_FILE_BYTES) -> Starlette:
    """The web application over workspace ``ws``. Without ``accounts`` everyone who reaches it
    is the local secretariat user (serve it on 127.0.0.1 only: ``security.check_bind``)."""
    accounts = dict(accounts or {})
    templates = _templates()
    store = judging.IntakeStore()
    failures: dict[str, tuple[int, float]] = {}

    # ------------------------------------------------------------------ helpers

    def account_of(request: Request) -> Account | None:
        if not accounts:
            return LOCAL
        name = request.session.get("user")
        return accounts.get(name) if isinstance(name, str) else None

    def require(request: Request, *, secretariat: bool = False) -> Account:
        account = account_of(request)
        if account is None:
            raise HTTPException(401)
        if secretariat and not account.is_secretariat:
            raise HTTPException(403, "Dit kan alleen het secretariaat.")
        return account

    def page(request: Request, name: str, status_code: int = 200, **context) -> Response:
        context.update(account=account_of(request), csrf=csrf_token(request), with_login=bool(accounts))
        return templates.TemplateResponse(request, name, context, status_code=status_code)

    async def read_upload(request: Request) -> FormData:
        if not request.headers.get("content-type", "").startswith("multipart/form-data"):
            raise HTTPException(400, "Verwacht een formulier met bestanden.")
        parser = _InMemoryParser(request.headers, request.stream(), max_files=max_files, max_fields=10,
                                 max_part_size=64 * 1024)
        try:
            return await parser.parse()
        except MultiPartException:
            raise HTTPException(400, f"Te veel bestanden of een ongeldig formulier: "
                                     f"stuur ten hoogste {max_files} kopieën tegelijk.") from None

    # ------------------------------------------------------------------- routes

    async def home(request: Request) -> Response:
        return RedirectResponse("/inname", 303)

    async def login_form(request: Request) -> Response:
        if not accounts:
            return RedirectResponse("/inname", 303)
        return page(request, "login.html.j2", error=None)

    async def login(request: Request) -> Response:
        if not accounts:
            return RedirectResponse("/inname", 303)
        form = await request.form(max_files=0, max_fields=5, max_part_size=4096)
        check_csrf(request, form)
        name, password = str(form.get("naam", "")), str(form.get("wachtwoord", ""))
        count, since = failures.get(name, (0, 0.0))
        if count >= LOGIN_ATTEMPTS and time.monotonic() - since < LOGIN_LOCK_SECONDS:
            return page(request, "login.html.j2", 429,
                        error="Te veel mislukte pogingen. Probeer het over een minuut opnieuw.")
        account = accounts.get(name)
        ok = check_password(account, password) if account is not None else (spend_time() or False)
        if not ok:
            failures[name] = (count + 1, time.monotonic())
            return page(request, "login.html.j2", 401, error="Naam of wachtwoord klopt niet.")
        failures.pop(name, None)
        request.session.clear()
        request.session["user"] = account.name
        request.session["csrf"] = secrets.token_urlsafe(32)  # a fresh token for the new session
        return RedirectResponse("/inname", 303)

    async def logout(request: Request) -> Response:
        form = await request.form(max_files=0, max_fields=5, max_part_size=4096)
        check_csrf(request, form)
        request.session.clear()
        return RedirectResponse("/inloggen" if accounts else "/inname", 303)

    async def intake_form(request: Request) -> Response:
        account = require(request)
        return page(request, "intake.html.j2", intakes=store.visible(account), error=None,
                    max_files=max_files, max_mb=max_file_bytes // (1024 * 1024))

    async def intake_post(request: Request) -> Response:
        account = require(request)
        form = await read_upload(request)
        check_csrf(request, form)
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
                continue
            if len(data) > max_file_bytes:
                problems.append(f"{label}: groter dan {max_file_bytes // (1024 * 1024)} MB.")
                continue
            files.append((label, data))
        if not files:
            return page(request, "intake.html.j2", 400, intakes=store.visible(account),
                        error=" ".join(problems) or "Kies een of meer ondertekende PDF-kopieën.",
                        max_files=max_files, max_mb=max_file_bytes // (1024 * 1024))
        try:
            batch, examined, trust = await anyio.to_thread.run_sync(judging.judge, ws, files)
        except ZvhsignError as exc:
            raise HTTPException(503, f"De kopieën konden nu niet worden beoordeeld: {exc.message}") from None
        it = store.add(account, batch, examined, [d for _, d in files], trust)
        request.session["problems"] = problems
        return RedirectResponse(f"/inname/{it.id}", 303)

    def intake_of(request: Request, account: Account) -> judging.Intake:
        it = store.get(request.path_params["id"], account)
        if it is None:
            raise HTTPException(404, "Deze inzending bestaat niet (meer), of is niet van u.")
        return it

    async def intake_result(request: Request) -> Response:
        account = require(request)
        it = intake_of(request, account)
        views = [copy_view(i, fv, it.data[i]) for i, fv in enumerate(it.batch.files)]
        problems = request.session.pop("problems", [])
        return page(request, "result.html.j2", intake=it, copies=views, problems=problems,
                    recordable=account.is_secretariat and any(
                        v.outcome == "geaccepteerd" and v.index not in it.recorded for v in views),
                    message=request.session.pop("message", None))

    async def intake_copy_json(request: Request) -> Response:
        account = require(request)
        it = intake_of(request, account)
        n = request.path_params["n"]
        if not 0 <= n < len(it.batch.files):
            raise HTTPException(404, "Deze kopie bestaat niet.")
        body = json.dumps(it.batch.files[n].to_json(), indent=2, ensure_ascii=False)
        return Response(body, media_type="application/json",
                        headers={"content-disposition": f'attachment; filename="oordeel-{n + 1}.json"'})

    async def intake_copy_etsi(request: Request) -> Response:
        account = require(request)
        it = intake_of(request, account)
        n = request.path_params["n"]
        if not 0 <= n < len(it.batch.files) or it.batch.files[n].evidence is None:
            raise HTTPException(404, "Van deze kopie is geen ETSI-rapport te maken.")
        body = await anyio.to_thread.run_sync(judging.etsi_report, ws, it.batch.files[n].path, it.data[n])
        return Response(body, media_type="application/xml",
                        headers={"content-disposition": f'attachment; filename="etsi-rapport-{n + 1}.xml"'})

    async def intake_record(request: Request) -> Response:
        account = require(request)
        form = await request.form(max_files=0, max_fields=5, max_part_size=4096)
        check_csrf(request, form)
        if not account.is_secretariat:
            raise HTTPException(403, "Alleen het secretariaat legt kopieën vast in het register.")
        it = intake_of(request, account)
        try:
            done = await anyio.to_thread.run_sync(judging.record, ws, it, list(range(len(it.batch.files))),
                                                  account)
        except ZvhsignError as exc:
            raise HTTPException(409, f"Niet vastgelegd: {exc.message}") from None
        request.session["message"] = (f"{len(done)} geaccepteerde kopie(ën) vastgelegd in het register."
                                      if done else "Er was niets (meer) vast te leggen.")
        return RedirectResponse(f"/inname/{it.id}", 303)

    async def status_page(request: Request) -> Response:
        account = require(request)
        matrix, versions = await anyio.to_thread.run_sync(judging.status_now, ws)
        rows = [r for r in matrix.rows if account.is_secretariat or r.partner.key == account.partner]
        return page(request, "status.html.j2", matrix=matrix, rows=rows, versions=versions)

    async def status_json(request: Request) -> Response:
        account = require(request)
        matrix, _ = await anyio.to_thread.run_sync(judging.status_now, ws)
        out = matrix.to_json()
        if not account.is_secretariat:
            out["partners"] = [p for p in out["partners"] if p["partner"] == account.partner]
        return JSONResponse(out)

    async def report(request: Request) -> Response:
        account = require(request, secretariat=True)
        fmt = request.path_params["fmt"]
        if fmt not in ("html", "json"):
            raise HTTPException(404, "Het rapport is er als HTML en als JSON.")
        try:
            body = await anyio.to_thread.run_sync(judging.report_bytes, ws, fmt, account)
        except ZvhsignError as exc:
            raise HTTPException(409, f"Geen rapport: {exc.message}") from None
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
        media = {"html": "text/html; charset=utf-8", "json": "application/json"}[fmt]
        return Response(body, media_type=media, headers={
            "content-disposition": f'attachment; filename="zvh-auditrapport-{stamp}.{fmt}"'})

    async def report_page(request: Request) -> Response:
        require(request, secretariat=True)
        return page(request, "report.html.j2")

    async def http_error(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 401:
            return RedirectResponse("/inloggen", 303)
        text = exc.detail if exc.detail and exc.detail != _default_detail(exc.status_code) else {
            403: "Dit mag u niet.", 404: "Deze pagina bestaat niet.", 405: "Dit kan zo niet.",
            413: "De upload is te groot."}.get(exc.status_code, "Er ging iets mis.")
        return page(request, "error.html.j2", exc.status_code, message=text)

    async def no_icon(request: Request) -> Response:
        return Response(status_code=204)

    routes = [
        Route("/", home),
        Route("/favicon.ico", no_icon),
        Route("/inloggen", login_form, methods=["GET"]),
        Route("/inloggen", login, methods=["POST"]),
        Route("/uitloggen", logout, methods=["POST"]),
        Route("/inname", intake_form, methods=["GET"]),
        Route("/inname", intake_post, methods=["POST"]),
        Route("/inname/{id:str}", intake_result, methods=["GET"]),
        Route("/inname/{id:str}/kopie/{n:int}.json", intake_copy_json, methods=["GET"]),
        Route("/inname/{id:str}/kopie/{n:int}.xml", intake_copy_etsi, methods=["GET"]),
        Route("/inname/{id:str}/vastleggen", intake_record, methods=["POST"]),
        Route("/status", status_page, methods=["GET"]),
        Route("/status.json", status_json, methods=["GET"]),
        Route("/rapport", report_page, methods=["GET"]),
        Route("/rapport.{fmt:str}", report, methods=["GET"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    middleware = [
        Middleware(SecurityHeaders),
        Middleware(BodyLimit, limit=max_files * max_file_bytes + 64 * 1024),
        Middleware(SessionMiddleware, secret_key=secrets.token_urlsafe(32), session_cookie="zvhsign_sessie",
                   max_age=8 * 3600, same_site="strict", https_only=https),
    ]
    app = Starlette(routes=routes, middleware=middleware, exception_handlers={HTTPException: http_error})
    app.state.store = store
    return app


def _default_detail(code: int) -> str:
    import http

    try:
        return http.HTTPStatus(code).phrase
    except ValueError:
        return ""
