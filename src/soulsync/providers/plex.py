"""Plex Media Server as a :class:`~soulsync.providers.base.MediaServer`, through plexapi.

plexapi is blocking, so every call runs in a worker thread, one at a time
(an asyncio lock), and every plexapi or ``requests`` error is turned into a
``soulsync.providers.base`` error with a message fit for the user. The token
only ever travels in the ``X-Plex-Token`` header: plexapi would put it in
URLs (and so in logs) when ``log.show_secrets`` is on, so the server object
used here pins that off, and plexapi never reads the user's own
``~/.config/plexapi/config.ini`` (it could switch it on, or change timeouts).
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar
from urllib.parse import urlencode
from xml.etree.ElementTree import ParseError

# plexapi reads its config file at import time: point it at a path that cannot
# exist (a file "inside" the null device) before the first import.
os.environ["PLEXAPI_CONFIG_PATH"] = os.path.join(os.devnull, "soulsync-no-plexapi.ini")

import plexapi
import requests
from plexapi import exceptions as plex_errors
from plexapi.audio import Track as PlexTrack
from plexapi.config import reset_base_headers
from plexapi.library import MusicSection
from plexapi.playlist import Playlist as PlexPlaylist
from plexapi.server import PlexServer
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
from soulsync.providers.playlist_plan import assign_items, plan_membership, plan_moves
from soulsync.providers.plex_map import int_attr, to_library_track, track_from_element, xml_children

log = logging.getLogger(__name__)

SERVICE = "plex"
plexapi.X_PLEX_PRODUCT = "SoulSync"
plexapi.BASE_HEADERS = reset_base_headers()

_T = TypeVar("_T")
_STATUS = re.compile(r"^\((\d{3})\)")
# Keys per request when fetching or adding tracks by ratingKey (keeps URLs short).
_KEYS_PER_REQUEST = 100


class _QuietPlexServer(PlexServer):
    """A PlexServer that never puts the token into a URL it builds for requests or logs."""

    @property
    def _showSecrets(self) -> bool:  # noqa: N802
        return False

    @_showSecrets.setter
    def _showSecrets(self, _value: bool) -> None:  # noqa: N802
        # plexapi sets this from its config in __init__; the value is ignored on purpose.
        pass


class PlexMediaServer:
    """A Plex music library: bulk track reads, playlists mirrored in order, scans."""

    name = SERVICE

    def __init__(
        self,
        url: str,
        token: str | SecretStr,
        *,
        music_section: str | None = "Music",
        timeout_s: float = 30.0,
        page_size: int = 500,
        scan_timeout_s: float = 900.0,
        scan_poll_s: float = 0.5,
        scan_start_grace_s: float = 60.0,
    ) -> None:
        if not url:
            raise ValueError("plex.url is empty")
        self.url = url.rstrip("/")
        self._token = token if isinstance(token, SecretStr) else SecretStr(token)
        self.music_section = music_section
        self.timeout_s = timeout_s
        self.page_size = page_size
        self.scan_timeout_s = scan_timeout_s
        self.scan_poll_s = scan_poll_s
        self.scan_start_grace_s = scan_start_grace_s
        self._server: PlexServer | None = None
        self._section: MusicSection | None = None
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        return f"PlexMediaServer(url={self.url!r}, music_section={self.music_section!r})"

    @classmethod
    def from_settings(cls, settings: Any) -> PlexMediaServer:
        """Build from the ``[plex]`` config section (``url``, ``token``, ``music_section``)."""
        return cls(settings.url, settings.token, music_section=settings.music_section or None)

    # -- MediaServer protocol ----------------------------------------------------------

    async def test_connection(self) -> ConnectionStatus:
        """Connect, check the token and find the music library; never raises."""
        try:
            detail = await self._call(self._describe)
        except ProviderError as exc:
            return ConnectionStatus(SERVICE, False, exc.message)
        return ConnectionStatus(SERVICE, True, detail)

    async def all_tracks(self) -> list[LibraryTrack]:
        """Every track of the music library, read in pages of ``page_size``."""
        return await self._call(self._all_tracks)

    async def search_tracks(self, title: str, limit: int = 20) -> list[LibraryTrack]:
        """Tracks whose title contains ``title`` (Plex's own partial match)."""
        return await self._call(self._search_tracks, title, limit)

    async def list_playlists(self) -> list[RemotePlaylist]:
        """Audio playlists on the server (without their items, to keep it one request)."""
        return await self._call(self._list_playlists)

    async def library_version(self) -> str | None:
        """The music section's ``updatedAt``, ``scannedAt`` and ``contentChangedAt`` (one request)."""
        return await self._call(self._library_version)

    async def get_playlist(self, playlist_id: str) -> RemotePlaylist | None:
        """A playlist with its items in order, or None if it no longer exists."""
        return await self._call(self._get_playlist, playlist_id)

    async def create_playlist(
        self, title: str, track_ids: list[str], *, summary: str | None = None
    ) -> RemotePlaylist:
        """Create a playlist holding ``track_ids`` (ratingKeys) in this order, verified by reading it back.

        ``summary`` is set right after creation (Plex takes no summary in the
        create call): SoulSync's marker, to find the playlist again.
        """
        return await self._call(self._create_playlist, title, list(track_ids), summary)

    async def replace_playlist_items(
        self, playlist_id: str, track_ids: list[str]
    ) -> RemotePlaylist:
        """Make the playlist hold exactly ``track_ids`` in order (remove, add, move), then verify."""
        return await self._call(self._replace_items, playlist_id, list(track_ids))

    async def delete_playlist(self, playlist_id: str) -> bool:
        """Delete a playlist; False if it did not exist."""
        return await self._call(self._delete_playlist, playlist_id)

    async def scan(
        self, path: str | None = None, wait: bool = True, *, expect: Sequence[str] = ()
    ) -> None:
        """Ask Plex to scan the music library (or one folder of it) and wait until it is done.

        Done means: the scan was seen running and stopped, or the section's
        ``scannedAt`` moved, or every file in ``expect`` is in the library. A
        server busy with other work may start the scan late, so not having
        seen it yet never counts as done: after ``scan_start_grace_s`` it is
        requested once more, and only ``scan_timeout_s`` ends the wait (error).
        """
        await self._call(self._scan, path, wait, tuple(expect))

    async def aclose(self) -> None:
        """Close the HTTP session (a later call reconnects)."""
        async with self._lock:
            server = self._server
            self._forget()
            if server is not None:
                await asyncio.to_thread(server._session.close)

    # -- plumbing ------------------------------------------------------------------------

    async def _call(self, fn: Callable[..., _T], *args: Any) -> _T:
        async with self._lock:
            return await asyncio.to_thread(self._guarded, fn, *args)

    def _guarded(self, fn: Callable[..., _T], *args: Any) -> _T:
        try:
            return fn(*args)
        except ProviderError:
            raise
        except plex_errors.Unauthorized as exc:
            self._forget()
            raise AuthError(
                SERVICE, "Plex rejected the token (401 Unauthorized); check plex.token"
            ) from exc
        except plex_errors.NotFound as exc:
            raise NotFound(SERVICE, self._mask(f"not found on Plex ({exc})")) from exc
        except plex_errors.BadRequest as exc:
            match = _STATUS.match(str(exc))
            status = int(match.group(1)) if match else None
            if status is not None and status >= 500:
                self._forget()
                raise ServiceUnavailable(
                    SERVICE, f"Plex at {self.url} is not available (HTTP {status})"
                ) from exc
            raise ProviderError(SERVICE, self._mask(f"Plex refused the request: {exc}")) from exc
        except requests.exceptions.Timeout as exc:
            self._forget()
            raise ServiceUnavailable(
                SERVICE, f"Plex at {self.url} did not answer within {self.timeout_s:g} s"
            ) from exc
        except requests.exceptions.ConnectionError as exc:
            self._forget()
            raise ServiceUnavailable(SERVICE, f"Plex is not reachable at {self.url}") from exc
        except requests.exceptions.RequestException as exc:
            self._forget()
            raise ServiceUnavailable(
                SERVICE, self._mask(f"Plex request to {self.url} failed ({exc})")
            ) from exc
        except ParseError as exc:
            raise ProviderError(
                SERVICE, f"Plex at {self.url} sent a reply that is not XML"
            ) from exc

    def _mask(self, text: str) -> str:
        secret = self._token.get_secret_value()
        return text.replace(secret, "***") if secret else text

    def _forget(self) -> None:
        """Drop the cached connection so the next call reconnects (and re-reads sections)."""
        self._server = None
        self._section = None

    def _plex(self) -> PlexServer:
        if self._server is None:
            session = requests.Session()
            self._server = _QuietPlexServer(
                self.url, self._token.get_secret_value(), session=session, timeout=self.timeout_s
            )
        return self._server

    def _music(self) -> MusicSection:
        if self._section is not None:
            return self._section
        sections = [s for s in self._plex().library.sections() if s.type == "artist"]
        if self.music_section:
            wanted = self.music_section.strip().casefold()
            chosen = next((s for s in sections if s.title.strip().casefold() == wanted), None)
            if chosen is None:
                names = ", ".join(repr(s.title) for s in sections) or "none"
                raise NotFound(
                    SERVICE,
                    f"no music library named {self.music_section!r} on this Plex server "
                    f"(music libraries: {names}); set plex.music_section",
                )
        elif sections:
            chosen = sections[0]
        else:
            raise NotFound(SERVICE, "this Plex server has no music library")
        self._section = chosen
        return chosen

    # -- blocking operations (worker thread) ----------------------------------------------

    def _describe(self) -> str:
        server = self._plex()
        section = self._music()
        return f"{server.friendlyName} (Plex {server.version}), music library {section.title!r}"

    def _all_tracks(self) -> list[LibraryTrack]:
        # plexapi's own search builds a full Track object per row (about 0.3 ms
        # each: 15 s for 50k tracks), so the bulk read uses plexapi only for the
        # requests (auth, headers, errors) and reads the rows' attributes itself.
        started = time.monotonic()
        server = self._plex()
        key = f"/library/sections/{self._music().key}/all?type=10"
        tracks: dict[str, LibraryTrack] = {}
        start = 0
        while True:
            headers = {
                "X-Plex-Container-Start": str(start),
                "X-Plex-Container-Size": str(self.page_size),
            }
            page = server.query(key, headers=headers)
            rows = list(xml_children(page, "Track"))
            for row in rows:
                track = track_from_element(row)
                # setdefault: a track that moved between pages mid-read is kept once.
                tracks.setdefault(track.id, track)
            start += len(rows)
            total = int_attr(page, "totalSize") or int_attr(page, "size") or 0
            if not rows or start >= total:
                break
        log.info("read %d Plex tracks in %.1f s", len(tracks), time.monotonic() - started)
        return list(tracks.values())

    def _search_tracks(self, title: str, limit: int) -> list[LibraryTrack]:
        found = self._music().search(title=title, libtype="track", maxresults=limit)
        return [to_library_track(t) for t in found]

    def _list_playlists(self) -> list[RemotePlaylist]:
        found = self._plex().playlists(playlistType="audio")
        return [
            RemotePlaylist(
                id=str(p.ratingKey),
                title=p.title,
                summary=p.summary or "",
                added_at=p.addedAt.timestamp() if p.addedAt else None,
            )
            for p in found
            if not p.smart
        ]

    def _fetch_playlist(self, playlist_id: str) -> PlexPlaylist | None:
        key = _rating_key(playlist_id, "playlist")
        try:
            playlist = self._plex().fetchItem(f"/playlists/{key}", cls=PlexPlaylist)
        except plex_errors.NotFound:
            return None
        return playlist

    def _items(self, playlist_id: int) -> list[PlexTrack]:
        """The playlist's items, freshly read (plexapi caches ``Playlist.items()``)."""
        return list(
            self._plex().fetchItems(
                f"/playlists/{playlist_id}/items", container_size=self.page_size
            )
        )

    def _remote(self, playlist: PlexPlaylist) -> RemotePlaylist:
        items = self._items(playlist.ratingKey)
        return RemotePlaylist(
            id=str(playlist.ratingKey),
            title=playlist.title,
            item_ids=tuple(str(i.ratingKey) for i in items),
        )

    def _get_playlist(self, playlist_id: str) -> RemotePlaylist | None:
        playlist = self._fetch_playlist(playlist_id)
        return self._remote(playlist) if playlist is not None else None

    def _tracks_by_key(self, track_ids: Sequence[str]) -> dict[str, PlexTrack]:
        """Library tracks for ``track_ids``; NotFound naming the ids Plex does not have."""
        unique = list(dict.fromkeys(track_ids))
        keys = [_rating_key(t, "track") for t in unique]
        found: dict[str, PlexTrack] = {}
        for chunk in _chunks(keys, _KEYS_PER_REQUEST):
            try:
                items = self._plex().fetchItems(chunk)
            except plex_errors.NotFound:
                continue
            for item in items:
                if isinstance(item, PlexTrack):
                    found[str(item.ratingKey)] = item
        missing = [t for t in unique if t not in found]
        if missing:
            shown = ", ".join(missing[:10]) + (" …" if len(missing) > 10 else "")
            raise NotFound(
                SERVICE, f"{len(missing)} track(s) are not in the Plex library (ratingKeys {shown})"
            )
        return found

    def _add(self, playlist: PlexPlaylist, track_ids: Sequence[str]) -> None:
        by_key = self._tracks_by_key(track_ids)
        for chunk in _chunks(list(track_ids), _KEYS_PER_REQUEST):
            playlist.addItems([by_key[t] for t in chunk])

    def _set_summary(self, playlist: PlexPlaylist, summary: str) -> None:
        # PUT /playlists/{ratingKey}?summary=... as Plex Web does (plexapi's older
        # Playlist.edit(title, summary) sent the same request).
        server = self._plex()
        server.query(
            f"/playlists/{playlist.ratingKey}?{urlencode({'summary': summary})}",
            method=server._session.put,
        )

    def _create_playlist(
        self, title: str, track_ids: list[str], summary: str | None = None
    ) -> RemotePlaylist:
        if not title.strip():
            raise ProviderError(SERVICE, "a playlist needs a title")
        if not track_ids:
            # Plex has no way to create an empty regular playlist.
            raise ProviderError(SERVICE, f"cannot create the empty playlist {title!r} on Plex")
        by_key = self._tracks_by_key(track_ids)
        first, rest = track_ids[:_KEYS_PER_REQUEST], track_ids[_KEYS_PER_REQUEST:]
        playlist = self._plex().createPlaylist(title, items=[by_key[t] for t in first])
        if summary:
            self._set_summary(playlist, summary)
        if rest:
            self._add(playlist, rest)
        result = self._remote(playlist)
        _verify(result, track_ids)
        log.info("created Plex playlist %r (%d tracks)", title, len(track_ids))
        return result

    def _replace_items(self, playlist_id: str, track_ids: list[str]) -> RemotePlaylist:
        playlist = self._fetch_playlist(playlist_id)
        if playlist is None:
            raise NotFound(SERVICE, f"there is no playlist with id {playlist_id} on Plex")
        if playlist.smart:
            raise ProviderError(
                SERVICE, f"{playlist.title!r} is a smart playlist; Plex fills it itself"
            )
        server = self._plex()
        base = f"/playlists/{playlist.ratingKey}/items"
        current = [
            (str(i.playlistItemID), str(i.ratingKey)) for i in self._items(playlist.ratingKey)
        ]
        plan = plan_membership(current, track_ids)
        # Positions are addressed by playlistItemID, not through plexapi's
        # removeItems/moveItem: those look the id up by ratingKey and so hit
        # the wrong copy when a track is in the playlist twice.
        for item_id in plan.remove:
            server.query(f"{base}/{item_id}", method=server._session.delete)
        if plan.add:
            self._add(playlist, plan.add)
        items = [(str(i.playlistItemID), str(i.ratingKey)) for i in self._items(playlist.ratingKey)]
        try:
            wanted_items = assign_items(items, track_ids)
        except ValueError:
            # Plex dropped some of the added items (or someone edited the playlist meanwhile).
            _verify(
                RemotePlaylist(str(playlist.ratingKey), playlist.title, tuple(t for _, t in items)),
                track_ids,
            )
            raise
        moves = plan_moves([i for i, _ in items], wanted_items)
        for item_id, after in moves:
            suffix = f"?after={after}" if after is not None else ""
            server.query(f"{base}/{item_id}/move{suffix}", method=server._session.put)
        result = self._remote(playlist)
        _verify(result, track_ids)
        log.info(
            "updated Plex playlist %r: %d removed, %d added, %d moved",
            playlist.title,
            len(plan.remove),
            len(plan.add),
            len(moves),
        )
        return result

    def _delete_playlist(self, playlist_id: str) -> bool:
        playlist = self._fetch_playlist(playlist_id)
        if playlist is None:
            return False
        playlist.delete()
        return True

    def _scan(self, path: str | None, wait: bool, expect: tuple[str, ...] = ()) -> None:
        section = self._music()
        before = self._scan_state(str(section.key))
        section.update(path=path)
        log.info("asked Plex to scan %r%s", section.title, f" ({path})" if path else "")
        if not wait:
            return
        started = time.monotonic()
        asked_again = False
        seen_running = False
        next_file_check = started
        while True:
            running, scanned_at = self._scan_state(str(section.key))
            now = time.monotonic()
            if running:
                seen_running = True
            elif seen_running or scanned_at != before[1]:
                return
            elif expect and now >= next_file_check:
                # A bulk read: not every poll.
                next_file_check = now + max(5 * self.scan_poll_s, 2.0)
                if self._have_files(expect):
                    return
            if not seen_running and not asked_again and now - started > self.scan_start_grace_s:
                # Not started yet: Plex may have it queued behind other work, or dropped it.
                log.warning(
                    "Plex has not started the scan after %.0f s; asking again",
                    self.scan_start_grace_s,
                )
                section.update(path=path)
                asked_again = True
            if now - started > self.scan_timeout_s:
                what = "finish" if seen_running else "start"
                raise ProviderError(
                    SERVICE, f"Plex did not {what} scanning within {self.scan_timeout_s:g} s"
                )
            time.sleep(self.scan_poll_s)

    def _have_files(self, expect: tuple[str, ...]) -> bool:
        """True when the library lists a track for every expected file (by file name)."""
        return lists_every_file((t.path for t in self._all_tracks()), expect)

    def _library_version(self) -> str | None:
        key = str(self._music().key)
        for directory in xml_children(self._plex().query("/library/sections"), "Directory"):
            if directory.attrib.get("key") == key:
                stamps = ("updatedAt", "scannedAt", "contentChangedAt")
                return "/".join(directory.attrib.get(name, "") for name in stamps)
        return None

    def _scan_state(self, section_key: str) -> tuple[bool, str | None]:
        """(scanning?, scannedAt) from fresh ``/library/sections`` and ``/activities`` reads."""
        server = self._plex()
        sections = server.query("/library/sections")
        refreshing = False
        scanned_at: str | None = None
        for directory in xml_children(sections, "Directory"):
            if directory.attrib.get("key") == section_key:
                refreshing = directory.attrib.get("refreshing") == "1"
                scanned_at = directory.attrib.get("scannedAt")
        activities = server.query("/activities")
        for activity in xml_children(activities, "Activity"):
            kind = activity.attrib.get("type", "")
            if not kind.startswith(("library.update", "library.refresh")):
                continue
            contexts = list(xml_children(activity, "Context"))
            if not contexts or any(
                c.attrib.get("librarySectionID") == section_key for c in contexts
            ):
                refreshing = True
        return refreshing, scanned_at


def _verify(playlist: RemotePlaylist, wanted: Sequence[str]) -> None:
    verify_read_back(SERVICE, "Plex playlist", playlist, wanted)


def _rating_key(value: str, what: str) -> int:
    text = str(value).strip()
    if not text.isdigit():
        raise NotFound(SERVICE, f"{value!r} is not a Plex {what} id (ratingKey)")
    return int(text)


def _chunks(values: Sequence[_T], size: int) -> Iterator[list[_T]]:
    for start in range(0, len(values), size):
        yield list(values[start : start + size])
