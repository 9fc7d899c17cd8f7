"""Spotify Web API client for Development Mode apps (2026 rules), async over httpx.

Why our own thin client and not spotipy: spotipy's urllib3 ``Retry`` sleeps
through the full ``Retry-After`` (a quota 429 can say 86 400 s, so the process
hangs for a day, and when it wakes it has been hammering retries), and its
``tracks()``/``albums()``/``artists()`` still call the batch endpoints that
Development Mode removed, while ``artist_albums()`` defaults to a limit the
API now rejects. A few dozen lines of httpx give us exactly the behaviour the
upstream SoulSync learned the hard way (its users got Spotify bans):

* **One request at a time** through a :class:`~soulsync.providers.http.Pacer`
  (lock + minimum gap); a 429's short wait is taken while holding it.
* **Every GET cached** in the store: entities for weeks, searches for days.
  Playlist entries are cached under ``(playlist id, snapshot_id)``, so reading
  an unchanged playlist costs exactly one request (the one that returns the
  snapshot); the ``/me/playlists`` snapshot can even be passed in for zero.
* **429** honours ``Retry-After`` up to ``max_retry_after_s``; a longer wait or
  ``reason: QUOTA_EXCEEDED`` starts a stored cool-down
  (``spotify.cooldown_until`` / ``spotify.cooldown_reason``) and raises
  :class:`CoolingDown` at once: we never sleep for hours and never retry into
  a quota. While cooling down, cached answers are still served.
* **5xx and timeouts** are retried with exponential backoff and jitter (3 tries).
* **Per-id lookups only** (no ``?ids=`` batch calls), search ``limit`` ≤ 10,
  artist-albums ``limit`` ≤ 10 (we page instead), playlist items ``limit`` 50.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from typing import Any

import httpx

from soulsync.domain import Album, Artist, Playlist, PlaylistEntry, Source, Track
from soulsync.providers import spotify_map as m
from soulsync.providers.base import (
    AuthError,
    CoolingDown,
    Forbidden,
    NotFound,
    ProviderError,
    RateLimited,
    ServiceUnavailable,
)
from soulsync.providers.codec import (
    album_from_json,
    album_to_json,
    playlist_from_json,
    playlist_to_json,
)
from soulsync.providers.http import (
    DAY,
    HOUR,
    WEEK,
    CooldownState,
    JsonCache,
    Pacer,
    backoff_delay,
    cache_key,
    parse_retry_after,
)
from soulsync.providers.spotify_auth import SpotifyAuth
from soulsync.store import Store

log = logging.getLogger(__name__)

SERVICE = "spotify"
SEARCH_MAX_LIMIT = 10  # Development Mode answers 400 "Invalid limit" above this
ARTIST_ALBUMS_MAX_LIMIT = 10
ITEMS_PAGE = 50
PLAYLIST_META_FIELDS = "id,name,owner(id,display_name),collaborative,public,snapshot_id,images,items(total),tracks(total)"


class SpotifyClient:
    """The Spotify metadata and playlist source (implements MetadataSource and PlaylistSource)."""

    source = Source.SPOTIFY

    def __init__(
        self,
        store: Store,
        auth: SpotifyAuth,
        *,
        api_base: str = "https://api.spotify.com/v1",
        min_gap_s: float = 0.5,
        max_retry_after_s: float = 30.0,
        quota_cooldown_s: float = 6 * HOUR,
        tries: int = 3,
        timeout_s: float = 15.0,
        entity_ttl_s: float = 4 * WEEK,
        search_ttl_s: float = 3 * DAY,
        playlist_ttl_s: float = 8 * WEEK,
        http: httpx.AsyncClient | None = None,
        pacer: Pacer | None = None,
    ) -> None:
        self.store = store
        self.auth = auth
        self.api_base = api_base.rstrip("/")
        self.max_retry_after_s = max_retry_after_s
        self.quota_cooldown_s = quota_cooldown_s
        self.tries = max(1, tries)
        self.entity_ttl_s = entity_ttl_s
        self.search_ttl_s = search_ttl_s
        self.playlist_ttl_s = playlist_ttl_s
        self.pacer = pacer or Pacer(min_gap_s)
        self.cache = JsonCache(store, "spotify")
        # How many answers were served from the stored copy because Spotify was
        # down: a sync run compares it before and after to say so in its summary.
        self.stale_served = 0
        self.cooldown = CooldownState(store, SERVICE)
        self.requests_sent = 0  # HTTP requests that actually reached (or tried) the API
        self._http = http or httpx.AsyncClient(timeout=timeout_s)
        self._owns_http = http is None

    @classmethod
    def from_settings(cls, store: Store, settings: Any, **kwargs: Any) -> SpotifyClient:
        """Build from a ``SpotifySettings`` section (client id, bases, scopes, gap).

        ``cipher`` (a ``TokenCipher``) stores the tokens encrypted.
        """
        auth = SpotifyAuth(
            store,
            client_id=settings.client_id,
            redirect_uri=settings.redirect_uri,
            accounts_base=settings.accounts_base,
            scopes=tuple(settings.scopes),
            cipher=kwargs.pop("cipher", None),
        )
        return cls(
            store,
            auth,
            api_base=settings.api_base,
            min_gap_s=settings.request_gap_s,
            **kwargs,
        )

    async def aclose(self) -> None:
        """Close HTTP clients this object created."""
        if self._owns_http:
            await self._http.aclose()
        await self.auth.aclose()

    async def __aenter__(self) -> SpotifyClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # -- the one way to talk to Spotify ------------------------------------------------

    def _check_cooldown(self) -> None:
        current = self.cooldown.current()
        if current is not None:
            raise CoolingDown(
                SERVICE,
                f"cooling down for {current.remaining_s / 60:.0f} more min ({current.reason})",
                current.until,
            )

    async def get(
        self,
        path: str,
        params: dict[str, Any] | None = None,
        *,
        ttl_s: float | None,
        cached: bool = True,
    ) -> dict[str, Any]:
        """GET ``path`` (relative to the API base, or absolute) with caching and etiquette.

        ``cached=False`` always asks Spotify but still stores the answer, which
        is then served if Spotify is cooling down or unreachable (stale beats nothing).
        """
        key = cache_key(path.replace(self.api_base, ""), params)
        if cached:
            hit = await self.cache.get(key)
            if hit is not None:
                return dict(hit)
        try:
            body = await self._request(path, params)
        except (CoolingDown, ServiceUnavailable):
            if not cached:
                stale = await asyncio.to_thread(self._stale, key)
                if stale is not None:
                    log.info("spotify: serving a stored copy of %s", key)
                    self.stale_served += 1
                    return stale
            raise
        await self.cache.put(key, body, ttl_s)
        return body

    def _stale(self, key: str) -> dict[str, Any] | None:
        import json

        import sqlalchemy as sa

        from soulsync.store import schema

        table = schema.http_cache
        with self.store.read() as conn:
            row = conn.execute(
                sa.select(table.c.value).where(table.c.namespace == "spotify", table.c.key == key)
            ).first()
        return dict(json.loads(row[0])) if row else None

    async def _request(self, path: str, params: dict[str, Any] | None) -> dict[str, Any]:
        url = path if path.startswith("http") else f"{self.api_base}{path}"
        self._check_cooldown()
        refreshed = False
        attempt = 0
        waits = 0
        async with self.pacer:
            # Checked again once our turn comes: a request queued behind the one
            # that hit the quota must not go out.
            self._check_cooldown()
            while True:
                token = await self.auth.access_token()
                self.requests_sent += 1
                try:
                    response = await self._http.get(
                        url, params=params, headers={"Authorization": f"Bearer {token}"}
                    )
                except httpx.TimeoutException as exc:
                    attempt += 1
                    if attempt >= self.tries:
                        raise ServiceUnavailable(SERVICE, f"timed out {attempt} times") from exc
                    await asyncio.sleep(backoff_delay(attempt - 1))
                    continue
                except httpx.TransportError as exc:
                    attempt += 1
                    if attempt >= self.tries:
                        raise ServiceUnavailable(SERVICE, f"unreachable: {exc}") from exc
                    await asyncio.sleep(backoff_delay(attempt - 1))
                    continue
                status = response.status_code
                if status == 200:
                    return dict(response.json())
                message, reason = _error_of(response)
                if status == 401 and not refreshed:
                    # Expired or revoked token: refresh once (keeps the newest refresh token).
                    refreshed = True
                    await self.auth.refresh(stale=token)
                    continue
                if status == 429:
                    retry_after = parse_retry_after(response.headers.get("Retry-After"))
                    if reason == "QUOTA_EXCEEDED" or (
                        retry_after is not None and retry_after > self.max_retry_after_s
                    ):
                        seconds = retry_after if retry_after is not None else self.quota_cooldown_s
                        why = "quota exceeded" if reason == "QUOTA_EXCEEDED" else "rate limited"
                        state = self.cooldown.start(seconds, f"{why} (Retry-After {seconds:.0f}s)")
                        raise CoolingDown(SERVICE, f"{why}; resting until later", state.until)
                    waits += 1
                    if waits > self.tries:
                        raise RateLimited(SERVICE, "still rate limited", retry_after or 1.0)
                    await asyncio.sleep(retry_after if retry_after is not None else 1.0)
                    continue
                if status >= 500:
                    attempt += 1
                    if attempt >= self.tries:
                        raise ServiceUnavailable(SERVICE, f"HTTP {status} {message}".strip())
                    await asyncio.sleep(backoff_delay(attempt - 1))
                    continue
                raise _client_error(status, message)

    # -- user and playlists -------------------------------------------------------------------

    async def me(self) -> dict[str, Any]:
        """The current user (``id``, ``display_name``), cached for a week."""
        return await self.get("/me", ttl_s=WEEK)

    async def _my_id(self, *, ask: bool) -> str | None:
        if ask:
            return str((await self.me())["id"])
        hit = await self.cache.get("/me")
        return str(hit["id"]) if hit else None

    async def list_playlists(self) -> list[Playlist]:
        """The user's playlists (owned and followed), without entries.

        ``readable`` is False for followed playlists the app may not read in
        Development Mode. Always asks Spotify (this is where snapshots come from).
        """
        my_id = await self._my_id(ask=True)
        playlists: list[Playlist] = []
        offset = 0
        while True:
            page = await self.get(
                "/me/playlists", {"limit": 50, "offset": offset}, ttl_s=WEEK, cached=False
            )
            for body in page.get("items", []):
                if not body:
                    continue
                owner_id = (body.get("owner") or {}).get("id")
                readable = owner_id == my_id or bool(body.get("collaborative"))
                playlists.append(m.to_playlist(body, readable=readable))
            if not page.get("next") or not page.get("items"):
                return playlists
            offset += 50

    async def get_playlist(self, playlist_id: str, *, snapshot_id: str | None = None) -> Playlist:
        """One playlist with its entries in order.

        Costs one request when the playlist is unchanged since the last read,
        and none when ``snapshot_id`` (e.g. from :meth:`list_playlists`) matches
        a cached read. A followed playlist comes back with ``readable=False``
        and the reason, not as an error.
        """
        if snapshot_id is not None:
            hit = await self.cache.get(_snapshot_key(playlist_id, snapshot_id))
            if hit is not None:
                return playlist_from_json(hit)
        try:
            meta = await self.get(
                f"/playlists/{playlist_id}",
                {"fields": PLAYLIST_META_FIELDS},
                ttl_s=self.playlist_ttl_s,
                cached=False,
            )
        except NotFound as exc:
            if playlist_id.startswith(_EDITORIAL_PREFIX):
                raise EditorialPlaylist(
                    SERVICE,
                    f"playlist {playlist_id} is made by Spotify (editorial or algorithmic); "
                    "Spotify no longer lets apps read those (404 since 2024-11-27). "
                    "Copy its tracks into a playlist of your own and sync that one",
                ) from exc
            raise NotFound(
                SERVICE,
                f"Spotify has no playlist {playlist_id} this app may read "
                "(deleted, or private to another account)",
            ) from exc
        snapshot = meta.get("snapshot_id")
        if snapshot:
            hit = await self.cache.get(_snapshot_key(playlist_id, snapshot))
            if hit is not None:
                return playlist_from_json(hit)
        my_id = await self._my_id(ask=False)
        owner_id = (meta.get("owner") or {}).get("id")
        if my_id is not None and owner_id != my_id and not meta.get("collaborative"):
            # Known in advance to answer 403: do not spend a request on it.
            return m.to_playlist(meta, readable=False)
        try:
            entries = await self._read_items(playlist_id)
        except Forbidden:
            return m.to_playlist(meta, readable=False)
        playlist = m.to_playlist(meta, readable=True, entries=entries)
        playlist = replace(playlist, total=len(entries))
        if snapshot:
            await self.cache.put(
                _snapshot_key(playlist_id, snapshot),
                playlist_to_json(playlist),
                self.playlist_ttl_s,
            )
        return playlist

    async def _read_items(self, playlist_id: str) -> tuple[PlaylistEntry, ...]:
        entries: list[PlaylistEntry] = []
        offset = 0
        while True:
            page = await self._request(
                f"/playlists/{playlist_id}/items",
                {"limit": ITEMS_PAGE, "offset": offset, "additional_types": "track"},
            )
            rows = page.get("items") or []
            for row in rows:
                entries.append(m.to_entry(len(entries), row))
            if not page.get("next") or not rows:
                return tuple(entries)
            offset += len(rows)

    # -- catalogue lookups ----------------------------------------------------------------------

    async def _search(self, query: str, kind: str, limit: int) -> list[dict[str, Any]]:
        if not query.strip():
            return []
        wanted = max(1, limit)
        found: list[dict[str, Any]] = []
        offset = 0
        while len(found) < wanted:
            page_size = min(SEARCH_MAX_LIMIT, wanted - len(found))
            body = await self.get(
                "/search",
                {"q": query, "type": kind, "limit": page_size, "offset": offset},
                ttl_s=self.search_ttl_s,
            )
            paging = body.get(f"{kind}s") or {}
            rows = [r for r in paging.get("items") or [] if r]
            found.extend(rows)
            if not paging.get("next") or not rows:
                break
            offset += len(rows)
        return found[:wanted]

    async def search_tracks(self, query: str, limit: int = 10) -> list[Track]:
        """Tracks for a query (Spotify filters like ``artist:`` and ``isrc:`` work)."""
        return [m.to_track(r) for r in await self._search(query, "track", limit)]

    async def search_artists(self, query: str, limit: int = 10) -> list[Artist]:
        """Artists for a query."""
        return [m.to_artist(r) for r in await self._search(query, "artist", limit)]

    async def search_albums(self, query: str, limit: int = 10) -> list[Album]:
        """Releases for a query (without tracklists)."""
        return [m.to_album(r) for r in await self._search(query, "album", limit)]

    async def get_track(self, track_id: str) -> Track:
        """One track by id (never the removed batch endpoint)."""
        return m.to_track(await self.get(f"/tracks/{track_id}", ttl_s=self.entity_ttl_s))

    async def get_album(self, album_id: str) -> Album:
        """One release with its full tracklist (paging ``/albums/{id}/tracks`` past 50)."""
        key = f"album-full:{album_id}"
        hit = await self.cache.get(key)
        if hit is not None:
            return album_from_json(hit)
        body = await self.get(f"/albums/{album_id}", ttl_s=self.entity_ttl_s)
        tracks_page = body.get("tracks") or {}
        rows = list(tracks_page.get("items") or [])
        total = int(tracks_page.get("total") or len(rows))
        while len(rows) < total:
            page = await self.get(
                f"/albums/{album_id}/tracks",
                {"limit": 50, "offset": len(rows)},
                ttl_s=self.entity_ttl_s,
            )
            more = page.get("items") or []
            if not more:
                break
            rows.extend(more)
        album = m.to_album(body, rows)
        await self.cache.put(key, album_to_json(album), self.entity_ttl_s)
        return album

    async def get_artist(self, artist_id: str) -> Artist:
        """One artist with an image URL."""
        return m.to_artist(await self.get(f"/artists/{artist_id}", ttl_s=self.entity_ttl_s))

    async def artist_albums(
        self,
        artist_id: str,
        limit: int = 50,
        include_groups: str = "album,single,compilation",
        *,
        fresh: bool = False,
    ) -> list[Album]:
        """An artist's releases, paging 10 at a time (the Development Mode maximum).

        ``fresh`` asks Spotify even when a cached answer exists (the artist
        watchlist must see new releases), and caches the answer.
        """
        albums: list[Album] = []
        offset = 0
        while len(albums) < limit:
            page = await self.get(
                f"/artists/{artist_id}/albums",
                {
                    "include_groups": include_groups,
                    "limit": min(ARTIST_ALBUMS_MAX_LIMIT, limit - len(albums)),
                    "offset": offset,
                },
                ttl_s=WEEK,
                cached=not fresh,
            )
            rows = page.get("items") or []
            albums.extend(m.to_album(r) for r in rows if r)
            if not page.get("next") or not rows:
                break
            offset += len(rows)
        return albums[:limit]

    # -- status -----------------------------------------------------------------------------------

    @property
    def configured(self) -> bool:
        """True when a login is stored (requests can be made)."""
        return self.auth.logged_in

    def cooling_until(self) -> float | None:
        """Epoch seconds the current cool-down ends, or None."""
        current = self.cooldown.current()
        return current.until if current else None


def _snapshot_key(playlist_id: str, snapshot_id: str) -> str:
    return f"playlist:{playlist_id}:{snapshot_id}"


def _error_of(response: httpx.Response) -> tuple[str, str | None]:
    """``(message, reason)`` from Spotify's ``{"error": {...}}`` body, tolerating junk."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:200], None
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return str(error.get("message", "")), error.get("reason")
    if isinstance(error, str):
        return str(body.get("error_description") or error), None
    return "", None


class PremiumRequired(ProviderError):
    """Spotify refuses every call: the account that owns the app (client id) lacks Premium.

    Since 2025 a Development Mode app works only while its owner has an active
    Premium subscription; Spotify then answers 403 "Active premium subscription
    required for the owner of the app" (the wording other clients report, e.g.
    zmb3/spotify #301; ``shared/reference/service-apis.md``).
    """


class EditorialPlaylist(NotFound):
    """A Spotify-owned editorial or algorithmic playlist: apps get 404 for it.

    Since the Web API change of 2024-11-27
    (https://developer.spotify.com/blog/2024-11-27-changes-to-the-web-api)
    playlists made by Spotify (Discover Weekly, "Today's Top Hits", ids
    starting ``37i9dQZF1``) are not readable by new or Development Mode apps.
    """


_EDITORIAL_PREFIX = "37i9dQZF1"
PREMIUM_MESSAGE = (
    "Spotify refuses this app: the Spotify account that owns the app (its client id) "
    "needs an active Premium subscription"
)


def _client_error(status: int, message: str) -> ProviderError:
    text = message or f"HTTP {status}"
    if status == 401:
        return AuthError(SERVICE, f"{text}; log in again with `soulsync spotify login`")
    if status == 403 and "premium" in text.lower():
        return PremiumRequired(SERVICE, f"{PREMIUM_MESSAGE} (Spotify: {text!r})")
    if status == 403:
        return Forbidden(SERVICE, text)
    if status == 404:
        return NotFound(SERVICE, text)
    return ProviderError(SERVICE, f"HTTP {status}: {text}")
