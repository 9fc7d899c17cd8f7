"""The dashboard: stat cards, service status (with the Spotify cool-down), activity, runs."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from soulsync.providers.base import ConnectionStatus
from soulsync.services.downloads.jobs_store import ACTIVE_STATES
from soulsync.store.processing_log import ProcessingLog
from soulsync.web.templating import render
from soulsync.web.ui import services_of

log = logging.getLogger(__name__)
router = APIRouter()

STATUS_TTL_S = 30.0
SERVICE_LABELS = {
    "slskd": "Soulseek",
    "library": "Library",
    "plex": "Plex",
    "jellyfin": "Jellyfin",
    "navidrome": "Navidrome",
    "folder": "Folder library",
    "spotify": "Spotify",
    "deezer": "Deezer",
    "youtube": "YouTube",
}


@dataclass
class StatusCache:
    """The last "test connection" of every service; tests are slow, the dashboard is not."""

    at: float = 0.0
    results: list[ConnectionStatus] | None = None
    lock: asyncio.Lock | None = None


def _status_cache(request: Request) -> StatusCache:
    cache = getattr(request.app.state, "status_cache", None)
    if cache is None:
        cache = StatusCache(lock=asyncio.Lock())
        request.app.state.status_cache = cache
    return cache


async def service_statuses(request: Request, *, force: bool = False) -> list[ConnectionStatus]:
    """Every service's status, re-tested at most every ``STATUS_TTL_S`` seconds."""
    services = services_of(request)
    if services is None:
        return []
    cache = _status_cache(request)
    assert cache.lock is not None
    async with cache.lock:
        if force or cache.results is None or time.monotonic() - cache.at > STATUS_TTL_S:
            cache.results = await services.test_connections()
            cache.at = time.monotonic()
        return list(cache.results)


def forget_statuses(request: Request) -> None:
    """Drop the cached service statuses and numbers (the services were just rebuilt)."""
    request.app.state.status_cache = None
    request.app.state.__dict__.pop("_dash_cache", None)


def counters(services: Any) -> dict[str, Any]:
    """The numbers on the stat cards (cheap: SQLite only)."""
    out: dict[str, Any] = {
        "playlists": None,
        "missing": None,
        "active": None,
        "wishlist": None,
        "library": None,
    }
    if services is None:
        return out
    playlists = services.sync.list_playlists()
    out["playlists"] = len(playlists)
    missing = 0
    for p in playlists:
        run = p.last_run
        if run is not None:
            missing += run.missing + run.wishlisted + run.failed
    out["missing"] = missing
    if services.downloads is not None:
        counts = services.downloads.jobs.counts()
        out["active"] = sum(counts.get(str(s), 0) for s in ACTIVE_STATES)
        out["queued"] = counts.get("queued", 0)
    wl = services.sync.wishlist.counts()
    out["wishlist"] = wl.get("waiting", 0) + wl.get("queued", 0)
    return out


@router.get("/", include_in_schema=False)
async def dashboard(request: Request) -> Response:
    """The dashboard page."""
    services = services_of(request)
    count = library_count(services)
    if count is None and services is not None and services.media_server is not None:
        _warm_once(request, services)
    return render(request, "dashboard.html", _context(request, services, count))


def _warm_once(request: Request, services: Any) -> None:
    task = getattr(request.app.state, "library_warm", None)
    if task is None or task.done():
        request.app.state.library_warm = asyncio.create_task(warm_library(services))


def spotify_state(services: Any) -> dict[str, Any] | None:
    """Whether Spotify may be asked now; the cool-down end if it is resting."""
    if services is None or services.spotify is None:
        return None
    usable, why = services.metadata.spotify_usable()
    cooldown = services.spotify.cooldown.current()
    return {
        "usable": usable,
        "why": why,
        "until": cooldown.until if cooldown else None,
        "remaining_s": cooldown.remaining_s if cooldown else 0,
        "reason": cooldown.reason if cooldown else None,
    }


CACHE_MAX_AGE_S = 2.0


def cached(request: Request, key: str, compute: Callable[[], Any]) -> Any:
    """``compute()``, shared by every request of the same change generation.

    Fifty open dashboards ask for the same numbers; between two events that
    change them (see ``ActivityRecorder.generation``) the answer is the same,
    so it is computed once. Without the recorder nothing is cached.
    """
    recorder = getattr(request.app.state, "activity", None)
    if recorder is None:
        return compute()
    store: dict[str, tuple[int, float, Any]] = request.app.state.__dict__.setdefault(
        "_dash_cache", {}
    )
    now = time.monotonic()
    hit = store.get(key)
    if hit is not None and hit[0] == recorder.generation and now - hit[1] < CACHE_MAX_AGE_S:
        return hit[2]
    value = compute()
    store[key] = (recorder.generation, now, value)
    return value


def _context(request: Request, services: Any, library: int | None = None) -> dict[str, Any]:
    runs = cached(request, "runs", lambda: services.sync.runs(limit=6)) if services else []
    stats = dict(cached(request, "counters", lambda: counters(services)))
    stats["library"] = library
    return {
        "stats": stats,
        "spotify": spotify_state(services),
        "activity": cached(
            request, "activity", lambda: request.app.state.store.recent_activity(limit=12)
        ),
        "runs": runs,
        "schedules": cached(request, "schedules", lambda: schedules(services)),
        "has_services": services is not None,
        "processing": cached(
            request, "processing", lambda: ProcessingLog(request.app.state.store).stats()
        ),
    }


def schedules(services: Any) -> list[Any]:
    """Per-playlist sync schedules with their next run, soonest first (SQLite only)."""
    if services is None:
        return []
    from soulsync.services.automation.schedules import ScheduleStore

    return ScheduleStore(services.store).all()


@router.get("/partials/dashboard/stats", include_in_schema=False)
async def stats_partial(request: Request) -> Response:
    """The stat cards (refreshed live)."""
    services = services_of(request)
    return render(
        request, "partials/dash_stats.html", _context(request, services, library_count(services))
    )


@router.get("/partials/dashboard/activity", include_in_schema=False)
async def activity_partial(request: Request) -> Response:
    """The activity feed and the last runs (refreshed live)."""
    return render(request, "partials/dash_activity.html", _context(request, services_of(request)))


@router.get("/partials/dashboard/schedules", include_in_schema=False)
async def schedules_partial(request: Request) -> Response:
    """Scheduled syncs with their next run (refreshed live)."""
    return render(request, "partials/dash_schedules.html", _context(request, services_of(request)))


@router.get("/partials/dashboard/services", include_in_schema=False)
async def services_partial(request: Request) -> Response:
    """Service status lines (tested in the background of the page load)."""
    services = services_of(request)
    statuses = await service_statuses(request)
    ctx = _context(request, services)
    ctx["statuses"] = [(SERVICE_LABELS.get(s.service, s.service), s) for s in statuses]
    return render(request, "partials/dash_services.html", ctx)


def library_count(services: Any) -> int | None:
    """Tracks in the library as last read by the sync service (None: not read yet)."""
    if services is None or services.media_server is None:
        return None
    snapshot = services.sync.library.cached
    return len(snapshot.tracks) if snapshot is not None else None


async def warm_library(services: Any) -> None:
    """Read the library once in the background so the card gets its number."""
    if services is None or services.media_server is None:
        return
    snapshot, why = await services.sync.library.get()
    if snapshot is None:
        log.info("library not readable for the dashboard: %s", why)


@router.get("/partials/dashboard/runs", include_in_schema=False)
async def runs_partial(request: Request) -> Response:
    """The last sync runs (refreshed live)."""
    return render(request, "partials/dash_runs.html", _context(request, services_of(request)))
