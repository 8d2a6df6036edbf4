"""Logging in and out, the start page, and the error page."""

from __future__ import annotations

import http
import secrets

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from .accounts import check_password, spend_time
from .security import check_csrf
from .site import page, site_of, small_form


async def home(request: Request) -> Response:
    return RedirectResponse("/inname", 303)


async def login_form(request: Request) -> Response:
    if not site_of(request).accounts:
        return RedirectResponse("/inname", 303)
    return page(request, "login.html.j2", error=None)


async def login(request: Request) -> Response:
    site = site_of(request)
    if not site.accounts:
        return RedirectResponse("/inname", 303)
    form = await small_form(request)
    check_csrf(request, form)
    name, password = str(form.get("naam", "")), str(form.get("wachtwoord", ""))
    if site.locked_out(name):
        return page(request, "login.html.j2", 429,
                    error="Te veel mislukte pogingen. Probeer het over een minuut opnieuw.")
    account = site.accounts.get(name)
    ok = check_password(account, password) if account is not None else (spend_time() or False)
    if not ok:
        site.failed_login(name)
        return page(request, "login.html.j2", 401, error="Naam of wachtwoord klopt niet.")
    site.failures.pop(name, None)
    request.session.clear()
    request.session["user"] = account.name
    request.session["csrf"] = secrets.token_urlsafe(32)  # a fresh token for the new session
    return RedirectResponse("/inname", 303)


async def logout(request: Request) -> Response:
    form = await small_form(request)
    check_csrf(request, form)
    request.session.clear()
    return RedirectResponse("/inloggen" if site_of(request).accounts else "/inname", 303)


async def no_icon(request: Request) -> Response:
    return Response(status_code=204)


_PLAIN = {403: "Dit mag u niet.", 404: "Deze pagina bestaat niet.", 405: "Dit kan zo niet.",
          413: "De upload is te groot."}


def _default_detail(code: int) -> str:
    try:
        return http.HTTPStatus(code).phrase
    except ValueError:
        return ""


async def http_error(request: Request, exc: HTTPException) -> Response:
    if exc.status_code == 401:
        return RedirectResponse("/inloggen", 303)
    own = exc.detail and exc.detail != _default_detail(exc.status_code)
    text = exc.detail if own else _PLAIN.get(exc.status_code, "Er ging iets mis.")
    return page(request, "error.html.j2", exc.status_code, message=text)
