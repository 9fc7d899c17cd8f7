"""Search / Downloads: live Soulseek search, plain downloads and previews."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, JSONResponse, Response, StreamingResponse

from soulsync.providers.base import ProviderError
from soulsync.services.file_badges import FileBadges, folder_badge
from soulsync.web.fetch_site import is_cross_site
from soulsync.web.known import files_known
from soulsync.web.preview import MEDIA_TYPES, PreviewFetch, Previews
from soulsync.web.search_results import ResultGroup
from soulsync.web.search_stream import LiveSearch, SearchRegistry
from soulsync.web.sse import LOGOUT_FRAME, SSE_HEADERS, SessionWatch, sse_frame
from soulsync.web.templating import render
from soulsync.web.ui import error_response, services_of

router = APIRouter()


def registry(request: Request) -> SearchRegistry | None:
    """The app's search registry, created on first use (None without slskd)."""
    services = services_of(request)
    if services is None or services.slskd is None:
        return None
    reg: SearchRegistry | None = getattr(request.app.state, "searches", None)
    if reg is None:
        settings = services.settings
        reg = SearchRegistry(
            services.slskd,
            settings.match_settings().quality,
            settings.slskd.search_timeout_ms,
        )
        request.app.state.searches = reg
    elif reg.client is not services.slskd:
        # Settings were applied (new slskd client): the next search uses it; the
        # searches already listed keep their results.
        settings = services.settings
        reg.client = services.slskd
        reg.profile = settings.match_settings().quality
        reg.timeout_ms = settings.slskd.search_timeout_ms
    return reg


def previews(request: Request) -> Previews | None:
    """The preview fetcher (None without slskd)."""
    services = services_of(request)
    if services is None or services.slskd is None:
        return None
    prev: Previews | None = getattr(request.app.state, "previews", None)
    if prev is None:
        prev = Previews(services.slskd, services.settings.paths.data_dir / "previews")
        request.app.state.previews = prev
    elif prev.client is not services.slskd:
        prev.client = services.slskd  # settings applied: the next preview uses the new slskd
    return prev


def _search_or_404(request: Request, sid: str) -> LiveSearch:
    reg = registry(request)
    search = reg.get(sid) if reg is not None else None
    if search is None:
        raise HTTPException(404, "this search is no longer known; search again")
    return search


async def _body(request: Request) -> dict[str, Any]:
    """JSON or form body as a dict."""
    if "application/json" in request.headers.get("content-type", ""):
        try:
            data = await request.json()
        except ValueError as exc:  # JSONDecodeError and bad UTF-8 are ValueErrors
            raise HTTPException(400, "the request body is not valid JSON") from exc
        return data if isinstance(data, dict) else {}
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


def _int(data: dict[str, Any], name: str) -> int:
    try:
        return int(data[name])
    except (KeyError, TypeError, ValueError) as exc:
        raise HTTPException(400, f"missing or bad {name}") from exc


@router.get("/search", include_in_schema=False)
async def search_page(request: Request, q: str = "") -> Response:
    """The search page; a ``q`` fills the box, and starts the search only from our own pages.

    A link from another site (``/search?q=…``) must not make this browser run
    a Soulseek search: then the words are shown and the user presses Search.
    """
    services = services_of(request)
    why = None
    if services is None:
        why = "the services are not running in this process"
    elif services.slskd is None:
        why = services.notes.get("slskd", "slskd is not configured")
    autostart = bool(q) and not is_cross_site(request.headers)
    return render(request, "search.html", {"q": q, "why": why, "autostart": autostart})


@router.post("/search/start", include_in_schema=False)
async def start_search(request: Request) -> Response:
    """Start a search; answers its id (the page then opens the stream)."""
    reg = registry(request)
    if reg is None:
        return error_response(request, "Soulseek (slskd) is not configured", 503)
    data = await _body(request)
    try:
        search = reg.start(str(data.get("q", "")))
    except ValueError as exc:
        return error_response(request, str(exc), 400)
    return JSONResponse({"sid": search.sid, "query": search.query})


@router.get("/search/{sid}/stream", include_in_schema=False)
async def search_stream(request: Request, sid: str) -> Response:
    """The search's progress and results as SSE (``progress``, ``results``, ``done``/``error``)."""
    search = _search_or_404(request, sid)
    reg = registry(request)
    assert reg is not None
    last = request.headers.get("last-event-id")
    start = int(last) + 1 if last and last.isdigit() else 0
    templates = request.app.state.templates

    services = services_of(request)
    known: list[FileBadges] = []

    async def badges() -> FileBadges | None:
        """What is known about the files (jobs, filed record), read once per stream."""
        if not known:
            found = await files_known(services)
            if found is not None:
                known.append(found)
        return known[0] if known else None

    async def frames() -> AsyncIterator[str]:
        yield "retry: 2000\n\n"
        watch = SessionWatch(request)
        async for n, name, data in reg.frames(search, start):
            if watch.gone():
                yield LOGOUT_FRAME
                return
            if name == "ping":
                if await request.is_disconnected():
                    return
                yield ": ping\n\n"
                continue
            if name == "results":
                groups = search.groups[data["start"] : data["end"]]
                # The engine's lookups are CPU work: off the event loop.
                marks = await asyncio.to_thread(group_badges, groups, await badges())
                html = templates.get_template("partials/search_groups.html").render(
                    groups=groups, sid=search.sid, **marks
                )
                yield sse_frame("results", {"html": html, **data}, n)
            else:
                yield sse_frame(name, data, n)
        yield "event: end\ndata: {}\n\n"

    return StreamingResponse(frames(), media_type="text/event-stream", headers=SSE_HEADERS)


@router.post("/search/{sid}/download", include_in_schema=False)
async def download_file(request: Request, sid: str) -> Response:
    """Queue one file as a plain download."""
    search = _search_or_404(request, sid)
    services = services_of(request)
    if services.downloads is None:
        return error_response(request, "downloads are not available (slskd is not configured)", 503)
    data = await _body(request)
    try:
        file = search.file(_int(data, "fi"))
    except KeyError as exc:
        return error_response(request, str(exc), 404)
    job_id = await services.downloads.enqueue_plain(file)
    return JSONResponse({"job_id": job_id, "message": f"Queued {file.basename}"})


@router.post("/search/{sid}/download-album", include_in_schema=False)
async def download_album(request: Request, sid: str) -> Response:
    """Queue every audio file of a result folder as plain downloads."""
    search = _search_or_404(request, sid)
    services = services_of(request)
    if services.downloads is None:
        return error_response(request, "downloads are not available (slskd is not configured)", 503)
    data = await _body(request)
    try:
        group = search.group(_int(data, "gi"))
    except KeyError as exc:
        return error_response(request, str(exc), 404)
    try:
        batch = await services.downloads.enqueue_plain_folder(group.username, group.directory)
    except ProviderError as exc:
        return error_response(request, exc, 502)
    count = len(services.downloads.batch(batch))
    return JSONResponse({"batch_id": batch, "message": f"Queued {count} files of {group.title}"})


@router.post("/search/{sid}/preview", include_in_schema=False)
async def preview(request: Request, sid: str) -> Response:
    """Start fetching a file to the preview area; answers the fetch to poll."""
    search = _search_or_404(request, sid)
    prev = previews(request)
    if prev is None:
        return error_response(request, "previews need slskd", 503)
    data = await _body(request)
    try:
        file = search.file(_int(data, "fi"))
    except KeyError as exc:
        return error_response(request, str(exc), 404)
    return JSONResponse(prev.start(file).as_dict(), status_code=202)


def _fetch_or_404(request: Request, fetch_id: str) -> tuple[Previews, PreviewFetch]:
    prev = previews(request)
    fetch = prev.get(fetch_id) if prev is not None else None
    if prev is None or fetch is None:
        raise HTTPException(404, "this preview is no longer known; try again")
    return prev, fetch


@router.get("/preview/fetches/{fetch_id}", include_in_schema=False)
async def preview_state(request: Request, fetch_id: str) -> Response:
    """How a preview fetch goes: waiting (place in the peer's queue), fetching, done."""
    _prev, fetch = _fetch_or_404(request, fetch_id)
    return JSONResponse(fetch.as_dict())


@router.post("/preview/fetches/{fetch_id}/cancel", include_in_schema=False)
async def preview_cancel(request: Request, fetch_id: str) -> Response:
    """Cancel a preview fetch; its slskd transfer is cancelled and removed."""
    prev, fetch = _fetch_or_404(request, fetch_id)
    await prev.cancel(fetch.id)
    return JSONResponse(fetch.as_dict())


@router.get("/preview/{token}", include_in_schema=False)
async def preview_file(request: Request, token: str) -> Response:
    """A fetched preview (range requests supported)."""
    prev = previews(request)
    path = prev.path_for(token) if prev is not None else None
    if path is None:
        raise HTTPException(404, "preview not found (previews are kept for a short while)")
    ext = token.rsplit(".", 1)[-1]
    return FileResponse(path, media_type=MEDIA_TYPES.get(ext, "application/octet-stream"))


def group_badges(groups: list[ResultGroup], known: FileBadges | None) -> dict[str, Any]:
    """Template values: ``file_badge`` (flat file index -> badge) and ``group_badge`` (index -> label)."""
    files: dict[int, str] = {}
    folders: dict[int, str] = {}
    if known is not None:
        for group in groups:
            found = [known.badge(f.file) for f in group.files]
            files.update({f.index: b.value for f, b in zip(group.files, found, strict=True) if b})
            label = folder_badge(found)
            if label:
                folders[group.index] = label
    return {"file_badge": files, "group_badge": folders}


def group_json(search: LiveSearch, gi: int) -> str:
    """A group as JSON for the matched modal's request."""
    g = search.group(gi)
    return json.dumps({"sid": search.sid, "gi": g.index, "kind": g.kind})
