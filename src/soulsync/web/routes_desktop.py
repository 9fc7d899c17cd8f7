"""``POST /auth/desktop``: the desktop window logs in with its one-time token.

Reachable without a login by design (the token is the credential) and without
the CSRF token (the form comes from the window's own start page, which has no
session yet; a forged request cannot know the token). It is accepted only from
a loopback peer that was not forwarded by a proxy, is throttled like /login,
and a token works once (``soulsync.web.desktop_tokens``).
"""

from __future__ import annotations

import ipaddress
import logging

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response

from soulsync.web.auth import admin_username
from soulsync.web.middleware import AuthContext
from soulsync.web.routes_auth import start_session

log = logging.getLogger(__name__)
router = APIRouter()

PATH = "/auth/desktop"
TOKEN_FIELD = "desktop_token"
# Any of these means a proxy passed the request on: the peer address is not the client.
FORWARDING_HEADERS = ("x-forwarded-for", "forwarded", "x-real-ip")


def is_loopback(host: str | None) -> bool:
    """True for 127.0.0.0/8 and ::1 (an address, not a name)."""
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@router.post(PATH, include_in_schema=False)
async def desktop_login(request: Request) -> Response:
    """Spend the window's token and start the admin's session (see the module docstring)."""
    ctx: AuthContext = request.state.auth
    peer = request.client.host if request.client else None
    if not is_loopback(peer) or any(h in request.headers for h in FORWARDING_HEADERS):
        log.warning("desktop login refused from %s: not a direct loopback client", peer)
        return PlainTextResponse("Forbidden: the desktop login works on this machine only.", 403)
    client = peer or "unknown"
    wait = ctx.desktop_tokens.limiter.reserve(client, "desktop")
    if wait > 0:
        log.warning("desktop login from %s refused: too many wrong tokens", client)
        refused = PlainTextResponse(
            f"Too many failed attempts. Try again in {int(wait) + 1} seconds.", 429
        )
        refused.headers["Retry-After"] = str(int(wait) + 1)
        return refused
    form = await request.form()
    token = form.get(TOKEN_FIELD)
    if not isinstance(token, str) or not ctx.desktop_tokens.consume(token):
        log.warning("desktop login refused from %s: unknown, used or expired token", client)
        return PlainTextResponse(
            "Forbidden: this desktop login has been used or has expired. "
            "Close the window and run `soulsync desktop` again.",
            403,
        )
    ctx.desktop_tokens.limiter.succeeded(client, "desktop")
    username = admin_username(ctx.store)
    if username is None:  # the middleware sends everyone to /setup first; kept for safety
        return RedirectResponse("/setup", status_code=303)
    start_session(request, username)
    log.info("desktop window logged in as %r", username)
    ctx.store.add_activity("auth", "Desktop window logged in")
    return RedirectResponse("/", status_code=303)
