"""/healthz, the dashboard placeholder and /api/me."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from soulsync import __version__
from soulsync.web.auth import Principal
from soulsync.web.deps import require_principal
from soulsync.web.templating import render

router = APIRouter()


@router.get("/healthz")
async def healthz(request: Request) -> dict[str, Any]:
    """Liveness for monitors: no login needed, no details that help an attacker."""
    store = request.app.state.store
    with store.read() as conn:
        conn.exec_driver_sql("SELECT 1")
    return {"ok": True, "version": __version__}


@router.get("/", include_in_schema=False)
async def dashboard(request: Request) -> Response:
    """The dashboard: for now an honest list of what works and what does not yet."""
    activity = request.app.state.store.recent_activity(limit=10)
    return render(request, "dashboard.html", {"activity": activity})


@router.get("/api/me")
async def api_me(principal: Annotated[Principal, Depends(require_principal)]) -> dict[str, Any]:
    """Who the caller is authenticated as (session or API key)."""
    return {"user": principal.user, "via": principal.via, "api_key_id": principal.api_key_id}
