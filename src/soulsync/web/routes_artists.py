"""Artists: the library's artists with counts and pictures; an artist's discography,
owned vs missing, and "download missing albums" (each track searched, matched and
filed with the release's metadata through the download queue)."""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from soulsync.domain import Album, Artist, LibraryTrack
from soulsync.matching import ascii_key, name_similarity
from soulsync.providers.base import ProviderError
from soulsync.providers.metadata import qualified_id
from soulsync.services.release_badges import release_downloads
from soulsync.web.fetch_site import is_cross_site
from soulsync.web.routes_search import _body
from soulsync.web.templating import render
from soulsync.web.ui import error_response, error_text, services_of, with_toast

log = logging.getLogger(__name__)
router = APIRouter()

IMAGE_CACHE = "web.artist_image"
IMAGE_TTL_S = 7 * 86400
# An owned album title must be this close to a release title to count as that release.
OWNED_SIMILARITY = 0.85


def library_artists(tracks: list[LibraryTrack]) -> list[dict[str, Any]]:
    """Artists of the library (album artist, else track artist) with album and track counts."""
    names: dict[str, str] = {}
    albums: dict[str, set[str]] = defaultdict(set)
    counts: dict[str, int] = defaultdict(int)
    for t in tracks:
        name = (t.album_artist or t.artist or "").strip()
        if not name:
            continue
        key = ascii_key(name, drop_the=True) or name.lower()
        names.setdefault(key, name)
        counts[key] += 1
        if t.album:
            albums[key].add(t.album)
    out = [
        {
            "name": names[k],
            "tracks": counts[k],
            "albums": len(albums[k]),
            "url": quote(names[k], safe=""),
        }
        for k in names
    ]
    out.sort(key=lambda a: ascii_key(a["name"], drop_the=True))
    return out


async def _library(services: Any) -> tuple[list[LibraryTrack], str | None]:
    if services is None:
        return [], "the services are not running"
    if services.media_server is None:
        return [], services.notes.get("library", "no media server is configured")
    snapshot, why = await services.sync.library.get()
    if snapshot is None:
        return [], why or "the library could not be read"
    return list(snapshot.tracks), None


@router.get("/artists", include_in_schema=False)
async def artists_page(request: Request) -> Response:
    """The library's artists."""
    tracks, why = await _library(services_of(request))
    return render(request, "artists.html", {"artists": library_artists(tracks), "why": why})


async def _find_artist(services: Any, name: str) -> tuple[Artist | None, str | None]:
    try:
        found = (await services.metadata.search_artists(name, 5)).value
    except ProviderError as exc:
        return None, error_text(exc)
    best = max(found, key=lambda a: name_similarity(a.name, name), default=None)
    if best is None or name_similarity(best.name, name) < 0.8:
        return None, f"no artist named {name!r} at the metadata source"
    return best, None


@router.get("/artists/image", include_in_schema=False)
async def artist_image(request: Request, name: str) -> Response:
    """The artist's picture from the metadata source (cached), else a placeholder."""
    services = services_of(request)
    store = request.app.state.store
    cached = store.cache_get(IMAGE_CACHE, name.lower())
    url: str | None = json.loads(cached) if cached is not None else None
    if cached is None and services is not None:
        artist, _why = await _find_artist(services, name)
        url = artist.image_url if artist is not None else None
        store.cache_put(IMAGE_CACHE, name.lower(), json.dumps(url), ttl_s=IMAGE_TTL_S)
    if not url:
        return RedirectResponse("/static/artist.svg", status_code=302)
    return RedirectResponse(url, status_code=302)


def _owned_albums(tracks: list[LibraryTrack], name: str) -> dict[str, int]:
    """The artist's album titles in the library, with how many of their tracks are there."""
    counts: dict[str, int] = {}
    for t in tracks:
        if t.album and name_similarity(t.album_artist or t.artist or "", name) >= 0.85:
            counts[t.album] = counts.get(t.album, 0) + 1
    return dict(sorted(counts.items()))


def discography(releases: list[Album], owned_albums: dict[str, int]) -> list[dict[str, Any]]:
    """Each release with how much of it the library has.

    ``state`` is ``owned`` (every track, or as many as the release lists),
    ``partial`` (some: "partly owned 1/3") or ``missing``; the library's
    album titles are compared with the release's by the matching engine.
    """
    out = []
    seen: set[str] = set()
    for album in releases:
        key = ascii_key(album.title)
        if key in seen:
            continue  # the same release listed twice (editions, markets)
        seen.add(key)
        have = sum(
            count
            for title, count in owned_albums.items()
            if name_similarity(album.title, title) >= OWNED_SIMILARITY
        )
        total = album.total_tracks or 0
        state = "missing" if have == 0 else "partial" if total and have < total else "owned"
        out.append(
            {
                "title": album.title,
                "year": album.year,
                "type": str(album.album_type),
                "tracks": album.total_tracks,
                "cover": album.cover_url,
                "ref": qualified_id(album),
                "owned": state == "owned",
                "state": state,
                "have": min(have, total) if total else have,
            }
        )
    out.sort(key=lambda a: a["year"] or 0, reverse=True)
    return out


async def _artist_context(request: Request, name: str) -> dict[str, Any]:
    services = services_of(request)
    tracks, why = await _library(services)
    owned_albums = _owned_albums(tracks, name)
    ctx: dict[str, Any] = {
        "name": name,
        "artist": None,
        "releases": [],
        "error": None,
        "why": why,
        "owned_titles": sorted(owned_albums),
        "track_count": sum(
            1 for t in tracks if name_similarity(t.album_artist or t.artist or "", name) >= 0.85
        ),
        "can_download": services is not None and services.downloads is not None,
        "watch": None,
    }
    if services is None:
        return ctx
    artist, error = await _find_artist(services, name)
    ctx["artist"] = artist
    ctx["error"] = error
    if artist is not None and qualified_id(artist):
        try:
            releases = (await services.metadata.artist_albums(qualified_id(artist) or "", 50)).value
        except ProviderError as exc:
            ctx["error"] = error_text(exc)
            releases = []
        ctx["releases"] = discography(list(releases), owned_albums)
    ctx["missing"] = [r for r in ctx["releases"] if not r["owned"] and r["ref"]]
    _mark_downloads(services, ctx["releases"], artist.name if artist is not None else name)
    ref = qualified_id(artist) if artist is not None else None
    if ref and services.watchlist is not None:
        ctx["watch"] = next((w for w in services.watchlist.watches() if w.artist_ref == ref), None)
        ctx["watch_ref"] = ref
    return ctx


def _mark_downloads(services: Any, releases: list[dict[str, Any]], artist: str) -> None:
    """Add ``download`` (e.g. "queued · 0/11 done") and ``download_state`` to releases not owned."""
    if services.downloads is None:
        return
    wanting = [r for r in releases if not r["owned"]]
    if not wanting:
        return
    jobs = [*services.downloads.history(1000), *services.downloads.list_active()]
    found = release_downloads([r["title"] for r in wanting], artist, jobs)
    for release in wanting:
        progress = found.get(release["title"])
        if progress is not None and progress.badge is not None:
            release["download"] = progress.label(release["tracks"])
            release["download_state"] = progress.badge.value


@router.get("/partials/artists/{name}/releases", include_in_schema=False)
async def releases_partial(request: Request, name: str) -> Response:
    """The discography cards, refreshed live as the artist's downloads move."""
    if is_cross_site(request.headers):
        return Response(status_code=204)  # no metadata requests on another site's behalf
    return render(request, "partials/artist_releases.html", await _artist_context(request, name))


@router.post("/artists/{name}/watch", include_in_schema=False)
async def watch_artist(request: Request, name: str) -> Response:
    """Watch the artist for new releases (or stop, with ``{"stop": true}``)."""
    from soulsync.services.automation.watchlist import WatchError

    services = services_of(request)
    if services is None or services.watchlist is None:
        return error_response(request, "the services are not running in this process", 503)
    data = await _body(request)
    artist, error = await _find_artist(services, name)
    ref = qualified_id(artist) if artist is not None else None
    if artist is None or ref is None:
        return error_response(request, error or f"{name} has no Spotify or Deezer id", 404)
    try:
        if data.get("stop"):
            services.watchlist.remove(ref)
            message = f"No longer watching {artist.name}"
        else:
            watch = await services.watchlist.add(ref)
            message = f"Watching {artist.name} for new {', '.join(watch.types)}"
    except (WatchError, ProviderError) as exc:
        return error_response(request, exc, 409)
    response = Response(status_code=204, headers={"HX-Refresh": "true"})
    return with_toast(response, message, "ok")


@router.get("/artists/{name}", include_in_schema=False)
async def artist_page(request: Request, name: str) -> Response:
    """One artist: discography from the metadata source, owned vs missing.

    Reached by a link from another site, the page asks the metadata services
    nothing (no requests, no cache writes on someone else's behalf).
    """
    if is_cross_site(request.headers):
        ctx: dict[str, Any] = {
            "name": name,
            "artist": None,
            "releases": [],
            "missing": [],
            "error": "Opened from another site: open the artist from the Artists page to load its discography.",
            "why": None,
            "owned_titles": [],
            "track_count": 0,
            "can_download": False,
        }
        return render(request, "artist.html", ctx)
    return render(request, "artist.html", await _artist_context(request, name))


@router.post("/artists/{name}/download-missing", include_in_schema=False)
async def download_missing(request: Request, name: str) -> Response:
    """Queue every track of the chosen (default: all missing) releases as matched downloads."""
    services = services_of(request)
    if services is None or services.downloads is None:
        return error_response(request, "downloads are not available (slskd is not configured)", 503)
    data = await _body(request)
    ctx = await _artist_context(request, name)
    wanted = [r["ref"] for r in ctx.get("missing", [])]
    if data.get("ref"):
        wanted = [str(data["ref"])]
    queued = 0
    titles = []
    for ref in wanted:
        try:
            album = (await services.metadata.get_album(ref)).value
        except (ProviderError, ValueError) as exc:
            return error_response(request, exc, 502)
        if not album.tracks:
            continue
        _batch, ids = await services.downloads.enqueue_playlist_tracks(
            list(album.tracks), source=f"artist:{name}"
        )
        queued += len(ids)
        titles.append(album.title)
    if not queued:
        return error_response(request, "nothing to download: every release is owned", 409)
    response = Response(status_code=204)
    return with_toast(response, f"Queued {queued} tracks from {len(titles)} releases", "ok")
