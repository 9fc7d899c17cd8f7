"""The matched-download modal: suggested artists, manual artist search, album pick and mapping.

Suggestions come from the matching engine (:func:`soulsync.matching.suggest_artists`)
fed with metadata searches derived from the file's path; the I/O is here, the
judgement is the engine's.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, Response

from soulsync.domain import Album, Artist, SoulseekFile, Track
from soulsync.matching import assign_files, name_similarity, parse_path, suggest_artists
from soulsync.matching.suggest import ArtistSuggestion
from soulsync.providers.base import ProviderError
from soulsync.providers.metadata import qualified_id
from soulsync.services.file_badges import folder_badge
from soulsync.web.known import files_known, tracks_known
from soulsync.web.routes_search import _body, _search_or_404
from soulsync.web.search_stream import LiveSearch
from soulsync.web.templating import render
from soulsync.web.ui import error_response, error_text, services_of

log = logging.getLogger(__name__)
router = APIRouter()

CARDS = 5


# -- the target of the modal: one file or one folder ----------------------------------------


def _target(
    search: LiveSearch, fi: int | None, gi: int | None
) -> tuple[str, list[SoulseekFile], Any]:
    """("track"|"album", files, group or None) for the request's ``fi``/``gi``."""
    try:
        if gi is not None:
            group = search.group(gi)
            return "album", [f.file for f in group.files], group
        if fi is not None:
            return "track", [search.file(fi)], None
    except KeyError as exc:
        raise HTTPException(404, str(exc)) from exc
    raise HTTPException(400, "say which file (fi) or folder (gi)")


def _hints(files: list[SoulseekFile]) -> tuple[str | None, str, str | None]:
    """(artist hint, title hint, album hint) from the paths."""
    anatomy = parse_path(files[0].filename)
    artist = anatomy.artist or next((r.artist for r in anatomy.readings if r.artist), None)
    return artist, anatomy.title, anatomy.album


async def _safe(coro: Any, errors: list[str]) -> list[Any]:
    try:
        sourced = await coro
    except ProviderError as exc:
        errors.append(error_text(exc))
        return []
    return list(sourced.value)


async def _evidence(
    services: Any, kind: str, files: list[SoulseekFile], query: str | None = None
) -> tuple[list[Artist], list[Track], list[Album], list[str]]:
    """Metadata search results for the path (or for the user's ``query``)."""
    artist, title, album = _hints(files)
    errors: list[str] = []
    md = services.metadata
    artist_q: str
    album_q: str | None
    if query:
        artist_q = query
        track_q = f"{query} {title}"
        album_q = f"{query} {album}" if album else query
    else:
        artist_q = artist or title
        track_q = f"{artist} {title}" if artist else title
        album_q = f"{artist or ''} {album}".strip() if album else None
    calls = [
        _safe(md.search_artists(artist_q, 8), errors),
        _safe(md.search_tracks(track_q, 10), errors),
    ]
    if kind == "album" and album_q:
        calls.append(_safe(md.search_albums(album_q, 8), errors))
    results = await asyncio.gather(*calls)
    artists, tracks = results[0], results[1]
    albums = results[2] if len(results) > 2 else []
    if not query and artist is None and kind == "track":
        # No artist in the path: the artists of the title's track hits are the candidates.
        for t in tracks[:3]:
            if t.artists:
                found = await _safe(md.search_artists(t.artists[0], 1), errors)
                artists.extend(found)
    return artists, tracks, albums, list(dict.fromkeys(errors))


def artist_json(artist: Artist | None, name: str) -> str:
    """The artist as the card carries it (sent back when the user picks it)."""
    if artist is None:
        return json.dumps({"name": name, "ids": {}, "image_url": None})
    return json.dumps({"name": artist.name, "ids": dict(artist.ids), "image_url": artist.image_url})


def artist_from_json(raw: str | None) -> Artist | None:
    """The picked artist back from the page (checked: a name and string ids only)."""
    if not raw:
        return None
    try:
        data = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError as exc:
        raise HTTPException(400, "bad artist") from exc
    if not isinstance(data, dict) or not isinstance(data.get("name"), str) or not data["name"]:
        raise HTTPException(400, "bad artist")
    ids = data.get("ids") or {}
    if not isinstance(ids, dict) or not all(isinstance(v, str) for v in ids.values()):
        raise HTTPException(400, "bad artist ids")
    image = data.get("image_url")
    return Artist(
        name=data["name"][:200],
        ids={str(k): v for k, v in ids.items()},
        image_url=image if isinstance(image, str) else None,
    )


def _cards(suggestions: list[ArtistSuggestion], *, prune: bool = False) -> list[dict[str, Any]]:
    if prune and suggestions:
        # Names read from the path with no evidence at all are noise next to a real match.
        best = suggestions[0].percent
        strong = any(s.reasons != ("weak evidence",) for s in suggestions)
        suggestions = [
            s
            for s in suggestions
            if s.percent >= best
            or (s.percent >= 15 and not (strong and s.reasons == ("weak evidence",)))
        ]
    return [
        {
            "name": s.name,
            "percent": s.percent,
            "reasons": "; ".join(s.reasons),
            "image": s.artist.image_url if s.artist else None,
            "json": artist_json(s.artist, s.name),
        }
        for s in suggestions
    ]


def _params(request: Request) -> tuple[LiveSearch, int | None, int | None]:
    q = request.query_params
    search = _search_or_404(request, q.get("sid", ""))
    fi = int(q["fi"]) if q.get("fi", "").isdigit() else None
    gi = int(q["gi"]) if q.get("gi", "").isdigit() else None
    return search, fi, gi


@router.get("/matched/modal", include_in_schema=False)
async def modal(request: Request) -> Response:
    """The modal's first step: top suggestions and the manual search box."""
    services = services_of(request)
    search, fi, gi = _params(request)
    kind, files, group = _target(search, fi, gi)
    artists, tracks, albums, errors = await _evidence(services, kind, files)
    suggestions = await asyncio.to_thread(
        suggest_artists,
        files if kind == "album" else files[0],
        artists=artists,
        tracks=tracks,
        albums=albums,
        limit=CARDS,
    )
    known = await files_known(services)
    found = [known.badge(f) for f in files] if known is not None else []
    label = (
        folder_badge(found) if kind == "album" else (found[0].value if found and found[0] else None)
    )
    return render(
        request,
        "partials/matched_modal.html",
        {
            "known": label,
            "kind": kind,
            "files": files,
            "group": group,
            "sid": search.sid,
            "fi": fi,
            "gi": gi,
            "cards": _cards(suggestions, prune=True),
            "errors": errors,
        },
    )


@router.get("/matched/artists", include_in_schema=False)
async def artist_search(request: Request) -> Response:
    """The manual search: up to five artists for the typed name, as the same cards."""
    services = services_of(request)
    search, fi, gi = _params(request)
    kind, files, _group = _target(search, fi, gi)
    query = " ".join(request.query_params.get("q", "").split())[:100]
    if len(query) < 2:
        return render(
            request,
            "partials/matched_cards.html",
            {"cards": [], "hint": "Type at least two letters."},
        )
    artists, tracks, albums, errors = await _evidence(services, kind, files, query)
    artists = artists[:CARDS]
    ranked = await asyncio.to_thread(
        suggest_artists,
        files if kind == "album" else files[0],
        artists=artists,
        tracks=tracks,
        albums=albums,
        limit=50,
    )
    by_name = {s.name: s for s in ranked}
    chosen = [
        by_name.get(a.name) or ArtistSuggestion(a.name, 0, ("found by your search",), artist=a)
        for a in artists
    ]
    chosen = [
        s if s.artist is not None else ArtistSuggestion(s.name, s.percent, s.reasons, artist=a)
        for s, a in zip(chosen, artists, strict=True)
    ]
    chosen.sort(key=lambda s: -s.percent)
    hint = None if chosen else f'No artist found for "{query}".'
    return render(
        request,
        "partials/matched_cards.html",
        {"cards": _cards(chosen), "hint": hint, "errors": errors},
    )


@router.post("/matched/start", include_in_schema=False)
async def start_track(request: Request) -> Response:
    """Queue the matched download of one file under the picked artist."""
    services = services_of(request)
    if services.downloads is None:
        return error_response(request, "downloads are not available (slskd is not configured)", 503)
    data = await _body(request)
    search = _search_or_404(request, str(data.get("sid", "")))
    try:
        file = search.file(int(data.get("fi", -1)))
    except (KeyError, ValueError) as exc:
        return error_response(request, f"unknown file: {exc}", 404)
    artist = artist_from_json(data.get("artist"))
    job_id = await services.downloads.enqueue_matched_track(file, artist)
    who = artist.name if artist else "the artist from the path"
    return JSONResponse(
        {"job_id": job_id, "message": f"Matched download queued: {file.basename} as {who}"}
    )


# -- albums: pick the release, see the mapping, start --------------------------------------------


@router.get("/matched/albums", include_in_schema=False)
async def album_pick(request: Request) -> Response:
    """Step two for a folder: the picked artist's releases, likeliest first."""
    services = services_of(request)
    search, fi, gi = _params(request)
    _kind, files, group = _target(search, fi, gi)
    artist = artist_from_json(request.query_params.get("artist"))
    if artist is None:
        raise HTTPException(400, "pick an artist first")
    _hint_artist, _title, album_hint = _hints(files)
    folder = album_hint or (group.folder_name if group is not None else "")
    errors: list[str] = []
    ref = qualified_id(artist)
    releases: list[Album] = []
    if ref is not None:
        releases = await _safe(services.metadata.artist_albums(ref, 50), errors)
    if not releases:
        found = await _safe(services.metadata.search_albums(f"{artist.name} {folder}", 10), errors)
        releases = [
            a for a in found if any(name_similarity(artist.name, n) >= 0.8 for n in a.artists)
        ]
    ranked = sorted(
        releases,
        key=lambda a: (-name_similarity(a.title, folder) if folder else 0.0, a.release_date or ""),
    )
    albums = [
        {
            "title": a.title,
            "year": a.year,
            "type": str(a.album_type),
            "tracks": a.total_tracks,
            "cover": a.cover_url,
            "ref": qualified_id(a),
            "fit": round(100 * name_similarity(a.title, folder)) if folder else None,
        }
        for a in ranked
        if qualified_id(a)
    ]
    return render(
        request,
        "partials/matched_albums.html",
        {
            "artist": artist,
            "artist_json": artist_json(artist, artist.name),
            "albums": albums[:12],
            "folder": folder,
            "sid": search.sid,
            "gi": gi,
            "files": files,
            "errors": errors,
        },
    )


@router.get("/matched/mapping", include_in_schema=False)
async def mapping(request: Request) -> Response:
    """Step three: how the folder's files map onto the picked release's tracklist."""
    services = services_of(request)
    search, fi, gi = _params(request)
    _kind, files, group = _target(search, fi, gi)
    artist = artist_from_json(request.query_params.get("artist"))
    album_ref = request.query_params.get("album", "")
    try:
        album = (await services.metadata.get_album(album_ref)).value
    except (ProviderError, ValueError) as exc:
        return error_response(request, exc, 502)
    assignment = await asyncio.to_thread(
        assign_files, list(album.tracks), files, services.settings.match_settings()
    )
    by_track = {i: (f, sim) for i, f, sim in assignment.pairs}
    badges, _why = await tracks_known(services, list(album.tracks))
    rows = []
    for i, track in enumerate(album.tracks):
        pair = by_track.get(i)
        badge = badges[i]
        rows.append(
            {
                "no": track.track_number,
                "disc": track.disc_number,
                "title": track.title,
                "file": pair[0].basename if pair else None,
                "sim": round(pair[1] * 100) if pair else None,
                "badge": badge.value if badge is not None else None,
            }
        )
    return render(
        request,
        "partials/matched_mapping.html",
        {
            "album": album,
            "album_ref": album_ref,
            "artist": artist,
            "artist_json": artist_json(artist, artist.name if artist else ""),
            "rows": rows,
            "unmatched": [f.basename for f in assignment.unmatched_files],
            "coverage": round(assignment.coverage * 100),
            "sid": search.sid,
            "gi": gi,
            "group": group,
        },
    )


@router.post("/matched/start-album", include_in_schema=False)
async def start_album(request: Request) -> Response:
    """Queue the folder as a matched album download of the picked release."""
    services = services_of(request)
    if services.downloads is None:
        return error_response(request, "downloads are not available (slskd is not configured)", 503)
    data = await _body(request)
    search = _search_or_404(request, str(data.get("sid", "")))
    try:
        group = search.group(int(data.get("gi", -1)))
    except (KeyError, ValueError) as exc:
        return error_response(request, f"unknown folder: {exc}", 404)
    artist = artist_from_json(data.get("artist"))
    album: Album | None = None
    if data.get("album"):
        try:
            album = (await services.metadata.get_album(str(data["album"]))).value
        except (ProviderError, ValueError) as exc:
            return error_response(request, exc, 502)
    batch = await services.downloads.enqueue_matched_album(
        group.username, group.directory, artist, album, files=[f.file for f in group.files]
    )
    title = album.title if album else group.title
    return JSONResponse(
        {
            "batch_id": batch,
            "message": f"Matched album download queued: {title} ({len(group.files)} files)",
        }
    )
