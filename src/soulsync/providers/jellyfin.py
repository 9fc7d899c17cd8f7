"""Jellyfin as a :class:`~soulsync.providers.base.MediaServer`, over its HTTP API with httpx.

Facts from Jellyfin's source (github.com/jellyfin/jellyfin,
``Jellyfin.Api/Controllers/PlaylistsController.cs`` and
``Emby.Server.Implementations/Playlists/PlaylistManager.cs``) that shape this
client:

* Auth is one header, ``Authorization: MediaBrowser Token="…"``; Jellyfin 12
  refuses the legacy ``X-Emby-Token``/``api_key`` forms by default. An API key
  belongs to no user, so user-scoped calls carry ``userId`` (found by name).
* A playlist holds each track once: adding an item that is already there is
  skipped by the server. Mirroring a source playlist with a repeated track
  therefore cannot be exact, and :attr:`JellyfinMediaServer.unique_items`
  tells the mirror to list the repeats as left out.
* Entries are addressed by ``PlaylistItemId``; ``Move/{newIndex}`` computes
  the target from the item before ``newIndex`` (moving to index 0 lands at
  index 1 on 10.10/10.11) but always appends when ``newIndex`` is the last
  index. So a reorder here only ever moves items to the end, in wanted order,
  which is exact under either reading; large reorders use
  ``POST /Playlists/{id}`` with ``Ids`` (clear and re-add in order). Every
  write is read back and compared.
* A path-specific ``POST /Library/Media/Updated`` goes through the library
  monitor (with its delay) and not through the ``RefreshLibrary`` scheduled
  task, so a scan that must be waited for uses ``POST /Library/Refresh`` and
  polls ``GET /ScheduledTasks`` until that task is ``Idle`` again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

import httpx
from pydantic import SecretStr

from soulsync.domain import LibraryTrack
from soulsync.providers.base import (
    AuthError,
    ConnectionStatus,
    NotFound,
    ProviderError,
    RemotePlaylist,
    ServiceUnavailable,
    lists_every_file,
    verify_read_back,
)

log = logging.getLogger(__name__)

SERVICE = "jellyfin"
_TICKS_PER_MS = 10_000
_IDS_PER_REQUEST = 100  # ids in one query string (keeps URLs short)
_MAX_MOVES = 25  # beyond this, one clear-and-re-add request is cheaper than moves
_T = TypeVar("_T")


class JellyfinMediaServer:
    """A Jellyfin music library: paged track reads, playlists mirrored in order, scans."""

    name = SERVICE
    unique_items = True  # a Jellyfin playlist holds each track at most once

    def __init__(
        self,
        url: str,
        *,
        api_key: str | SecretStr = "",
        username: str = "",
        password: str | SecretStr = "",
        library: str = "Music",
        timeout_s: float = 30.0,
        page_size: int = 1000,
        scan_timeout_s: float = 900.0,
        scan_poll_s: float = 1.0,
        scan_start_grace_s: float = 5.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if not url:
            raise ValueError("jellyfin.url is empty")
        self.url = url.rstrip("/")
        self._api_key = api_key if isinstance(api_key, SecretStr) else SecretStr(api_key)
        self._password = password if isinstance(password, SecretStr) else SecretStr(password)
        if not self._api_key.get_secret_value() and not username:
            raise ValueError("jellyfin needs an api_key or a username and password")
        self.username = username
        self.library = library
        self.timeout_s = timeout_s
        self.page_size = page_size
        self.scan_timeout_s = scan_timeout_s
        self.scan_poll_s = scan_poll_s
        self.scan_start_grace_s = scan_start_grace_s
        self._client = httpx.AsyncClient(base_url=self.url, timeout=timeout_s, transport=transport)
        self._token: str | None = None
        self._user_id: str | None = None
        self._library_id: str | None = None
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        return f"JellyfinMediaServer(url={self.url!r}, library={self.library!r})"

    @classmethod
    def from_settings(cls, settings: Any) -> JellyfinMediaServer:
        """Build from the ``[jellyfin]`` config section."""
        return cls(
            settings.url,
            api_key=settings.api_key,
            username=settings.username,
            password=settings.password,
            library=settings.library,
        )

    # -- MediaServer protocol ----------------------------------------------------------

    async def test_connection(self) -> ConnectionStatus:
        """Check the server, the credentials and the music library; never raises."""
        try:
            info = await self._json("GET", "/System/Info")
            await self._music_library()
        except ProviderError as exc:
            return ConnectionStatus(SERVICE, False, exc.message)
        return ConnectionStatus(
            SERVICE,
            True,
            f"{info.get('ServerName')} (Jellyfin {info.get('Version')}), "
            f"music library {self.library!r}",
        )

    async def all_tracks(self) -> list[LibraryTrack]:
        """Every audio item of the music library, in pages of ``page_size``."""
        started = time.monotonic()
        parent = await self._music_library()
        tracks: dict[str, LibraryTrack] = {}
        start = 0
        while True:
            page = await self._json(
                "GET",
                "/Items",
                params={
                    "ParentId": parent,
                    "IncludeItemTypes": "Audio",
                    "Recursive": "true",
                    "Fields": "Path,ProviderIds",
                    "StartIndex": start,
                    "Limit": self.page_size,
                    "EnableImages": "false",
                    "EnableUserData": "false",
                },
            )
            rows = page.get("Items") or []
            for row in rows:
                track = track_from_dto(row)
                tracks.setdefault(track.id, track)
            start += len(rows)
            if not rows or start >= int(page.get("TotalRecordCount") or 0):
                break
        log.info("read %d Jellyfin tracks in %.1f s", len(tracks), time.monotonic() - started)
        return list(tracks.values())

    async def library_version(self) -> str | None:
        """None: no cheap stamp of the whole library (the cache's TTL applies)."""
        return None

    async def list_playlists(self) -> list[RemotePlaylist]:
        """The user's playlists (without items)."""
        user = await self._user()
        page = await self._json(
            "GET",
            "/Items",
            params={"userId": user, "IncludeItemTypes": "Playlist", "Recursive": "true"},
        )
        return [
            RemotePlaylist(id=str(p["Id"]), title=str(p.get("Name") or ""))
            for p in page.get("Items") or []
            if p.get("MediaType") in (None, "Audio")
        ]

    async def get_playlist(self, playlist_id: str) -> RemotePlaylist | None:
        """A playlist with its items in order, or None if it no longer exists."""
        entries = await self._entries(playlist_id)
        if entries is None:
            return None
        title = next(
            (p.title for p in await self.list_playlists() if p.id == playlist_id), playlist_id
        )
        return RemotePlaylist(playlist_id, title, tuple(item for _, item in entries))

    async def create_playlist(
        self, title: str, track_ids: list[str], *, summary: str | None = None
    ) -> RemotePlaylist:
        """Create a playlist with ``track_ids`` in this order, verified by reading it back.

        ``summary`` (SoulSync's marker) is not stored here: this server's playlist
        is found again by the id SoulSync keeps.
        """
        if not title.strip():
            raise ProviderError(SERVICE, "a playlist needs a title")
        _check_unique(track_ids)
        await self._check_known(track_ids)
        user = await self._user()
        first, rest = track_ids[:_IDS_PER_REQUEST], track_ids[_IDS_PER_REQUEST:]
        created = await self._json(
            "POST",
            "/Playlists",
            json={"Name": title, "Ids": first, "UserId": user, "MediaType": "Audio"},
        )
        playlist_id = str(created.get("Id") or "")
        if not playlist_id:
            raise ProviderError(SERVICE, "Jellyfin created a playlist but sent no id")
        for chunk in _chunks(rest, _IDS_PER_REQUEST):
            await self._add(playlist_id, chunk)
        result = await self._read(playlist_id, title)
        _verify(result, track_ids)
        log.info("created Jellyfin playlist %r (%d tracks)", title, len(track_ids))
        return result

    async def replace_playlist_items(
        self, playlist_id: str, track_ids: list[str]
    ) -> RemotePlaylist:
        """Make the playlist hold exactly ``track_ids`` in order (remove, add, move), then verify."""
        _check_unique(track_ids)
        entries = await self._entries(playlist_id)
        if entries is None:
            raise NotFound(SERVICE, f"there is no playlist with id {playlist_id} on Jellyfin")
        wanted = set(track_ids)
        remove = [entry for entry, item in entries if item not in wanted]
        for chunk in _chunks(remove, _IDS_PER_REQUEST):
            await self._request(
                "DELETE", f"/Playlists/{playlist_id}/Items", params={"entryIds": ",".join(chunk)}
            )
        present = {item for _, item in entries}
        add = [t for t in track_ids if t not in present]
        if add:
            await self._check_known(add)
        for chunk in _chunks(add, _IDS_PER_REQUEST):
            await self._add(playlist_id, chunk)
        moved = await self._reorder(playlist_id, track_ids)
        title = next(
            (p.title for p in await self.list_playlists() if p.id == playlist_id), playlist_id
        )
        result = await self._read(playlist_id, title)
        if list(result.item_ids) != list(track_ids):
            # Someone edited it meanwhile, or the server moved differently: one
            # clear-and-re-add in order, then the final check.
            await self._set_items(playlist_id, track_ids)
            result = await self._read(playlist_id, title)
        _verify(result, track_ids)
        log.info(
            "updated Jellyfin playlist %r: %d removed, %d added, %d moved",
            title,
            len(remove),
            len(add),
            moved,
        )
        return result

    async def delete_playlist(self, playlist_id: str) -> bool:
        """Delete a playlist; False if it did not exist."""
        try:
            await self._request("DELETE", f"/Items/{playlist_id}")
        except NotFound:
            return False
        return True

    async def scan(
        self, path: str | None = None, wait: bool = True, *, expect: Sequence[str] = ()
    ) -> None:
        """Ask Jellyfin to scan; with ``wait`` poll its RefreshLibrary task until idle.

        ``expect`` (the protocol's new-file hint) is accepted and not used here.

        Without ``wait`` and with a ``path``, only that path is reported as
        changed (``/Library/Media/Updated``): cheaper, but Jellyfin applies
        it after its library-monitor delay and no task shows its progress.
        """
        if path and not wait:
            await self._request(
                "POST",
                "/Library/Media/Updated",
                json={"Updates": [{"Path": path, "UpdateType": "Modified"}]},
            )
            log.info("told Jellyfin that %s changed", path)
            return
        before = await self._refresh_task()
        await self._request("POST", "/Library/Refresh")
        log.info("asked Jellyfin to scan its libraries")
        if not wait:
            return
        started = time.monotonic()
        seen_running = False
        while True:
            task = await self._refresh_task()
            running = task.get("State") in ("Running", "Cancelling")
            if running:
                seen_running = True
            elif seen_running or _last_end(task) != _last_end(before):
                return
            elif time.monotonic() - started > self.scan_start_grace_s and (
                not expect or await self._have_files(expect)
            ):
                # Never saw it run (quicker than a poll, or queued): done once the
                # files the caller expects are listed; without any, trust the grace.
                return
            if time.monotonic() - started > self.scan_timeout_s:
                raise ProviderError(
                    SERVICE, f"Jellyfin did not finish scanning within {self.scan_timeout_s:g} s"
                )
            await asyncio.sleep(self.scan_poll_s)

    async def _have_files(self, expect: Sequence[str]) -> bool:
        """True when the library lists a track for every expected file (by file name)."""
        return lists_every_file((t.path for t in await self.all_tracks()), expect)

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._client.aclose()

    # -- pieces ---------------------------------------------------------------------------

    async def _entries(self, playlist_id: str) -> list[tuple[str, str]] | None:
        """(PlaylistItemId, item Id) in order, or None when the playlist is gone."""
        user = await self._user()
        entries: list[tuple[str, str]] = []
        start = 0
        while True:
            try:
                page = await self._json(
                    "GET",
                    f"/Playlists/{playlist_id}/Items",
                    params={"userId": user, "StartIndex": start, "Limit": self.page_size},
                )
            except NotFound:
                return None
            rows = page.get("Items") or []
            entries.extend((str(r.get("PlaylistItemId") or r["Id"]), str(r["Id"])) for r in rows)
            start += len(rows)
            if not rows or start >= int(page.get("TotalRecordCount") or 0):
                return entries

    async def _read(self, playlist_id: str, title: str) -> RemotePlaylist:
        entries = await self._entries(playlist_id)
        if entries is None:
            raise NotFound(SERVICE, f"playlist {playlist_id} vanished from Jellyfin")
        return RemotePlaylist(playlist_id, title, tuple(item for _, item in entries))

    async def _add(self, playlist_id: str, ids: Sequence[str]) -> None:
        user = await self._user()
        await self._request(
            "POST",
            f"/Playlists/{playlist_id}/Items",
            params={"ids": ",".join(ids), "userId": user},
        )

    async def _set_items(self, playlist_id: str, track_ids: Sequence[str]) -> None:
        await self._request("POST", f"/Playlists/{playlist_id}", json={"Ids": list(track_ids)})

    async def _reorder(self, playlist_id: str, track_ids: Sequence[str]) -> int:
        """Bring the items into ``track_ids`` order; returns how many items moved."""
        entries = await self._entries(playlist_id) or []
        moves = plan_moves_to_end([item for _, item in entries], track_ids)
        if len(moves) > _MAX_MOVES:
            await self._set_items(playlist_id, track_ids)
            return len(moves)
        entry_of = {item: entry for entry, item in entries}
        last = len(entries) - 1
        for item in moves:
            await self._request(
                "POST", f"/Playlists/{playlist_id}/Items/{entry_of[item]}/Move/{last}"
            )
        return len(moves)

    async def _check_known(self, track_ids: Sequence[str]) -> None:
        """NotFound naming the ids the library does not have (Jellyfin would skip them)."""
        found: set[str] = set()
        for chunk in _chunks(list(track_ids), _IDS_PER_REQUEST):
            page = await self._json(
                "GET",
                "/Items",
                params={"Ids": ",".join(chunk), "IncludeItemTypes": "Audio", "Recursive": "true"},
            )
            found.update(str(r["Id"]) for r in page.get("Items") or [])
        missing = [t for t in track_ids if t not in found]
        if missing:
            shown = ", ".join(missing[:10]) + (" …" if len(missing) > 10 else "")
            raise NotFound(
                SERVICE, f"{len(missing)} track(s) are not in the Jellyfin library ({shown})"
            )

    async def _refresh_task(self) -> dict[str, Any]:
        tasks = await self._json("GET", "/ScheduledTasks")
        for task in tasks if isinstance(tasks, list) else []:
            if task.get("Key") == "RefreshLibrary":
                return dict(task)
        raise ProviderError(SERVICE, "Jellyfin lists no RefreshLibrary task")

    async def _music_library(self) -> str:
        if self._library_id is not None:
            return self._library_id
        folders = await self._json("GET", "/Library/VirtualFolders")
        music = [f for f in folders or [] if f.get("CollectionType") == "music"]
        wanted = self.library.strip().casefold()
        chosen = next((f for f in music if str(f.get("Name", "")).casefold() == wanted), None)
        if chosen is None:
            names = ", ".join(repr(f.get("Name")) for f in music) or "none"
            raise NotFound(
                SERVICE,
                f"no music library named {self.library!r} on this Jellyfin server "
                f"(music libraries: {names}); set jellyfin.library",
            )
        self._library_id = str(chosen["ItemId"])
        return self._library_id

    async def _user(self) -> str:
        if self._user_id is None:
            await self._login()
        assert self._user_id is not None
        return self._user_id

    async def _login(self) -> None:
        """Find the user id (API key) or log in by name and password (user token)."""
        if self._api_key.get_secret_value():
            self._token = self._api_key.get_secret_value()
            users = await self._json("GET", "/Users")
            wanted = self.username.casefold()
            chosen = next(
                (u for u in users if wanted and str(u.get("Name", "")).casefold() == wanted),
                None,
            )
            if chosen is None and not wanted:
                chosen = next(
                    (u for u in users if (u.get("Policy") or {}).get("IsAdministrator")), None
                )
            if chosen is None:
                raise NotFound(
                    SERVICE,
                    f"no Jellyfin user named {self.username!r}; set jellyfin.username"
                    if wanted
                    else "Jellyfin has no administrator user; set jellyfin.username",
                )
            self._user_id = str(chosen["Id"])
            return
        response = await self._send(
            "POST",
            "/Users/AuthenticateByName",
            json={"Username": self.username, "Pw": self._password.get_secret_value()},
            headers={
                "Authorization": 'MediaBrowser Client="SoulSync", Device="SoulSync", '
                'DeviceId="soulsync", Version="1"'
            },
        )
        if response.status_code == 401:
            raise AuthError(SERVICE, "Jellyfin rejected the user name or password")
        body = self._decode(response)
        self._token = str(body.get("AccessToken") or "")
        self._user_id = str((body.get("User") or {}).get("Id") or "")
        if not self._token or not self._user_id:
            raise ProviderError(SERVICE, "Jellyfin's login answer had no token or user")

    # -- HTTP plumbing --------------------------------------------------------------------

    async def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self._request(method, path, **kwargs)
        return self._decode(response)

    def _decode(self, response: httpx.Response) -> Any:
        try:
            return response.json()
        except ValueError as exc:
            raise ProviderError(
                SERVICE, f"Jellyfin at {self.url} sent a reply that is not JSON"
            ) from exc

    async def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        if self._token is None:
            async with self._lock:
                if self._token is None:
                    await self._login()
        headers = {"Authorization": f'MediaBrowser Token="{self._token}"'}
        response = await self._send(method, path, headers=headers, **kwargs)
        if response.status_code == 401 and self._api_key.get_secret_value() == "":
            # A user token can expire: log in again once.
            self._token = None
            async with self._lock:
                await self._login()
            headers = {"Authorization": f'MediaBrowser Token="{self._token}"'}
            response = await self._send(method, path, headers=headers, **kwargs)
        if response.status_code == 401:
            raise AuthError(SERVICE, "Jellyfin rejected the credentials (401); check jellyfin.*")
        if response.status_code == 403:
            raise AuthError(SERVICE, f"Jellyfin refused {method} {path} (403 Forbidden)")
        if response.status_code == 404:
            raise NotFound(SERVICE, f"not found on Jellyfin ({method} {path})")
        if response.status_code >= 500:
            raise ServiceUnavailable(
                SERVICE, f"Jellyfin at {self.url} is not available (HTTP {response.status_code})"
            )
        if response.status_code >= 400:
            raise ProviderError(
                SERVICE,
                f"Jellyfin refused {method} {path} (HTTP {response.status_code}: "
                f"{response.text[:200]})",
            )
        return response

    async def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            return await self._client.request(method, path, **kwargs)
        except httpx.TimeoutException as exc:
            raise ServiceUnavailable(
                SERVICE, f"Jellyfin at {self.url} did not answer within {self.timeout_s:g} s"
            ) from exc
        except httpx.TransportError as exc:
            raise ServiceUnavailable(SERVICE, f"Jellyfin is not reachable at {self.url}") from exc


# -- pure helpers -----------------------------------------------------------------------------


def track_from_dto(row: dict[str, Any]) -> LibraryTrack:
    """An audio ``BaseItemDto`` as a :class:`LibraryTrack`."""
    artists = [str(a) for a in row.get("Artists") or [] if a]
    album_artist = row.get("AlbumArtist") or None
    ticks = row.get("RunTimeTicks")
    providers = row.get("ProviderIds") or {}
    return LibraryTrack(
        id=str(row["Id"]),
        title=str(row.get("Name") or ""),
        artist=" & ".join(artists) if artists else (album_artist or ""),
        album=row.get("Album") or None,
        album_artist=album_artist,
        track_number=row.get("IndexNumber"),
        disc_number=row.get("ParentIndexNumber"),
        duration_ms=int(ticks) // _TICKS_PER_MS if ticks else None,
        path=row.get("Path") or None,
        isrc=providers.get("ISRC") or None,
        year=row.get("ProductionYear"),
    )


def plan_moves_to_end(current: Sequence[str], wanted: Sequence[str]) -> list[str]:
    """Items to move to the end, in this order, to turn ``current`` into ``wanted``.

    The longest prefix of ``wanted`` already in increasing order in
    ``current`` stays; every later wanted item goes to the end in turn. Both
    hold the same distinct items.
    """
    if sorted(current) != sorted(wanted) or len(set(wanted)) != len(wanted):
        raise ValueError("current and wanted must be the same distinct items")
    position = {item: n for n, item in enumerate(current)}
    keep = 0
    last = -1
    while keep < len(wanted) and position[wanted[keep]] > last:
        last = position[wanted[keep]]
        keep += 1
    if keep == len(wanted):
        return []
    return list(wanted[keep:])


def _last_end(task: dict[str, Any]) -> str | None:
    result = task.get("LastExecutionResult") or {}
    return str(result.get("EndTimeUtc")) if result.get("EndTimeUtc") else None


def _check_unique(track_ids: Sequence[str]) -> None:
    if len(set(track_ids)) != len(track_ids):
        raise ProviderError(
            SERVICE, "a Jellyfin playlist holds each track once; the wanted list repeats tracks"
        )


def _verify(playlist: RemotePlaylist, wanted: Sequence[str]) -> None:
    verify_read_back(SERVICE, "Jellyfin playlist", playlist, wanted)


def _chunks(values: Sequence[_T], size: int) -> Iterator[list[_T]]:
    for start in range(0, len(values), size):
        yield list(values[start : start + size])
