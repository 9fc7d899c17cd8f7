"""The JSON API (``/api/v1``) for scripts: the same services as the pages.

Every route needs a session (plus the CSRF header for changes) or an API key
(``Authorization: Bearer ss_…``); the middleware enforces it. Errors are
``{"error": "..."}`` with a fitting status.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request, UploadFile
from pydantic import BaseModel, Field

from soulsync.providers.base import ProviderError
from soulsync.services.downloads.service import JobNotFound
from soulsync.services.links import LinkError, LinkResolver
from soulsync.services.sync.models import PlaylistRefError
from soulsync.services.sync.service import SyncError
from soulsync.services.wishlist.service import WishlistError
from soulsync.web.playlist_refs import (
    RefNotAllowed,
    check_web_ref,
    save_upload,
    upload_limit_bytes,
)
from soulsync.web.routes_dashboard import counters, service_statuses, spotify_state
from soulsync.web.routes_links import SOURCES, badges_for, narrowed
from soulsync.web.ui import RowId, error_text, read_upload, services_of

router = APIRouter(prefix="/api/v1", tags=["v1"])


def _services(request: Request) -> Any:
    services = services_of(request)
    if services is None:
        raise HTTPException(503, "the services are not running in this process")
    return services


def _downloads(request: Request) -> Any:
    services = _services(request)
    if services.downloads is None:
        raise HTTPException(503, services.notes.get("slskd", "downloads are not configured"))
    return services.downloads


@router.get("/status")
async def status(request: Request) -> dict[str, Any]:
    """Counters, service status (re-tested at most every 30 s) and the Spotify cool-down."""
    services = _services(request)
    return {
        "counters": counters(services),
        "services": [
            {"service": s.service, "ok": s.ok, "detail": s.detail}
            for s in await service_statuses(request)
        ],
        "spotify": spotify_state(services),
    }


@router.get("/jobs")
async def jobs(
    request: Request, finished: bool = False, limit: int = Query(200, ge=1, le=1000)
) -> list[dict[str, Any]]:
    """Queue jobs: the visible ones (default) or the finished history."""
    downloads = _downloads(request)
    found = downloads.history(limit=limit) if finished else downloads.list_active()
    return [j.as_dict() for j in found]


@router.post("/jobs/{job_id}/cancel")
async def cancel_job(request: Request, job_id: RowId) -> dict[str, Any]:
    """Cancel a job."""
    try:
        job = await _downloads(request).cancel(job_id)
    except JobNotFound as exc:
        raise HTTPException(404, str(exc).strip("'\"")) from exc
    except ValueError as exc:
        raise HTTPException(409, str(exc)) from exc
    return dict(job.as_dict())


@router.post("/jobs/{job_id}/retry")
async def retry_job(request: Request, job_id: RowId) -> dict[str, Any]:
    """Retry a failed or cancelled job."""
    try:
        job = await _downloads(request).retry(job_id)
    except JobNotFound as exc:
        raise HTTPException(404, str(exc).strip("'\"")) from exc
    except ValueError as exc:
        raise HTTPException(409, str(exc)) from exc
    return dict(job.as_dict())


@router.post("/jobs/clear")
async def clear_jobs(
    request: Request, scope: Literal["completed", "all"] = "completed"
) -> dict[str, int]:
    """Hide completed jobs from the queue; ``scope=all`` clears failed and cancelled ones too."""
    return {"cleared": await _downloads(request).clear_completed(include_failed=scope == "all")}


@router.get("/playlists")
async def playlists(request: Request) -> list[dict[str, Any]]:
    """Known playlists with the counters of their last run (read from the sources once if none)."""
    sync = _services(request).sync
    if not sync.list_playlists():
        await sync.refresh_playlists()
    return [p.as_dict() for p in sync.list_playlists()]


@router.post("/playlists/upload")
async def upload_playlist(request: Request, file: UploadFile) -> dict[str, Any]:
    """Upload a playlist file (CSV, M3U/M3U8, text); answers the ``file:`` ref to sync."""
    services = _services(request)
    raw = await read_upload(file, max_bytes=upload_limit_bytes(services.settings))
    try:
        ref, result = save_upload(services.settings, file.filename or "playlist.txt", raw)
    except ValueError as exc:
        raise HTTPException(422, error_text(exc)) from exc
    return {
        "ref": ref,
        "name": result.playlist.name,
        "tracks": len(result.playlist.entries),
        "skipped_lines": [i.line for i in result.skipped],
    }


@router.get("/playlists/tracks")
async def playlist_tracks(request: Request, ref: str) -> list[dict[str, Any]]:
    """Per-track status of a playlist (``ref`` = ``source:id`` or name)."""
    try:
        return list(_services(request).sync.playlist_tracks_status(ref))
    except (SyncError, PlaylistRefError) as exc:
        raise HTTPException(404, str(exc)) from exc


class SyncRequest(BaseModel):
    """Start a sync."""

    ref: str = Field(
        description="source:id, URL or name of a known playlist; file: paths only inside "
        "sync.playlists_dir or from POST /api/v1/playlists/upload",
        min_length=1,
        max_length=2000,
    )
    download_missing: bool = False
    dry_run: bool = False


@router.post("/syncs")
async def start_sync(request: Request, body: SyncRequest) -> dict[str, str]:
    """Start a sync; answers its run id."""
    services = _services(request)
    try:
        ref = check_web_ref(body.ref, services.settings)
        run_id = await services.sync.start_sync(
            ref, download_missing=body.download_missing, dry_run=body.dry_run
        )
    except RefNotAllowed as exc:
        raise HTTPException(403, str(exc)) from exc
    except (SyncError, PlaylistRefError) as exc:
        raise HTTPException(409, error_text(exc)) from exc
    except ProviderError as exc:
        raise HTTPException(502, error_text(exc)) from exc
    return {"run_id": run_id}


class LinkRequest(BaseModel):
    """A pasted link to resolve (and, unless ``dry_run``, to download)."""

    url: str = Field(min_length=1, max_length=2000)
    source: Literal["auto", "soulseek", "youtube"] = "auto"
    dry_run: bool = False


@router.post("/links")
async def link_download(request: Request, body: LinkRequest) -> dict[str, Any]:
    """Resolve a Spotify/Deezer/YouTube/M3U/CSV link: its tracks with owned/downloaded/queued
    badges; unless ``dry_run``, the tracks not owned are queued as one batch."""
    services = _services(request)
    resolver = services.link_resolver()
    try:
        resolved = await resolver.resolve(body.url)
    except LinkError as exc:
        raise HTTPException(422, str(exc)) from exc
    finally:
        await resolver.aclose()
    badges, _why = await badges_for(services, resolved)
    answer: dict[str, Any] = {
        "title": resolved.title,
        "kind": str(resolved.link.kind),
        "source": resolved.source,
        "problems": list(resolved.problems),
        "tracks": [
            {
                "artist": item.track.display_artist,
                "title": item.track.title,
                "album": item.track.album,
                "duration_ms": item.track.duration_ms,
                "isrc": item.track.isrc,
                "badge": str(badge) if badge else None,
                "video": item.video.url if item.video else None,
            }
            for item, badge in zip(resolved.tracks, badges, strict=True)
        ],
        "batch_id": None,
        "job_ids": [],
    }
    keep, wanted = narrowed(resolved, badges)
    if body.dry_run or not keep:
        return answer
    batch, ids = await LinkResolver.enqueue(
        _downloads(request), wanted, sources=SOURCES[body.source]
    )
    answer.update(batch_id=batch, job_ids=ids)
    return answer


@router.get("/syncs")
async def runs(request: Request, limit: int = Query(20, ge=1, le=200)) -> list[dict[str, Any]]:
    """The newest sync runs."""
    return [r.as_dict() for r in _services(request).sync.runs(limit=limit)]


@router.get("/syncs/{run_id}")
async def run_status(request: Request, run_id: str) -> dict[str, Any]:
    """One run with its per-track outcomes."""
    try:
        return dict(_services(request).sync.status(run_id))
    except SyncError as exc:
        raise HTTPException(404, str(exc)) from exc


@router.post("/syncs/{run_id}/cancel")
async def cancel_run(request: Request, run_id: str) -> dict[str, Any]:
    """Cancel a run."""
    try:
        return dict((await _services(request).sync.cancel(run_id)).as_dict())
    except SyncError as exc:
        raise HTTPException(404, str(exc)) from exc


@router.get("/wishlist")
async def wishlist(request: Request, include_resolved: bool = False) -> list[dict[str, Any]]:
    """Wishlist entries."""
    wl = _services(request).sync.wishlist
    return [e.as_dict() for e in wl.entries(include_resolved=include_resolved)]


@router.post("/wishlist/{entry_id}/retry")
async def wishlist_retry(request: Request, entry_id: RowId) -> dict[str, Any]:
    """Search and download an entry again now."""
    try:
        jobs = await _services(request).sync.wishlist.retry(entry_id)
    except WishlistError as exc:
        raise HTTPException(409, str(exc)) from exc
    return {"job_ids": jobs}
