"""Deezer public API client (no key): fallback metadata source and public playlists.

Deezer's quirks, from reference §4.3, and what we do about them:

* **50 requests per 5 s per IP.** A client-side rolling-window limiter keeps
  us under it; if Deezer still says "Quota limit exceeded" we wait one window
  and retry (3 tries), then raise :class:`RateLimited`.
* **Errors come as HTTP 200** with ``{"error": {"type", "message", "code"}}``:
  code 800 ("no data") becomes :class:`NotFound`, code 4 (quota) the retry
  above, anything else :class:`ProviderError` with Deezer's message.
* **Durations are seconds**; we store milliseconds (``duration * 1000``).
* Album tracklists carry no disc numbers; ``disc_number`` stays None there
  (``get_track`` has ``disk_number``).

Every GET is cached in the store (entities for weeks, searches for days).
Public playlists are read fresh each time (they change) and paged with
``index``/``limit``.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

import httpx

from soulsync.domain import Album, AlbumType, Artist, Playlist, PlaylistEntry, Source, Track
from soulsync.providers.base import NotFound, ProviderError, RateLimited, ServiceUnavailable
from soulsync.providers.codec import album_from_json, album_to_json
from soulsync.providers.http import (
    DAY,
    WEEK,
    JsonCache,
    WindowLimiter,
    backoff_delay,
    cache_key,
)
from soulsync.store import Store

SERVICE = "deezer"
Json = dict[str, Any]

_RECORD_TYPES = {
    "album": AlbumType.ALBUM,
    "single": AlbumType.SINGLE,
    "ep": AlbumType.EP,
    "compile": AlbumType.COMPILATION,
    "compilation": AlbumType.COMPILATION,
}


class DeezerClient:
    """Deezer metadata (MetadataSource) and public playlists (PlaylistSource)."""

    source = Source.DEEZER

    def __init__(
        self,
        store: Store,
        *,
        api_base: str = "https://api.deezer.com",
        max_requests: int = 50,
        window_s: float = 5.0,
        tries: int = 3,
        timeout_s: float = 15.0,
        entity_ttl_s: float = 4 * WEEK,
        search_ttl_s: float = 3 * DAY,
        playlist_ids: tuple[str, ...] = (),
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self.store = store
        self.api_base = api_base.rstrip("/")
        self.window_s = window_s
        self.tries = max(1, tries)
        self.entity_ttl_s = entity_ttl_s
        self.search_ttl_s = search_ttl_s
        self.playlist_ids = playlist_ids
        # A little under the published figure: clocks differ and other tools may share the IP.
        self.limiter = WindowLimiter(max(1, max_requests - 2), window_s + 0.2)
        self.cache = JsonCache(store, "deezer")
        self.requests_sent = 0
        self._http = http or httpx.AsyncClient(timeout=timeout_s)
        self._owns_http = http is None

    @classmethod
    def from_settings(cls, store: Store, settings: Any, **kwargs: Any) -> DeezerClient:
        """Build from a ``DeezerSettings`` section."""
        return cls(store, api_base=settings.api_base, **kwargs)

    async def aclose(self) -> None:
        """Close the HTTP client if this object created it."""
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> DeezerClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # -- transport ------------------------------------------------------------------------

    async def get(
        self,
        path: str,
        params: dict[str, Any] | None = None,
        *,
        ttl_s: float | None,
        cached: bool = True,
    ) -> Json:
        """GET ``path`` with the limiter, retries, in-body error handling and the cache."""
        key = cache_key(path, params)
        if cached:
            hit = await self.cache.get(key)
            if hit is not None:
                return dict(hit)
        body = await self._request(path, params)
        await self.cache.put(key, body, ttl_s)
        return body

    async def _request(self, path: str, params: dict[str, Any] | None) -> Json:
        url = path if path.startswith("http") else f"{self.api_base}{path}"
        attempt = 0
        while True:
            await self.limiter.acquire()
            self.requests_sent += 1
            try:
                response = await self._http.get(url, params=params)
            except httpx.TransportError as exc:  # includes timeouts
                attempt += 1
                if attempt >= self.tries:
                    raise ServiceUnavailable(SERVICE, f"unreachable: {exc}") from exc
                await asyncio.sleep(backoff_delay(attempt - 1))
                continue
            if response.status_code >= 500:
                attempt += 1
                if attempt >= self.tries:
                    raise ServiceUnavailable(SERVICE, f"HTTP {response.status_code}")
                await asyncio.sleep(backoff_delay(attempt - 1))
                continue
            try:
                body = response.json()
            except ValueError as exc:
                raise ServiceUnavailable(SERVICE, "answer was not JSON") from exc
            error = body.get("error") if isinstance(body, dict) else None
            if not error:
                if response.status_code != 200:
                    raise ProviderError(SERVICE, f"HTTP {response.status_code}")
                return dict(body)
            code = error.get("code") if isinstance(error, dict) else None
            message = str(error.get("message", "error")) if isinstance(error, dict) else str(error)
            if code == 800:
                raise NotFound(SERVICE, f"{message} ({path})")
            if code == 4:
                attempt += 1
                if attempt >= self.tries:
                    raise RateLimited(SERVICE, message, self.window_s)
                # Someone else used the IP's quota: wait a whole window, then retry.
                await asyncio.sleep(self.window_s)
                continue
            raise ProviderError(SERVICE, f"{message} (code {code})")

    # -- search --------------------------------------------------------------------------------

    async def _search(self, kind: str, query: str, limit: int) -> list[Json]:
        if not query.strip():
            return []
        path = "/search" if kind == "track" else f"/search/{kind}"
        body = await self.get(path, {"q": query, "limit": max(1, limit)}, ttl_s=self.search_ttl_s)
        return [r for r in body.get("data", []) if r][:limit]

    async def search_tracks(self, query: str, limit: int = 10) -> list[Track]:
        """Tracks for a query; Deezer's ``artist:"A" track:"T"`` syntax works."""
        return [to_track(r) for r in await self._search("track", query, limit)]

    async def search_artists(self, query: str, limit: int = 10) -> list[Artist]:
        """Artists for a query."""
        return [to_artist(r) for r in await self._search("artist", query, limit)]

    async def search_albums(self, query: str, limit: int = 10) -> list[Album]:
        """Releases for a query (without tracklists)."""
        return [to_album(r) for r in await self._search("album", query, limit)]

    # -- lookups -------------------------------------------------------------------------------

    async def get_track(self, track_id: str) -> Track:
        """One track by id, with ISRC, position, disc and contributors."""
        return to_track(await self.get(f"/track/{track_id}", ttl_s=self.entity_ttl_s))

    async def get_track_by_isrc(self, isrc: str) -> Track:
        """One track by ISRC (``/track/isrc:…``)."""
        return to_track(await self.get(f"/track/isrc:{isrc.upper()}", ttl_s=self.entity_ttl_s))

    async def get_album(self, album_id: str) -> Album:
        """One release with its full tracklist."""
        key = f"album-full:{album_id}"
        hit = await self.cache.get(key)
        if hit is not None:
            return album_from_json(hit)
        body = await self.get(f"/album/{album_id}", ttl_s=self.entity_ttl_s)
        rows = list((body.get("tracks") or {}).get("data") or [])
        total = int(body.get("nb_tracks") or len(rows))
        while len(rows) < total:
            page = await self.get(
                f"/album/{album_id}/tracks",
                {"index": len(rows), "limit": 100},
                ttl_s=self.entity_ttl_s,
            )
            more = page.get("data") or []
            if not more:
                break
            rows.extend(more)
        album = to_album(body, rows)
        await self.cache.put(key, album_to_json(album), self.entity_ttl_s)
        return album

    async def get_artist(self, artist_id: str) -> Artist:
        """One artist with the largest picture."""
        return to_artist(await self.get(f"/artist/{artist_id}", ttl_s=self.entity_ttl_s))

    async def artist_albums(
        self, artist_id: str, limit: int = 50, *, fresh: bool = False
    ) -> list[Album]:
        """An artist's releases, newest first as Deezer lists them.

        ``fresh`` asks Deezer even when a cached answer exists (the artist
        watchlist must see this week's new single), and caches the answer.
        """
        rows: list[Json] = []
        while len(rows) < limit:
            page = await self.get(
                f"/artist/{artist_id}/albums",
                {"index": len(rows), "limit": min(100, limit - len(rows))},
                ttl_s=WEEK,
                cached=not fresh,
            )
            data = page.get("data") or []
            rows.extend(data)
            if not data or not page.get("next"):
                break
        return [to_album(r) for r in rows[:limit]]

    # -- playlists -----------------------------------------------------------------------------

    async def list_playlists(self) -> list[Playlist]:
        """The configured public playlists (Deezer has no keyless "my playlists")."""
        found = []
        for pid in self.playlist_ids:
            playlist = await self.get_playlist(pid)
            found.append(replace(playlist, entries=()))
        return found

    async def get_playlist(self, playlist_id: str) -> Playlist:
        """A public playlist with all entries (read fresh; unreadable tracks reported)."""
        body = await self._request(f"/playlist/{playlist_id}", None)
        rows = list((body.get("tracks") or {}).get("data") or [])
        total = int(body.get("nb_tracks") or len(rows))
        while len(rows) < total:
            page = await self._request(
                f"/playlist/{playlist_id}/tracks", {"index": len(rows), "limit": 100}
            )
            more = page.get("data") or []
            if not more:
                break
            rows.extend(more)
        entries = []
        for position, row in enumerate(rows):
            track = to_track(row)
            reason = None if row.get("readable", True) else "unavailable on Deezer"
            entries.append(PlaylistEntry(position, track, unavailable_reason=reason))
        creator = body.get("creator") or {}
        return Playlist(
            id=str(body["id"]),
            name=body.get("title") or "",
            source=Source.DEEZER,
            owner=creator.get("name"),
            snapshot_id=body.get("checksum"),
            image_url=body.get("picture_xl") or body.get("picture_big"),
            total=len(entries),
            entries=tuple(entries),
        )


# -- mapping (pure) -------------------------------------------------------------------------


def _seconds_to_ms(value: Any) -> int | None:
    return int(value) * 1000 if isinstance(value, int | float) and value > 0 else None


def to_track(body: Json, album: Json | None = None) -> Track:
    """A Track from any Deezer track object (search row, full track, album/playlist row)."""
    album = body.get("album") or album or {}
    contributors = [c.get("name") for c in body.get("contributors") or () if c.get("name")]
    main = (body.get("artist") or {}).get("name")
    artists = tuple(contributors) if contributors else ((main,) if main else ())
    album_artist = (album.get("artist") or {}).get("name")
    return Track(
        title=body.get("title") or "",
        artists=artists,
        album=album.get("title"),
        album_artists=(album_artist,) if album_artist else (),
        track_number=body.get("track_position"),
        disc_number=body.get("disk_number"),
        duration_ms=_seconds_to_ms(body.get("duration")),
        isrc=(body.get("isrc") or None),
        explicit=body.get("explicit_lyrics"),
        ids={"deezer": str(body["id"])} if body.get("id") else {},
        cover_url=album.get("cover_xl") or album.get("cover_big"),
        release_date=body.get("release_date") or album.get("release_date"),
        album_type=_RECORD_TYPES.get(str(album.get("record_type", "")).lower()),
    )


def to_album(body: Json, tracks: list[Json] | None = None) -> Album:
    """An Album from a Deezer album object; ``tracks`` rows get positions 1..n."""
    artist = (body.get("artist") or {}).get("name")
    contributors = [c.get("name") for c in body.get("contributors") or () if c.get("name")]
    artists = tuple(contributors) if contributors else ((artist,) if artist else ())
    mapped = []
    for number, row in enumerate(tracks or [], start=1):
        track = to_track(row, album=body)
        mapped.append(
            replace(
                track,
                track_number=track.track_number or number,
                album=body.get("title"),
                album_artists=artists,
                total_tracks=body.get("nb_tracks"),
            )
        )
    genres = tuple(
        g.get("name") for g in (body.get("genres") or {}).get("data", []) if g.get("name")
    )
    return Album(
        title=body.get("title") or "",
        artists=artists,
        album_type=_RECORD_TYPES.get(str(body.get("record_type", "")).lower(), AlbumType.ALBUM),
        release_date=body.get("release_date"),
        total_tracks=body.get("nb_tracks"),
        cover_url=body.get("cover_xl") or body.get("cover_big"),
        upc=body.get("upc"),
        label=body.get("label"),
        genres=genres,
        ids={"deezer": str(body["id"])} if body.get("id") else {},
        tracks=tuple(mapped),
    )


def to_artist(body: Json) -> Artist:
    """An Artist with the largest picture Deezer offers."""
    return Artist(
        name=body.get("name") or "",
        ids={"deezer": str(body["id"])} if body.get("id") else {},
        image_url=body.get("picture_xl") or body.get("picture_big") or body.get("picture"),
    )
