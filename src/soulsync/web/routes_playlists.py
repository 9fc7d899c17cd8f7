"""Playlist sync: the playlists with live counters, the details modal, sync / cancel / download.

Counters come from each playlist's last run (``SyncService.list_playlists``);
while a run goes on, the page refreshes on ``sync.*`` events and the modal
shows the run's live counters and progress.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from fastapi import APIRouter, HTTPException, Request, UploadFile
from fastapi.responses import JSONResponse, Response

from soulsync.providers.base import ProviderError
from soulsync.services.sync.follow import FollowError, follow_playlist
from soulsync.services.sync.followed_playlists import PlaylistStatus
from soulsync.services.sync.models import PlaylistRefError
from soulsync.services.sync.on_open import analyse_on_open
from soulsync.services.sync.service import SyncError
from soulsync.services.wishlist.service import WishlistError
from soulsync.web.formatting import plain_reason, plural
from soulsync.web.playlist_refs import (
    RefNotAllowed,
    check_web_ref,
    save_upload,
    upload_limit_bytes,
)
from soulsync.web.refusals import refusal_hint
from soulsync.web.routes_search import _body
from soulsync.web.templating import render
from soulsync.web.ui import error_response, error_text, read_upload, services_of, with_toast

log = logging.getLogger(__name__)
router = APIRouter()

IMAGE_CACHE = "web.playlist_images"
IMAGE_TTL_S = 6 * 3600
STATUS_ORDER = ("downloading", "queued", "missing", "wishlisted", "failed", "uncertain")


async def playlist_images(services: Any, *, force: bool = False) -> dict[str, str]:
    """``source:id`` -> cover URL, from the sources' playlist lists (cached for hours)."""
    store = services.store
    if not force:
        cached = cached_images(store)
        if cached is not None:
            return cached
    images: dict[str, str] = {}
    for source, provider in services.sync.sources.items():
        try:
            found = await provider.list_playlists()
        except ProviderError as exc:
            log.info("no %s playlist covers: %s", source.value, exc)
            continue
        for p in found:
            url = getattr(p, "image_url", None)
            if url:
                images[f"{source.value}:{p.id}"] = url
    store.cache_put(IMAGE_CACHE, "all", json.dumps(images), ttl_s=IMAGE_TTL_S)
    return images


def cached_images(store: Any) -> dict[str, str] | None:
    """The cached cover map, if there is one."""
    raw = store.cache_get(IMAGE_CACHE, "all")
    if raw is None:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else None


def card(status: PlaylistStatus, images: dict[str, str]) -> dict[str, Any]:
    """What a playlist card shows."""
    data = status.as_dict()
    counts = data["counts"]
    total = counts["total"] or data["track_count"]
    owned = counts["owned"]
    missing = counts["missing"] + counts["wishlisted"] + counts["failed"]
    last = data["last_run"]
    # A run going on has no counters yet: show the card as syncing, not as 0 of N.
    synced = last is not None and last["state"] in ("completed", "failed", "cancelled")
    return {
        **data,
        "image": images.get(data["ref"]),
        "total": total,
        "owned": owned,
        "missing": missing,
        "pct": round(100 * owned / total) if total and synced else None,
        "synced": synced,
        "running": data["running_run_id"] is not None,
    }


async def _cards(request: Request) -> tuple[list[dict[str, Any]], str | None]:
    services = services_of(request)
    if services is None:
        return [], "the services are not running in this process"
    if not services.sync.sources:
        return [], "no playlist source is configured (set up Spotify or Deezer in Settings)"
    statuses = services.sync.list_playlists()
    error = None
    if not statuses:
        try:
            await services.sync.refresh_playlists()
        except ProviderError as exc:
            error = error_text(exc)
        statuses = services.sync.list_playlists()
    images = await playlist_images(services)
    return [card(s, images) for s in statuses], error


@router.get("/playlists", include_in_schema=False)
async def playlists_page(request: Request, open: str | None = None) -> Response:
    """The playlists page (``open`` opens that playlist's modal)."""
    cards, why = await _cards(request)
    return render(request, "playlists.html", {"cards": cards, "why": why, "open": open})


@router.get("/partials/playlists", include_in_schema=False)
async def playlists_partial(request: Request) -> Response:
    """The cards (refreshed live)."""
    cards, why = await _cards(request)
    return render(request, "partials/playlist_cards.html", {"cards": cards, "why": why})


@router.post("/playlists/refresh", include_in_schema=False)
async def refresh(request: Request) -> Response:
    """Ask the sources for the user's playlists again."""
    services = services_of(request)
    if services is None:
        return error_response(request, "the services are not running", 503)
    await services.sync.refresh_playlists()
    await playlist_images(services, force=True)
    cards, why = await _cards(request)
    response = render(request, "partials/playlist_cards.html", {"cards": cards, "why": why})
    return with_toast(response, f"{len(cards)} playlists", "ok")


@router.get("/playlists/running", include_in_schema=False)
async def running(request: Request) -> Response:
    """Runs going on now (for the progress bubble)."""
    services = services_of(request)
    if services is None:
        return JSONResponse([])
    out = []
    for status in services.sync.list_playlists():
        if status.running_run_id is None:
            continue
        run = services.sync.run(status.running_run_id)
        rows = services.sync.playlist_tracks_status(status.playlist.ref)
        owned = sum(1 for r in rows if r["status"] in ("owned", "downloaded"))
        out.append(
            {
                "run_id": run.id,
                "ref": status.playlist.ref,
                "name": status.playlist.name,
                "phase": run.phase or run.state.value,
                "done": owned,
                "total": len(rows) or run.total or status.playlist.track_count,
                "label": "owned",
            }
        )
    return JSONResponse(out)


def _detail(request: Request, ref: str) -> dict[str, Any]:
    services = services_of(request)
    if services is None:
        raise HTTPException(503, "the services are not running")
    try:
        record = services.sync.find_playlist(ref)
    except (SyncError, PlaylistRefError) as exc:
        raise HTTPException(404, str(exc)) from exc
    status = next((s for s in services.sync.list_playlists() if s.playlist.id == record.id), None)
    tracks = services.sync.playlist_tracks_status(ref)
    run = status.last_run if status else None
    running_id = status.running_run_id if status else None
    counts: dict[str, int] = {}
    for t in tracks:
        counts[t["status"]] = counts.get(t["status"], 0) + 1
    total = len(tracks) or record.track_count
    owned = counts.get("owned", 0) + counts.get("downloaded", 0)
    done = sum(
        n for k, n in counts.items() if k not in ("queued", "downloading", "missing", "unknown")
    )
    return {
        "summary": summary(counts, total),
        "hint": refusal_hint(run.error) if run else None,
        "record": record,
        "ref": record.ref,
        "tracks": tracks,
        "run": run,
        "running_id": running_id,
        # An analysis going on (dry run, e.g. from opening the playlist): the sync
        # buttons stay, a real sync waits for it to end.
        "analysing": bool(running_id and run and run.id == running_id and run.dry_run),
        "counts": counts,
        "total": total,
        "owned": owned,
        "done": done if running_id else total,
        "pct": round(100 * owned / total) if total else 0,
        "downloads_ok": services.downloads is not None,
        "server_ok": services.media_server is not None,
        "image": (cached_images(services.store) or {}).get(record.ref),
        "now": time.time(),
    }


SUMMARY_PARTS = (
    ("downloading", "downloading"),
    ("queued", "queued"),
    ("uncertain", "uncertain"),
    ("missing", "missing"),
    ("wishlisted", "on the wishlist"),
    ("failed", "failed"),
    ("unavailable", "unavailable"),
)


def summary(counts: dict[str, int], total: int) -> str:
    """One short sentence with counts: "8 of 10 tracks owned; 1 uncertain, 1 missing"."""
    if not counts:
        return ""
    owned = counts.get("owned", 0) + counts.get("downloaded", 0)
    rest = [f"{counts[key]} {words}" for key, words in SUMMARY_PARTS if counts.get(key)]
    head = f"{owned} of {plural(total, 'track')} owned"
    return head + ("; " + ", ".join(rest) if rest else "")


@router.get("/playlists/detail", include_in_schema=False)
async def detail(request: Request, ref: str) -> Response:
    """The playlist details modal, analysed at once (a dry run, cached per snapshot)."""
    services = services_of(request)
    if services is not None:
        try:
            await analyse_on_open(services.sync, ref)
        except (SyncError, PlaylistRefError, ProviderError) as exc:
            # The modal still opens: _detail says 404 for an unknown playlist,
            # and a source refusing it shows as the run's error.
            log.info("no analysis of %s: %s", ref, exc)
    return render(request, "partials/playlist_modal.html", _detail(request, ref))


@router.post("/playlists/track", include_in_schema=False)
async def track_action(request: Request) -> Response:
    """A decision on one position: mark as owned, download anyway, or correct on the wishlist."""
    services = services_of(request)
    if services is None:
        return error_response(request, "the services are not running", 503)
    data = await _body(request)
    ref = str(data.get("ref", ""))[:2000]
    action = str(data.get("action", ""))
    library_id = str(data.get("library_id", ""))[:200] or None
    try:
        position = int(str(data.get("position", "")))
        message = await _decide(services, ref, position, action, library_id)
        await analyse_on_open(services.sync, ref, force=True)
    except ValueError:
        return error_response(request, "unknown track position or action", 422)
    except (SyncError, PlaylistRefError, ProviderError, WishlistError) as exc:
        return error_response(request, exc, 409)
    response = render(request, "partials/playlist_body.html", _detail(request, ref))
    return with_toast(response, message, "ok")


@router.get("/playlists/track/candidates", include_in_schema=False)
async def track_candidates(request: Request, ref: str, position: int) -> Response:
    """The library files that best match a position, to pick the right one by hand."""
    services = services_of(request)
    if services is None:
        return error_response(request, "the services are not running", 503)
    try:
        found = await services.sync.library_candidates(ref, position)
    except (SyncError, PlaylistRefError, ProviderError) as exc:
        return error_response(request, exc, 409)
    return render(
        request,
        "partials/playlist_track_candidates.html",
        {"ref": ref, "position": position, "candidates": found},
    )


async def _decide(
    services: Any, ref: str, position: int, action: str, library_id: str | None = None
) -> str:
    sync = services.sync
    row = sync.track_row(ref, position)
    assert row.track is not None
    if action == "owned":
        sync.confirm_match(ref, position)
        return f"{row.title}: marked as owned"
    if action == "pick":
        if not library_id:
            raise ValueError("no library file chosen")
        picked = await sync.correct_match(ref, position, library_id)
        return f"{row.title}: matched to {plain_reason(picked.path) or picked.title}"
    if action not in ("download", "correct"):
        raise ValueError(action)
    if row.library_id is not None:
        # "Not this song": the library file is never matched to it again.
        sync.reject_match(ref, position)
    why = "you said the library copy is not this track"
    entry = sync.wishlist.add(row.track, why, playlist_ref=ref, attempted=False)
    if action == "correct":
        return f"{row.title} is on the wishlist: pick the right file there"
    if services.downloads is None:
        return f"{row.title} is on the wishlist (Soulseek is not configured)"
    await sync.wishlist.retry(entry.id)
    return f"Downloading {row.title}"


@router.get("/playlists/detail/body", include_in_schema=False)
async def detail_body(request: Request, ref: str) -> Response:
    """The live part of the modal (counters, progress, buttons, tracks)."""
    return render(request, "partials/playlist_body.html", _detail(request, ref))


@router.post("/playlists/sync", include_in_schema=False)
async def start_sync(request: Request) -> Response:
    """Start a sync of one playlist (optionally downloading what is missing)."""
    services = services_of(request)
    if services is None:
        return error_response(request, "the services are not running", 503)
    data = await _body(request)
    ref = str(data.get("ref", ""))[:2000]
    download = str(data.get("download_missing", "")) in ("1", "true", "on")
    try:
        ref = check_web_ref(ref, services.settings)
        run_id = await services.sync.start_sync(ref, download_missing=download)
    except RefNotAllowed as exc:
        return error_response(request, exc, 403)
    except (SyncError, PlaylistRefError, ProviderError) as exc:
        return error_response(request, exc, 409)
    ctx = _detail(request, ref)
    ctx["running_id"] = ctx["running_id"] or run_id
    response = render(request, "partials/playlist_body.html", ctx)
    what = "Downloading missing tracks of" if download else "Syncing"
    return with_toast(
        response,
        f"{what} {ctx['record'].name}",
        "ok",
        **{"sync-started": {"run_id": run_id, "ref": ctx["ref"], "name": ctx["record"].name}},
    )


@router.post("/playlists/upload", include_in_schema=False)
async def upload(request: Request, file: UploadFile) -> Response:
    """Keep an uploaded playlist file and start its sync (see ``playlist_refs``)."""
    services = services_of(request)
    if services is None:
        return error_response(request, "the services are not running", 503)
    raw = await read_upload(file, max_bytes=upload_limit_bytes(services.settings))
    try:
        ref, result = save_upload(services.settings, file.filename or "playlist.txt", raw)
        run_id = await services.sync.start_sync(ref)
    except (ValueError, SyncError, ProviderError) as exc:
        return error_response(request, exc, 422)
    return JSONResponse(
        {"ref": ref, "run_id": run_id, "name": result.playlist.name, "message": "Syncing"}
    )


@router.post("/playlists/add", include_in_schema=False)
async def add_playlist(request: Request) -> Response:
    """Follow a Spotify or Deezer playlist pasted as a link or id (``ref``).

    It is read from its source first: an unknown, private or refused playlist
    gets the source's reason. Answers ``{ref, name, source, tracks}``.
    """
    services = services_of(request)
    if services is None:
        return error_response(request, "the services are not running", 503)
    data = await _body(request)
    try:
        record = await follow_playlist(services.sync, str(data.get("ref", ""))[:2000])
    except FollowError as exc:
        return error_response(request, exc, 422)
    except ProviderError as exc:
        hint = refusal_hint(exc.message)
        text = f"{error_text(exc)}{f' {hint}' if hint else ''}"
        return error_response(request, f"Not added: {text}", 409)
    log.info("following playlist %s", record.ref)
    return JSONResponse(
        {
            "ref": record.ref,
            "name": record.name,
            "source": record.source.value,
            "tracks": record.track_count,
            "message": f"Following {record.name} ({plural(record.track_count, 'track')})",
        }
    )


@router.post("/playlists/cancel", include_in_schema=False)
async def cancel_sync(request: Request) -> Response:
    """Cancel the running sync of a playlist."""
    services = services_of(request)
    if services is None:
        return error_response(request, "the services are not running", 503)
    data = await _body(request)
    ref = str(data.get("ref", ""))
    run_id = str(data.get("run_id", ""))
    try:
        await services.sync.cancel(run_id)
    except SyncError as exc:
        return error_response(request, exc, 404)
    response = render(request, "partials/playlist_body.html", _detail(request, ref))
    return with_toast(response, "Sync cancelled", "warn")
