"""First start (/setup), /login and /logout."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from soulsync.web.auth import SetupError, admin_is_set, set_initial_admin, verify_admin
from soulsync.web.client_address import client_address
from soulsync.web.middleware import AuthContext
from soulsync.web.templating import render

log = logging.getLogger(__name__)
router = APIRouter()


def safe_next(value: str | None) -> str:
    """A local path to go to after login; anything else (another site) becomes "/"."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return "/"
    return value


def _client(request: Request) -> str:
    ctx: AuthContext = request.state.auth
    peer = request.client.host if request.client else None
    return client_address(peer, request.headers.get("x-forwarded-for"), ctx.trusted_proxies)


def _form_str(form: object, name: str) -> str:
    value = form.get(name) if hasattr(form, "get") else None
    return value if isinstance(value, str) else ""


@router.get("/setup", include_in_schema=False)
async def setup_page(request: Request) -> Response:
    """The first-start form; once the password is set it only points to /login."""
    ctx: AuthContext = request.state.auth
    if admin_is_set(ctx.store):
        return RedirectResponse("/login", status_code=303)
    return render(request, "setup.html", {"username": "admin"})


@router.post("/setup", include_in_schema=False)
async def setup_submit(request: Request) -> Response:
    """Set the admin password, then log the browser in."""
    ctx: AuthContext = request.state.auth
    if admin_is_set(ctx.store):
        # Never let a second visitor replace the password through this form.
        return RedirectResponse("/login", status_code=303)
    form = await request.form()
    username = _form_str(form, "username").strip() or "admin"
    try:
        await run_in_threadpool(
            set_initial_admin,
            ctx.store,
            username,
            _form_str(form, "password"),
            _form_str(form, "confirm"),
        )
    except SetupError as exc:
        return render(request, "setup.html", {"username": username, "error": str(exc)}, 400)
    log.info("admin account %r created from %s", username, _client(request))
    ctx.store.add_activity("auth", f"Admin account {username!r} created")
    start_session(request, username)
    return RedirectResponse("/", status_code=303)


@router.get("/login", include_in_schema=False)
async def login_page(request: Request, next: str | None = None) -> Response:
    """The login form (or straight on, if already logged in)."""
    if request.state.principal is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "login.html", {"next": safe_next(next)})


@router.post("/login", include_in_schema=False)
async def login_submit(request: Request) -> Response:
    """Check the password (throttled per client and per account) and start a session."""
    ctx: AuthContext = request.state.auth
    form = await request.form()
    username = _form_str(form, "username")
    target = safe_next(_form_str(form, "next"))
    client = _client(request)
    # Reserved before argon2 runs, so parallel guesses are counted as they arrive.
    wait = ctx.limiter.reserve(client, username)
    if wait > 0:
        log.warning("login from %s refused: too many failures", client)
        message = f"Too many failed attempts. Try again in {int(wait) + 1} seconds."
        response = render(
            request, "login.html", {"next": target, "username": username, "error": message}, 429
        )
        response.headers["Retry-After"] = str(int(wait) + 1)
        return response
    ok = await run_in_threadpool(verify_admin, ctx.store, username, _form_str(form, "password"))
    if not ok:
        log.warning("failed login for %r from %s", username[:64], client)
        error = "Wrong user name or password."
        return render(
            request, "login.html", {"next": target, "username": username, "error": error}, 401
        )
    ctx.limiter.succeeded(client, username)
    log.info("login by %r from %s", username, client)
    start_session(request, username.strip())
    return RedirectResponse(target, status_code=303)


@router.post("/logout", include_in_schema=False)
async def logout(request: Request) -> Response:
    """End the session everywhere (its id is revoked server-side)."""
    ctx: AuthContext = request.state.auth
    session = request.state.session
    if session.sid:
        ctx.sessions.revoke(session.sid)
    session.sid = None
    session.user = None
    session.rotate()
    return RedirectResponse("/login", status_code=303)


def start_session(request: Request, username: str) -> None:
    """Log this browser in as ``username``: a new server-side session and a new CSRF token."""
    ctx: AuthContext = request.state.auth
    session = request.state.session
    if session.sid:
        ctx.sessions.revoke(session.sid)
    session.sid = ctx.sessions.create(username)
    session.user = username
    # A new CSRF token with the new login: a token planted before login is useless.
    session.rotate()
