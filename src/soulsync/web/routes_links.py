"""Links pasted in a search box: preview the tracks with badges, download them as a batch.

* ``POST /links/resolve`` (``url``) resolves the link (see
  :mod:`soulsync.services.links`) and answers the preview's HTML with a token;
  the resolved tracks are kept for a while under that token, so "Download"
  queues exactly what the person saw.
* ``POST /links/{token}/download`` (``source``: auto, soulseek or youtube)
  queues the tracks that are not owned as one batch.
* ``GET /links/batch/{batch_id}`` answers each job's state and percent, in
  order, for the preview's live status.
"""

from __future__ import annotations

import secrets
import time
from collections import OrderedDict
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from soulsync.services.link_badges import Badge
from soulsync.services.links import LinkError, LinkResolver, ResolvedLink
from soulsync.web.known import tracks_known
from soulsync.web.routes_search import _body
from soulsync.web.ui import error_response, services_of

router = APIRouter()

_KEEP = 64  # previews kept per process
_TTL_S = 3600.0
SOURCES: dict[str, list[str] | None] = {
    "auto": None,
    "soulseek": ["soulseek"],
    "youtube": ["youtube"],
}


def _previews(request: Request) -> OrderedDict[str, tuple[float, ResolvedLink]]:
    kept: OrderedDict[str, tuple[float, ResolvedLink]] | None = getattr(
        request.app.state, "link_previews", None
    )
    if kept is None:
        kept = OrderedDict()
        request.app.state.link_previews = kept
    now = time.monotonic()
    for token in [t for t, (at, _) in kept.items() if now - at > _TTL_S]:
        del kept[token]
    while len(kept) > _KEEP:
        kept.popitem(last=False)
    return kept


def _length(ms: int | None) -> str:
    if not ms:
        return ""
    seconds = ms // 1000
    return f"{seconds // 60}:{seconds % 60:02d}"


async def badges_for(
    services: Any, resolved: ResolvedLink
) -> tuple[list[Badge | None], str | None]:
    """Owned / downloaded / downloading / queued for each resolved track, and why the library was not read."""
    return await tracks_known(services, [t.track for t in resolved.tracks])


def narrowed(resolved: ResolvedLink, badges: list[Badge | None]) -> tuple[list[int], ResolvedLink]:
    """The 1-based positions of the tracks not owned, and the link holding only those."""
    keep = [i for i, badge in enumerate(badges, 1) if badge is not Badge.OWNED]
    tracks = tuple(resolved.tracks[i - 1] for i in keep)
    return keep, ResolvedLink(resolved.link, resolved.title, tracks, resolved.source)


@router.post("/links/resolve", include_in_schema=False)
async def resolve_link(request: Request) -> Response:
    """Resolve a pasted link; answers ``{"token", "html", "count"}``."""
    services = services_of(request)
    if services is None:
        return error_response(request, "the services are not running in this process", 503)
    url = str((await _body(request)).get("url", "")).strip()
    resolver = services.link_resolver()
    try:
        resolved = await resolver.resolve(url)
    except LinkError as exc:
        return error_response(request, str(exc), 422)
    finally:
        await resolver.aclose()
    badges, why = await badges_for(services, resolved)
    queue = services.downloads
    token = secrets.token_urlsafe(12)
    _previews(request)[token] = (time.monotonic(), resolved)
    rows: list[dict[str, Any]] = [
        {
            "n": i,
            "artist": item.track.display_artist,
            "title": item.track.title,
            "album": item.track.album or "",
            "length": _length(item.track.duration_ms),
            "badge": str(badge) if badge else "",
            "youtube": item.video is not None,
        }
        for i, (item, badge) in enumerate(zip(resolved.tracks, badges, strict=True), 1)
    ]
    wanted = sum(1 for b in badges if b is not Badge.OWNED)
    html = request.app.state.templates.get_template("partials/link_preview.html").render(
        link=resolved,
        rows=rows,
        token=token,
        wanted=wanted,
        library_note=why,
        can_download=queue is not None,
    )
    return JSONResponse({"token": token, "html": html, "count": len(rows), "wanted": wanted})


@router.post("/links/{token}/download", include_in_schema=False)
async def download_link(request: Request, token: str) -> Response:
    """Queue the previewed tracks that are not owned; answers the batch and job ids."""
    services = services_of(request)
    if services is None or services.downloads is None:
        return error_response(request, "downloads are not available (slskd is not configured)", 503)
    kept = _previews(request).get(token)
    if kept is None:
        return error_response(request, "this preview has expired; paste the link again", 404)
    resolved = kept[1]
    source = str((await _body(request)).get("source", "auto"))
    if source not in SOURCES:
        return error_response(request, f"unknown source {source!r}", 400)
    badges, _why = await badges_for(services, resolved)
    keep, wanted = narrowed(resolved, badges)
    if not keep:
        return error_response(request, "nothing to download: every track is owned", 409)
    batch, ids = await LinkResolver.enqueue(services.downloads, wanted, sources=SOURCES[source])
    return JSONResponse(
        {
            "batch_id": batch,
            "jobs": {str(n): job_id for n, job_id in zip(keep, ids, strict=True)},
            "message": f"Queued {len(ids)} track(s) of {resolved.title}",
        }
    )


@router.get("/links/batch/{batch_id}", include_in_schema=False)
async def batch_status(request: Request, batch_id: str) -> Response:
    """Each job of a link batch: id, state, percent, error."""
    services = services_of(request)
    if services is None or services.downloads is None:
        return error_response(request, "downloads are not available", 503)
    jobs = services.downloads.batch(batch_id)
    return JSONResponse(
        {
            "jobs": [
                {
                    "id": j.id,
                    "state": str(j.state),
                    "percent": round(j.percent, 1),
                    "error": j.error,
                }
                for j in jobs
            ],
            "done": all(j.is_final for j in jobs),
        }
    )
