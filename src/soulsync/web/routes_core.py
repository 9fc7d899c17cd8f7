"""/healthz and /api/me (the dashboard is in ``routes_dashboard``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse

from soulsync import __version__
from soulsync.web.auth import Principal
from soulsync.web.deps import require_principal

router = APIRouter()


@router.get("/healthz")
async def healthz(request: Request) -> dict[str, Any]:
    """Liveness for monitors: no login needed, no details that help an attacker."""
    store = request.app.state.store
    with store.read() as conn:
        conn.exec_driver_sql("SELECT 1")
    return {"ok": True, "version": __version__}


@router.get("/api/me")
async def api_me(principal: Annotated[Principal, Depends(require_principal)]) -> dict[str, Any]:
    """Who the caller is authenticated as (session or API key)."""
    return {
        "user": principal.user,
        "via": principal.via,
        "api_key_id": principal.api_key_id,
        "scope": principal.scope,
    }


@router.get("/favicon.ico", include_in_schema=False)
async def favicon() -> RedirectResponse:
    """Browsers ask for /favicon.ico whatever the page says."""
    return RedirectResponse("/static/favicon.svg", status_code=301)
