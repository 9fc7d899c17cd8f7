"""The FastAPI application factory.

``create_app(settings, store, services)`` builds the app; ``app.state`` holds
``settings``, ``store``, ``services``, ``templates`` and ``auth``. Later issues
add pages and API routes with ``app.include_router(router)``: the auth
middleware protects every path except /healthz, /static/, /login and /setup, so
a new router needs nothing extra (use ``Depends(require_principal)`` from
``soulsync.web.deps`` to get the caller).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from soulsync import __version__
from soulsync.config import Settings
from soulsync.data_dir import ensure_private_dir
from soulsync.store import Store
from soulsync.web import routes_auth, routes_core, routes_desktop, sse
from soulsync.web.activity import ActivityRecorder
from soulsync.web.auth import LoginLimiter
from soulsync.web.client_address import parse_networks
from soulsync.web.middleware import (
    AuthContext,
    AuthMiddleware,
    content_security_policy,
    image_origins,
    is_api_path,
)
from soulsync.web.playlist_refs import upload_limit_bytes
from soulsync.web.secret import load_or_create_secret_key
from soulsync.web.sessions import SessionCodec, SessionRegistry
from soulsync.web.templating import STATIC_DIR, make_templates, render

log = logging.getLogger(__name__)


def create_app(settings: Settings, store: Store, services: Any = None) -> FastAPI:
    """Build the web app for ``settings`` on ``store``.

    ``services`` is whatever object the workflows hang off (download queue,
    sync…); routers reach it as ``request.app.state.services``.
    """
    ensure_private_dir(settings.paths.data_dir)
    secret = load_or_create_secret_key(settings)
    max_age = settings.web.session_max_age_s
    auth = AuthContext(
        store=store,
        codec=SessionCodec(secret, max_age),
        sessions=SessionRegistry(store, max_age),
        limiter=LoginLimiter(),
        cookie_secure=settings.web.cookie_secure,
        max_age_s=max_age,
        csp=content_security_policy(image_origins(settings)),
        trusted_proxies=parse_networks(settings.web.trusted_proxies),
        max_body_bytes=settings.web.max_body_bytes,
        # The form around an uploaded playlist file adds a few hundred bytes.
        large_body_paths=dict.fromkeys(
            ("/playlists/upload", "/api/v1/playlists/upload"),
            (
                max(settings.web.max_body_bytes, upload_limit_bytes(settings) + 64 * 1024),
                f"a playlist file of at most {settings.sync.max_playlist_file_mb:g} MB, "
                "see [sync] max_playlist_file_mb",
            ),
        ),
    )
    # The Swagger page loads scripts from a CDN, which the CSP forbids; the
    # schema itself stays available (behind auth) at /api/openapi.json.
    app = FastAPI(
        title="SoulSync",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=_services_lifespan(services, store),
    )
    app.state.settings = settings
    app.state.store = store
    app.state.services = services
    app.state.templates = make_templates()
    app.state.auth = auth

    app.add_middleware(AuthMiddleware, context=auth)
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    app.include_router(routes_core.router)
    app.include_router(routes_auth.router)
    app.include_router(routes_desktop.router)
    # ---- Registration point: later issues include their routers here, e.g.
    # app.include_router(playlists.router)  (pages)
    # app.include_router(api_v1.router, prefix="/api")  (JSON; 401 without auth)
    from soulsync.web.pages import include_pages

    app.include_router(sse.router)
    include_pages(app)

    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    return app


def _services_lifespan(
    services: Any, store: Store
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """Start the workflows (download workers, sync resume) on the server's event loop."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        startable = services is not None and hasattr(services, "start")
        recorder: ActivityRecorder | None = None
        if startable:
            await services.start()
        if services is not None and getattr(services, "bus", None) is not None:
            recorder = ActivityRecorder(services.bus, store, names=_run_namer(services))
            recorder.start()
            _app.state.activity = recorder
        try:
            yield
        finally:
            if recorder is not None:
                await recorder.stop()
            previews = getattr(_app.state, "previews", None)  # web/preview.py, made on first use
            if previews is not None:
                await previews.cancel_all()
            if startable:
                await services.aclose()

    return lifespan


async def _http_error(request: Request, exc: Exception) -> Response:
    """404s get a friendly page (most nav links lead to pages not built yet)."""
    assert isinstance(exc, StarletteHTTPException)
    if is_api_path(request.url.path):
        return JSONResponse({"error": exc.detail}, status_code=exc.status_code)
    if exc.status_code == 404 and getattr(request.state, "principal", None) is not None:
        return render(request, "not_found.html", {"path": request.url.path}, status_code=404)
    return await http_exception_handler(request, exc)


async def _validation_error(request: Request, exc: Exception) -> Response:
    """422 naming the fields and what is wrong, without echoing what was sent.

    FastAPI's default answer repeats each bad input in full (a 50 MB ``ref``
    would come back whole); here each message is short and the input is left out.
    """
    assert isinstance(exc, RequestValidationError)
    problems = [
        {
            "loc": [str(part)[:64] for part in err.get("loc", ())][:6],
            "msg": str(err.get("msg", "invalid value"))[:200],
        }
        for err in exc.errors()[:10]
    ]
    first = problems[0] if problems else {"loc": [], "msg": "invalid request"}
    summary = f"{'.'.join(first['loc'])}: {first['msg']}" if first["loc"] else first["msg"]
    log.info("422 for %s %s: %s", request.method, request.url.path, summary)
    return JSONResponse({"error": summary, "detail": problems}, status_code=422)


def _run_namer(services: Any) -> Callable[[str | None], str | None]:
    """run id -> playlist name, for activity lines."""

    def name(run_id: str | None) -> str | None:
        if not run_id or getattr(services, "sync", None) is None:
            return None
        try:
            return str(services.sync.run(run_id).playlist_name)
        except LookupError:
            return None
        except RuntimeError:
            return None

    return name
