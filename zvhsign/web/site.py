"""What every route of the page shares: the workspace, the accounts, the templates, the
intake store and the limits (:class:`Site`, kept on ``app.state.site``), and the small
helpers each route uses -- who is asking, may they, and render a page."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from jinja2 import Environment, PackageLoader, StrictUndefined
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from ..domain.text import valid_output
from ..services.workspace import Workspace
from . import intake as judging
from .accounts import LOCAL, Account
from .present import CELL_NL, INDICATION_NL, mandate_text, when
from .security import csrf_token

MAX_FILES = 20  # copies per upload
MAX_FILE_BYTES = 25 * 1024 * 1024  # per copy
MAX_BODY = MAX_FILES * MAX_FILE_BYTES + 64 * 1024
LOGIN_ATTEMPTS, LOGIN_LOCK_SECONDS = 5, 60


class InMemoryParser(MultiPartParser):
    """Uploads stay in memory: the spool never rolls over to a file on disk."""

    spool_max_size = MAX_BODY + 1


def templates() -> Jinja2Templates:
    env = Environment(loader=PackageLoader("zvhsign.web", "templates"), autoescape=True,
                      undefined=StrictUndefined, finalize=valid_output)  # valid text, whatever a file held
    env.globals.update(when=when, cell_nl=CELL_NL, mandate_text=mandate_text,
                       indication_nl={i.value: t for i, t in INDICATION_NL.items()})
    return Jinja2Templates(env=env)


@dataclass
class Site:
    """The page's state, one per application."""

    ws: Workspace
    accounts: dict[str, Account]
    max_files: int = MAX_FILES
    max_file_bytes: int = MAX_FILE_BYTES
    #: the secretariat's key for the signed PDF report (``zvhsign serve --key``); None: no PDF
    report_key: object | None = None
    templates: Jinja2Templates = field(default_factory=templates)
    store: judging.IntakeStore = field(default_factory=judging.IntakeStore)
    #: failed logins per name: (count, monotonic time of the last)
    failures: dict[str, tuple[int, float]] = field(default_factory=dict)

    @property
    def max_mb(self) -> int:
        return self.max_file_bytes // (1024 * 1024)

    def locked_out(self, name: str) -> bool:
        count, since = self.failures.get(name, (0, 0.0))
        return count >= LOGIN_ATTEMPTS and time.monotonic() - since < LOGIN_LOCK_SECONDS

    def failed_login(self, name: str) -> None:
        count, _ = self.failures.get(name, (0, 0.0))
        self.failures[name] = (count + 1, time.monotonic())


def site_of(request: Request) -> Site:
    return request.app.state.site


def account_of(request: Request) -> Account | None:
    """The account of the request: without accounts everyone is the local secretariat."""
    site = site_of(request)
    if not site.accounts:
        return LOCAL
    name = request.session.get("user")
    return site.accounts.get(name) if isinstance(name, str) else None


def require(request: Request, *, secretariat: bool = False) -> Account:
    account = account_of(request)
    if account is None:
        raise HTTPException(401)
    if secretariat and not account.is_secretariat:
        raise HTTPException(403, "Dit kan alleen het secretariaat.")
    return account


def page(request: Request, name: str, status_code: int = 200, **context) -> Response:
    context.update(account=account_of(request), csrf=csrf_token(request),
                   with_login=bool(site_of(request).accounts))
    return site_of(request).templates.TemplateResponse(request, name, context, status_code=status_code)


async def small_form(request: Request) -> FormData:
    """A form without files (login, logout, record)."""
    return await request.form(max_files=0, max_fields=5, max_part_size=4096)


async def read_upload(request: Request) -> FormData:
    """The multipart upload, parsed in memory within the page's limits."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise HTTPException(400, "Verwacht een formulier met bestanden.")
    max_files = site_of(request).max_files
    parser = InMemoryParser(request.headers, request.stream(), max_files=max_files, max_fields=10,
                            max_part_size=64 * 1024)
    try:
        return await parser.parse()
    except MultiPartException:
        raise HTTPException(400, f"Te veel bestanden of een ongeldig formulier: "
                                 f"stuur ten hoogste {max_files} kopieën tegelijk.") from None


def safe_label(filename: str | None, n: int) -> str:
    """A display name for an upload: the base name, printable, short. Never a path on disk."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()[:120]
    return name or f"bestand-{n}"
