"""The gate in front of every route: first start, login, API keys, CSRF, headers.

It is plain ASGI middleware (not a per-route dependency) so that a router added
later is protected without doing anything: only the paths in ``PUBLIC_PATHS``
and ``/static/`` are open. For each HTTP request it

1. decodes the session cookie (a new anonymous session if there is none),
2. finds the principal: a logged-in session, or an API key sent as
   ``Authorization: Bearer <key>`` or ``X-API-Key: <key>`` (on ``/api/*``
   only; a read-scoped key only for GET/HEAD),
3. sends everyone to ``/setup`` until the admin password is set,
4. answers 401 JSON on ``/api/*`` and redirects pages to ``/login`` when there
   is no principal,
5. requires the session's CSRF token (``X-CSRF-Token`` header or ``csrf_token``
   form field) on every non-GET request that relies on the cookie, and
6. sets the session cookie (HttpOnly, SameSite=Lax, Secure on https) and a few
   security headers on the way out.

Handlers read ``request.state.principal`` and ``request.state.session``.
"""

from __future__ import annotations

import hmac
import json
import logging
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from soulsync.config import Settings
from soulsync.store import Store
from soulsync.web.apikeys import verify_api_key
from soulsync.web.auth import LoginLimiter, Principal, admin_is_set
from soulsync.web.client_address import Network
from soulsync.web.desktop_tokens import DesktopTokens
from soulsync.web.fetch_site import cross_site_refusal
from soulsync.web.sessions import COOKIE_NAME, Session, SessionCodec, SessionRegistry

log = logging.getLogger(__name__)

PUBLIC_PATHS = frozenset({"/healthz", "/favicon.ico"})
PUBLIC_PREFIXES = ("/static/",)
# Reachable without a principal (but still CSRF-checked on POST).
AUTH_PAGES = frozenset({"/login", "/setup"})
# Reachable without a principal and without the CSRF token: the request carries a
# one-time secret that only this process minted (``routes_desktop``).
ONE_TIME_TOKEN_PATHS = frozenset({"/auth/desktop"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
# Forms are small; anything bigger is not read for a token (uploads send the header).
MAX_FORM_BYTES = 1_000_000


def content_security_policy(img_origins: tuple[str, ...] = ()) -> bytes:
    """The CSP: only our own scripts and styles; images also from https and ``img_origins``.

    ``img_origins`` are the configured services' own http origins (a Plex or
    sandbox server on the LAN serves cover art over plain http).
    """
    extra = "".join(" " + o for o in img_origins)
    return (
        "default-src 'self'; img-src 'self' data: https:" + extra + "; style-src 'self'; "
        "script-src 'self'; media-src 'self'; frame-ancestors 'none'; form-action 'self'; "
        "base-uri 'self'"
    ).encode("latin-1")


SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"content-security-policy", content_security_policy()),
)


@dataclass
class AuthContext:
    """What the middleware and the auth routes share; kept on ``app.state.auth``."""

    store: Store
    codec: SessionCodec
    sessions: SessionRegistry
    limiter: LoginLimiter
    cookie_secure: bool
    max_age_s: int
    csp: bytes = SECURITY_HEADERS[-1][1]
    trusted_proxies: tuple[Network, ...] = ()
    max_body_bytes: int = 1_000_000
    # Routes allowed a bigger body than ``max_body_bytes``: path -> (bytes, the
    # limit in the user's words). The playlist upload takes files up to
    # ``[sync] max_playlist_file_mb``.
    large_body_paths: dict[str, tuple[int, str]] = field(default_factory=dict)
    # Filled only by `soulsync desktop`; empty (so every token is refused) elsewhere.
    desktop_tokens: DesktopTokens = field(default_factory=DesktopTokens)


def is_api_path(path: str) -> bool:
    """True for the JSON API, which answers 401 instead of redirecting."""
    return path == "/api" or path.startswith("/api/")


def presented_api_key(headers: dict[str, str]) -> str | None:
    """The API key sent with a request, if any."""
    key = headers.get("x-api-key")
    if key:
        return key.strip()
    auth = headers.get("authorization", "")
    scheme, _, value = auth.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


class AuthMiddleware:
    """See the module docstring."""

    def __init__(self, app: ASGIApp, context: AuthContext) -> None:
        self.app = app
        self.ctx = context

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Gate one request."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
            await self.app(scope, receive, self._with_headers(send))
            return

        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        declared = headers.get("content-length", "")
        max_body, limit_said = self.ctx.large_body_paths.get(
            path, (self.ctx.max_body_bytes, f"at most {self.ctx.max_body_bytes // 1000} kB")
        )
        if declared.isdigit() and int(declared) > max_body:
            log.warning("refused a %s-byte body for %s %s", declared, scope["method"], path)
            await _text(send, 413, _too_large(limit_said))
            return
        receive = _capped(receive, max_body, limit_said)
        session = self.ctx.codec.loads(_cookie(headers.get("cookie", "")))
        if session.sid is not None:
            session.user = self.ctx.sessions.user_for(session.sid)
            if session.user is None:
                # Logged out elsewhere, expired, or revoked by a password change.
                session.sid = None
                session.changed = True
        principal: Principal | None = None
        if session.user is not None:
            principal = Principal(user=session.user, via="session")
        api = is_api_path(path)
        key = presented_api_key(headers)
        if principal is None and key is not None:
            info = verify_api_key(self.ctx.store, key)
            if info is None:
                log.warning("rejected an invalid API key for %s %s", scope["method"], path)
                await _json(send, 401, {"error": "invalid API key"}, bearer=True)
                return
            principal = Principal(
                user=f"api:{info.name}",
                via="api_key",
                api_key_id=info.id,
                scope="full" if info.scope == "full" else "read",
            )
            refusal = _key_refusal(principal, api, scope["method"])
            if refusal is not None:
                log.warning("API key %s refused for %s %s", info.id, scope["method"], path)
                await _json(send, 403, {"error": refusal})
                return

        refusal = cross_site_refusal(scope["method"], headers)
        if refusal is not None and principal is not None and principal.via == "session":
            # Only cookie-borne requests: an API key is never added by a browser on its own.
            log.warning("cross-site %s %s refused", scope["method"], path)
            await _text(send, 403, f"Forbidden: {refusal}.")
            return

        state = scope.setdefault("state", {})
        state["session"] = session
        state["principal"] = principal
        state["auth"] = self.ctx

        if not admin_is_set(self.ctx.store) and path != "/setup":
            if api:
                await _json(send, 503, {"error": "setup required: open /setup in a browser"})
            else:
                await self._redirect(send, "/setup", session, scope)
            return
        if principal is None and path not in AUTH_PAGES and path not in ONE_TIME_TOKEN_PATHS:
            if api:
                await _json(send, 401, {"error": "authentication required"}, bearer=True)
            else:
                target = path + (
                    "?" + scope["query_string"].decode("latin-1") if scope["query_string"] else ""
                )
                await self._redirect(send, "/login?next=" + quote(target, safe="/"), session, scope)
            return

        if (
            scope["method"] not in SAFE_METHODS
            and (principal is None or principal.via == "session")
            and path not in ONE_TIME_TOKEN_PATHS
        ):
            # Cookie-borne requests need the token; API-key requests cannot be
            # forged cross-site (the browser never adds the key by itself).
            try:
                token, receive = await _csrf_token(scope, receive, headers)
            except BodyTooLarge:
                log.warning("refused an oversized body for %s %s", scope["method"], path)
                await _text(send, 413, _too_large(limit_said))
                return
            except MalformedForm as exc:
                log.warning("malformed form for %s %s: %s", scope["method"], path, exc)
                await _text(send, 400, f"Bad request: {exc}")
                return
            if token is None or not hmac.compare_digest(token, session.csrf):
                log.warning("CSRF token missing or wrong for %s %s", scope["method"], path)
                if api or "application/json" in headers.get("accept", ""):
                    await _json(send, 403, {"error": "CSRF token missing or invalid"})
                else:
                    await _text(
                        send,
                        403,
                        "Forbidden: the form's security token is missing or "
                        "out of date. Reload the page and try again.",
                    )
                return

        secure = self.ctx.cookie_secure or scope.get("scheme") == "https"
        await self.app(scope, receive, self._with_cookie(send, session, api, secure))

    # -- response helpers ----------------------------------------------------------

    def _with_headers(self, send: Send) -> Send:
        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                _add_security_headers(message, self.ctx.csp)
            await send(message)

        return wrapped

    def _with_cookie(self, send: Send, session: Session, api: bool, secure: bool) -> Send:
        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                _add_security_headers(message, self.ctx.csp)
                # API clients need no anonymous cookie; a handler's change is always sent.
                if session.changed and not (api and session.new and session.sid is None):
                    message.setdefault("headers", [])
                    message["headers"].append((b"set-cookie", self._cookie_header(session, secure)))
            await send(message)

        return wrapped

    def _cookie_header(self, session: Session, secure: bool) -> bytes:
        value = self.ctx.codec.dumps(session)
        parts = [
            f"{COOKIE_NAME}={value}",
            "Path=/",
            f"Max-Age={self.ctx.max_age_s}",
            "HttpOnly",
            "SameSite=Lax",
        ]
        if secure:
            parts.append("Secure")
        return "; ".join(parts).encode("latin-1")

    async def _redirect(self, send: Send, location: str, session: Session, scope: Scope) -> None:
        headers = [(b"location", location.encode("latin-1")), (b"content-length", b"0")]
        if session.changed:
            secure = self.ctx.cookie_secure or scope.get("scheme") == "https"
            headers.append((b"set-cookie", self._cookie_header(session, secure)))
        start: Message = {"type": "http.response.start", "status": 303, "headers": headers}
        _add_security_headers(start)
        await send(start)
        await send({"type": "http.response.body", "body": b""})


class BodyTooLarge(StarletteHTTPException):
    """The request body passed ``web.max_body_bytes`` while it was read (answered 413)."""

    def __init__(self, limit_said: str) -> None:
        super().__init__(413, _too_large(limit_said))


class MalformedForm(ValueError):
    """A form body that cannot be parsed (answered 400)."""


def _too_large(limit_said: str) -> str:
    return f"Request body too large ({limit_said})."


def _capped(receive: Receive, limit: int, limit_said: str) -> Receive:
    """``receive`` that raises BodyTooLarge once more than ``limit`` body bytes have arrived.

    Chunked bodies have no Content-Length to check up front; this counts
    what actually arrives, so nobody downstream ever holds more than ``limit``.
    """
    seen = 0

    async def wrapped() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge(limit_said)
        return message

    return wrapped


def _key_refusal(principal: Principal, api: bool, method: str) -> str | None:
    """Why an API key may not make this request, or None.

    Keys open the JSON API only: the pages (and so key management and the
    settings forms) need a session and its CSRF token. A read key may only read.
    """
    if not api:
        return "API keys are for /api/ routes only; the web pages need a login"
    if method not in SAFE_METHODS and principal.scope != "full":
        return "this API key is read-only (create a key with the full scope to make changes)"
    return None


def _cookie(header: str) -> str | None:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header)
    except (KeyError, ValueError):
        return None
    morsel = jar.get(COOKIE_NAME)
    return morsel.value if morsel else None


def _add_security_headers(message: Message, csp: bytes | None = None) -> None:
    headers = message.setdefault("headers", [])
    present = {k.lower() for k, _ in headers}
    for name, value in SECURITY_HEADERS:
        if name == b"content-security-policy" and csp is not None:
            value = csp
        if name not in present:
            headers.append((name, value))


async def _json(send: Send, status: int, body: dict[str, Any], *, bearer: bool = False) -> None:
    payload = json.dumps(body).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
    ]
    if bearer:
        headers.append((b"www-authenticate", b'Bearer realm="soulsync"'))
    start: Message = {"type": "http.response.start", "status": status, "headers": headers}
    _add_security_headers(start)
    await send(start)
    await send({"type": "http.response.body", "body": payload})


async def _text(send: Send, status: int, text: str) -> None:
    payload = text.encode()
    headers = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(payload)).encode()),
    ]
    start: Message = {"type": "http.response.start", "status": status, "headers": headers}
    _add_security_headers(start)
    await send(start)
    await send({"type": "http.response.body", "body": payload})


async def _csrf_token(
    scope: Scope, receive: Receive, headers: dict[str, str]
) -> tuple[str | None, Receive]:
    """The CSRF token from the header or the form body, and a receive that replays the body."""
    header = headers.get(CSRF_HEADER)
    if header:
        return header, receive
    content_type = headers.get("content-type", "")
    is_form = content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data"))
    if not is_form:
        return None, receive
    messages: list[Message] = []
    body = b""
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        body += message.get("body", b"")
        if len(body) > MAX_FORM_BYTES or not message.get("more_body", False):
            break

    async def replay() -> Message:
        # The app reads the same body we consumed, then the live stream continues.
        if messages:
            return messages.pop(0)
        return await receive()

    if len(body) > MAX_FORM_BYTES:
        return None, replay
    token: str | None = None
    if content_type.startswith("application/x-www-form-urlencoded"):
        values = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).get(CSRF_FIELD)
        token = values[0] if values else None
    else:
        sent = False

        async def once() -> Message:
            nonlocal sent
            if sent:
                return {"type": "http.request", "body": b"", "more_body": False}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        # A Request without "app" in its scope: parse errors stay MultiPartException.
        bare = {k: v for k, v in scope.items() if k != "app"}
        try:
            form: FormData = await Request(bare, once).form()
        except (MultiPartException, KeyError, ValueError) as exc:
            raise MalformedForm(str(exc) or "unreadable multipart body") from exc
        value = form.get(CSRF_FIELD)
        token = value if isinstance(value, str) else None
        await form.close()
    return token, replay


def image_origins(settings: Settings) -> tuple[str, ...]:
    """The configured services' plain-http origins, allowed as image sources in the CSP."""
    urls = (
        settings.spotify.api_base,
        settings.spotify.accounts_base,
        settings.deezer.api_base,
        settings.plex.url,
    )
    out: list[str] = []
    for url in urls:
        parts = urlsplit(url or "")
        if parts.scheme == "http" and parts.netloc:
            origin = f"http://{parts.netloc}"
            if origin not in out:
                out.append(origin)
    return tuple(out)
