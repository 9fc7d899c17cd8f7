"""The wishlist: tracks that were not found, with reasons; retry, ignore, correct by hand."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from soulsync.providers.base import ProviderError
from soulsync.services.wishlist import WishlistError
from soulsync.web.routes_search import _body
from soulsync.web.templating import render
from soulsync.web.ui import error_response, error_text, services_of, with_toast

router = APIRouter()

VIEWS = ("open", "ignored", "found")


def _context(request: Request, view: str) -> dict[str, Any]:
    services = services_of(request)
    if services is None:
        return {"why": "the services are not running", "entries": [], "view": view, "counts": {}}
    wl = services.sync.wishlist
    entries = wl.entries(include_ignored=True, include_resolved=view == "found")
    if view == "open":
        entries = [e for e in entries if not e.ignored and e.state != "resolved"]
    elif view == "ignored":
        entries = [e for e in entries if e.ignored and e.state != "resolved"]
    else:
        entries = [e for e in entries if e.state == "resolved"]
    why = None
    if services.downloads is None:
        why = "Soulseek is not configured, so entries cannot be retried (they can be ignored)"
    return {
        "why": why,
        "entries": entries,
        "view": view,
        "counts": wl.counts(),
        "can_download": services.downloads is not None,
    }


@router.get("/wishlist", include_in_schema=False)
async def wishlist_page(request: Request, view: str = "open") -> Response:
    """The wishlist page."""
    view = view if view in VIEWS else "open"
    return render(request, "wishlist.html", _context(request, view))


@router.get("/partials/wishlist", include_in_schema=False)
async def wishlist_partial(request: Request, view: str = "open") -> Response:
    """The list (refreshed live)."""
    view = view if view in VIEWS else "open"
    return render(request, "partials/wishlist_list.html", _context(request, view))


@router.post("/wishlist/{entry_id}/retry", include_in_schema=False)
async def retry(request: Request, entry_id: int) -> Response:
    """Search and download this track again now."""
    services = services_of(request)
    try:
        jobs = await services.sync.wishlist.retry(entry_id)
    except (WishlistError, ProviderError) as exc:
        return error_response(request, exc, 409)
    response = render(request, "partials/wishlist_list.html", _context(request, "open"))
    return with_toast(response, f"Searching again ({len(jobs)} download queued)", "ok")


@router.post("/wishlist/retry-all", include_in_schema=False)
async def retry_all(request: Request) -> Response:
    """Retry every waiting entry."""
    services = services_of(request)
    try:
        jobs = await services.sync.wishlist.retry()
    except (WishlistError, ProviderError) as exc:
        return error_response(request, exc, 409)
    response = render(request, "partials/wishlist_list.html", _context(request, "open"))
    return with_toast(response, f"{len(jobs)} downloads queued", "ok")


@router.post("/wishlist/{entry_id}/ignore", include_in_schema=False)
async def ignore(request: Request, entry_id: int) -> Response:
    """Ignore (or, with ``undo=1``, stop ignoring) an entry."""
    services = services_of(request)
    data = await _body(request)
    undo = str(data.get("undo", "")) in ("1", "true")
    try:
        entry = services.sync.wishlist.ignore(entry_id, not undo)
    except WishlistError as exc:
        return error_response(request, exc, 404)
    view = "ignored" if undo else "open"
    response = render(request, "partials/wishlist_list.html", _context(request, view))
    verb = "No longer ignoring" if undo else "Ignoring"
    return with_toast(response, f"{verb} {entry.track.title}", "ok")


@router.get("/wishlist/{entry_id}/correct", include_in_schema=False)
async def correct(request: Request, entry_id: int) -> Response:
    """The manual-correction modal: a fresh search, ranked candidates with reasons."""
    services = services_of(request)
    wl = services.sync.wishlist
    try:
        entry = wl.get(entry_id)
    except WishlistError as exc:
        return error_response(request, exc, 404)
    error = None
    candidates: list[Any] = []
    try:
        candidates = await wl.candidates(entry_id)
    except (WishlistError, ProviderError) as exc:
        error = error_text(exc)
    return render(
        request,
        "partials/wishlist_correct.html",
        {"entry": entry, "candidates": candidates[:25], "error": error},
    )


@router.post("/wishlist/{entry_id}/pick", include_in_schema=False)
async def pick(request: Request, entry_id: int) -> Response:
    """Download the candidate the user picked."""
    services = services_of(request)
    data = await _body(request)
    try:
        index = int(data.get("index", -1))
        job_id = await services.sync.wishlist.pick(entry_id, index=index)
    except (ValueError, WishlistError, ProviderError) as exc:
        return error_response(request, exc, 409)
    response = render(request, "partials/wishlist_list.html", _context(request, "open"))
    return with_toast(
        response, f"Downloading the chosen file (job {job_id})", "ok", **{"close-modal": True}
    )
