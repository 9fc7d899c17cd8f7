"""The wishlist: tracks that were not found, with reasons; retry, ignore, correct by hand."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from soulsync.providers.base import ProviderError
from soulsync.services.wishlist.service import WishlistError
from soulsync.web.routes_search import _body
from soulsync.web.templating import render
from soulsync.web.ui import RowId, error_response, error_text, services_of, with_toast

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
async def retry(request: Request, entry_id: RowId) -> Response:
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
async def ignore(request: Request, entry_id: RowId) -> Response:
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


def _default_query(entry: Any) -> str:
    return f"{entry.track.artist} {entry.track.title}".strip()


def _candidate_store(request: Request) -> dict[tuple[int, str], list[Any]]:
    """The last candidates shown per entry and search words (what a "Pick" refers to).

    Keyed by the words too: the engine's own search and the user's may both be
    in flight, and whichever finishes last must not change what "Pick 1" means.
    """
    store: dict[tuple[int, str], list[Any]] | None = getattr(
        request.app.state, "wishlist_candidates", None
    )
    if store is None:
        store = {}
        request.app.state.wishlist_candidates = store
    return store


async def _search(request: Request, entry: Any, query: str | None) -> tuple[list[Any], str | None]:
    """Ranked candidates for an entry: the engine's own queries, or the user's words."""
    services = services_of(request)
    port = services.sync.downloads
    if port is None:
        return [], "Soulseek is not configured"
    try:
        if query:
            found = await port.search_candidates(entry.track, query)
            candidates = list(found.candidates)
        else:
            candidates = await services.sync.wishlist.candidates(entry.id)
    except (WishlistError, ProviderError) as exc:
        return [], error_text(exc)
    _candidate_store(request)[(entry.id, query or "")] = candidates
    return candidates, None


@router.get("/wishlist/{entry_id}/correct", include_in_schema=False)
async def correct(request: Request, entry_id: RowId) -> Response:
    """The manual-correction modal: a fresh search, ranked candidates with reasons."""
    services = services_of(request)
    try:
        entry = services.sync.wishlist.get(entry_id)
    except WishlistError as exc:
        return error_response(request, exc, 404)
    # The search runs after the modal opens (it takes seconds through the paced slskd).
    return render(
        request, "partials/wishlist_correct.html", {"entry": entry, "query": _default_query(entry)}
    )


@router.post("/wishlist/{entry_id}/candidates", include_in_schema=False)
async def candidates(request: Request, entry_id: RowId) -> Response:
    """Candidates for the user's own search words (none: the engine's own queries).

    A POST: it runs a Soulseek search and replaces the entry's listed candidates.
    """
    services = services_of(request)
    try:
        entry = services.sync.wishlist.get(entry_id)
    except WishlistError as exc:
        return error_response(request, exc, 404)
    data = await _body(request)
    query = " ".join(str(data.get("q", "")).split())[:200] or None
    found, error = await _search(request, entry, query)
    return render(
        request,
        "partials/wishlist_candidates.html",
        {"entry": entry, "candidates": found[:25], "error": error, "query": query or ""},
    )


@router.post("/wishlist/{entry_id}/pick", include_in_schema=False)
async def pick(request: Request, entry_id: RowId) -> Response:
    """Download the candidate the user picked (filed with the wanted track's metadata)."""
    services = services_of(request)
    data = await _body(request)
    words = " ".join(str(data.get("q", "")).split())[:200]
    shown = _candidate_store(request).get((entry_id, words)) or []
    try:
        index = int(data.get("index", -1))
        if not 0 <= index < len(shown):
            raise WishlistError("that candidate is no longer listed; search again")
        wl = services.sync.wishlist
        entry = wl.get(entry_id)
        if services.sync.downloads is None:
            raise WishlistError("Soulseek is not configured")
        await wl.enqueue_candidate(
            entry_id, shown[index], confirmed=str(data.get("confirm", "")) == "1"
        )
    except (ValueError, WishlistError, ProviderError) as exc:
        return error_response(request, exc, 409)
    response = render(request, "partials/wishlist_list.html", _context(request, "open"))
    return with_toast(
        response,
        f"Downloading the chosen file for {entry.track.title}",
        "ok",
        **{"close-modal": True},
    )
