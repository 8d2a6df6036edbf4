"""The Starlette application of ``zvhsign serve``: intake, status and reports.

The page has no verdict logic of its own: every verdict comes from the one
verification pipeline (``services/pipeline.py``, see :mod:`.intake`), the status
matrix from ``services.governance.status`` and the audit report from
``services.reporting`` rendered by ``zvhsign.reports`` -- the same report
``zvhsign report`` writes. The routes live in :mod:`.routes_auth`,
:mod:`.routes_intake` and :mod:`.routes_status`; what they share in :mod:`.site`.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..services.workspace import Workspace
from . import routes_auth as auth
from . import routes_intake as intake
from . import routes_status as status
from .accounts import Account
from .security import BodyLimit, SecurityHeaders
from .site import MAX_BODY, MAX_FILE_BYTES, MAX_FILES, Site, safe_label
from .site import InMemoryParser as _InMemoryParser

HERE = Path(__file__).resolve().parent

__all__ = ["MAX_BODY", "MAX_FILES", "MAX_FILE_BYTES", "_InMemoryParser", "create_app", "safe_label"]


def routes() -> list:
    return [
        Route("/", auth.home),
        Route("/favicon.ico", auth.no_icon),
        Route("/inloggen", auth.login_form, methods=["GET"]),
        Route("/inloggen", auth.login, methods=["POST"]),
        Route("/uitloggen", auth.logout, methods=["POST"]),
        Route("/inname", intake.intake_form, methods=["GET"]),
        Route("/inname", intake.intake_post, methods=["POST"]),
        Route("/inname/{id:str}", intake.intake_result, methods=["GET"]),
        Route("/inname/{id:str}/kopie/{n:int}.json", intake.intake_copy_json, methods=["GET"]),
        Route("/inname/{id:str}/kopie/{n:int}.xml", intake.intake_copy_etsi, methods=["GET"]),
        Route("/inname/{id:str}/vastleggen", intake.intake_record, methods=["POST"]),
        Route("/status", status.status_page, methods=["GET"]),
        Route("/status.json", status.status_json, methods=["GET"]),
        Route("/rapport", status.report_page, methods=["GET"]),
        Route("/rapport.{fmt:str}", status.report, methods=["GET"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]


def create_app(ws: Workspace, accounts: dict[str, Account] | None = None, *, https: bool = False,
               max_files: int = MAX_FILES, max_file_bytes: int = MAX_FILE_BYTES,
               report_key=None) -> Starlette:  # noqa: ANN001
    """The web application over workspace ``ws``. Without ``accounts`` everyone who reaches it
    is the local secretariat user (serve it on 127.0.0.1 only: ``security.check_bind``).
    ``report_key`` (a ``services.keys.KeySource`` of the secretariat) lets the page offer the
    audit report as a PDF signed by the secretariat."""
    site = Site(ws, dict(accounts or {}), max_files=max_files, max_file_bytes=max_file_bytes,
                report_key=report_key)
    middleware = [
        Middleware(SecurityHeaders),
        Middleware(BodyLimit, limit=max_files * max_file_bytes + 64 * 1024),
        Middleware(SessionMiddleware, secret_key=secrets.token_urlsafe(32), session_cookie="zvhsign_sessie",
                   max_age=8 * 3600, same_site="strict", https_only=https),
    ]
    app = Starlette(routes=routes(), middleware=middleware, exception_handlers={HTTPException: auth.http_error})
    app.state.site = site
    app.state.store = site.store
    return app
