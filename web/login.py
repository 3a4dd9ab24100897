"""Signing in and out: a plain HTML form (no script needed), rate-limited per address.

A sign-in from another site's page is refused (its Origin is not ours), and so is one that names
a page elsewhere to go back to. Signing out also asks the browser to clear this site's storage,
where the page keeps the conversation: exempt answers must not outlive the session there.
"""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from qa.users import MAX_PASSWORD
from web.auth import Auth, ViewerDep
from web.deps import TemplatesDep
from web.limits import address, client_key, enforce

router = APIRouter(include_in_schema=False)
_LOCAL_PATH = re.compile(r"/(?![/\\])[^\s\\]{0,500}")
_LOOPBACK = ("localhost", "127.0.0.1", "::1")
FieldText = Annotated[str, Form(max_length=MAX_PASSWORD)]


def _same_origin(request: Request) -> None:
    """Form posts must come from our own pages. Browsers say where a request comes from in
    Sec-Fetch-Site; Origin is the fallback (it is "null" here, under Referrer-Policy: no-referrer)."""
    site = request.headers.get("sec-fetch-site")
    origin = request.headers.get("origin")
    foreign = (site not in ("same-origin", "none") if site is not None
               else origin not in (None, "null") and urlsplit(origin).netloc != request.headers.get("host", ""))
    if foreign:
        raise HTTPException(403, "Sign-in and sign-out must be sent from Clerk's own pages.")


def _cookie_would_stick(request: Request, auth: Auth) -> bool:
    """Browsers drop a Secure cookie sent over plain HTTP, except to this machine itself."""
    return not auth.secure_cookie or request.url.scheme == "https" or request.url.hostname in _LOOPBACK


def _local(path: str | None) -> str:
    return path if path and _LOCAL_PATH.fullmatch(path) else "/"


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, templates: TemplatesDep, viewer: ViewerDep, next: str = "/") -> HTMLResponse:
    context = {"page": "login", "viewer": viewer, "next": _local(next[:500]), "problem": None}
    return templates.TemplateResponse(request, "login.html", context)


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, templates: TemplatesDep, viewer: ViewerDep, name: FieldText,
          password: FieldText, next: FieldText = "/") -> Response:
    _same_origin(request)
    enforce(request.app.state.login_bucket, client_key(viewer, address(request)), "sign-in attempts")
    auth: Auth = request.app.state.auth
    if not _cookie_would_stick(request, auth):
        problem = "Signing in needs HTTPS: serve Clerk behind a TLS proxy, or sign in on this machine at http://127.0.0.1."
        context = {"page": "login", "viewer": viewer, "next": _local(next), "problem": problem}
        return templates.TemplateResponse(request, "login.html", context, status_code=400)
    user = auth.store.verify(name.strip(), password)
    if user is None:
        context = {"page": "login", "viewer": viewer, "next": _local(next), "problem": None,
                   "failed": True, "name": name.strip()[:64]}
        return templates.TemplateResponse(request, "login.html", context, status_code=401)
    response = RedirectResponse(_local(next), status_code=303)
    auth.sign_in(response, user)
    return response


@router.post("/logout")
def logout(request: Request) -> Response:
    _same_origin(request)
    response = RedirectResponse("/", status_code=303, headers={"Clear-Site-Data": '"storage"'})
    auth: Auth = request.app.state.auth
    auth.sign_out(response)
    return response
