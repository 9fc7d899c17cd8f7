"""The audio-playlist endpoints of the Plex simulator (create, list, items, add, remove, move).

A mixin of :class:`~soulsync.sandbox.plex.PlexSimulator`: it uses the
simulator's ``state``, ``machine_identifier``, ``ignore_playlist_adds`` and its
XML helpers, and is split out only to keep each module about one thing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response

from soulsync.sandbox import plex_query as pq
from soulsync.sandbox import plex_xml as px
from soulsync.sandbox.plex_http import HttpError, xml_response

if TYPE_CHECKING:
    from soulsync.sandbox.plex_library import PlexState, SimTrack

_ID_PREFIX = "com.plexapp.plugins.library/library/metadata/"


class PlaylistEndpoints:
    """Playlist routes; the host class provides the state and the XML helpers."""

    state: PlexState
    machine_identifier: str
    ignore_playlist_adds: bool

    # Provided by PlexSimulator.
    _track_xml: Callable[[SimTrack], str]
    _playlist_duration: Callable[[int], int]

    def _parse_uri(self, uri: str | None) -> list[int]:
        """Rating keys from ``server://<machine>/com.plexapp.plugins.library/library/metadata/1,2``."""
        if not uri:
            raise HttpError(400, "Bad Request")
        prefix = f"server://{self.machine_identifier}/"
        if not uri.startswith(prefix) or _ID_PREFIX not in uri:
            raise HttpError(400, "Bad Request")
        keys_part = uri.split(_ID_PREFIX, 1)[1]
        try:
            return [int(k) for k in keys_part.split(",") if k.strip()]
        except ValueError:
            raise HttpError(400, "Bad Request") from None

    def _playlist_container(self, pid: int) -> Response:
        playlist = self.state.playlists[pid]
        row = px.playlist_element(playlist, self._playlist_duration(pid))
        return xml_response(px.container({"size": 1}, row))

    async def _playlists(self, request: Request) -> Response:
        params = request.query_params
        if request.method == "POST":
            if params.get("smart", "0") != "0":
                raise HttpError(400, "Bad Request")  # smart playlists are not simulated
            if params.get("type") != "audio" or not params.get("title"):
                raise HttpError(400, "Bad Request")
            keys = self._parse_uri(params.get("uri"))
            playlist = self.state.create_playlist(params["title"], keys)
            return self._playlist_container(playlist.rating_key)
        kind = params.get("playlistType")
        title = (params.get("title") or "").casefold()
        with self.state.lock:
            rows = [
                px.playlist_element(p, self._playlist_duration(p.rating_key))
                for p in self.state.playlists.values()
                if (kind in (None, "audio")) and title in p.title.casefold()
            ]
        start, size = pq.paging(request)
        page = rows[start : pq.end(start, size)]
        return xml_response(
            px.container(
                {"size": len(page), "totalSize": len(rows), "offset": start}, "".join(page)
            )
        )

    def _known_playlist(self, request: Request) -> int:
        pid = int(request.path_params["pid"])
        if pid not in self.state.playlists:
            raise HttpError(404, "Not Found")
        return pid

    async def _playlist(self, request: Request) -> Response:
        pid = self._known_playlist(request)
        if request.method == "DELETE":
            with self.state.lock:
                del self.state.playlists[pid]
            return Response(status_code=204)
        if request.method == "PUT":
            with self.state.lock:
                playlist = self.state.playlists[pid]
                playlist.title = request.query_params.get("title", playlist.title)
                playlist.summary = request.query_params.get("summary", playlist.summary)
                playlist.updated_at = int(time.time())
        return self._playlist_container(pid)

    async def _playlist_items(self, request: Request) -> Response:
        pid = self._known_playlist(request)
        if request.method == "PUT":
            keys = self._parse_uri(request.query_params.get("uri"))
            added = 0 if self.ignore_playlist_adds else self.state.add_items(pid, keys)
            with self.state.lock:
                row = px.playlist_element(self.state.playlists[pid], self._playlist_duration(pid))
            return xml_response(
                px.container(
                    {"size": 1, "leafCountAdded": added, "leafCountRequested": len(keys)}, row
                )
            )
        if request.method == "DELETE":
            with self.state.lock:
                self.state.playlists[pid].items = []
            return self._playlist_container(pid)
        start, size = pq.paging(request)
        with self.state.lock:
            playlist = self.state.playlists[pid]
            items = playlist.items
            rows = [
                px.with_attrs(
                    self._track_xml(self.state.tracks[i.rating_key]), {"playlistItemID": i.item_id}
                )
                for i in items[start : pq.end(start, size)]
            ]
            attrs: dict[str, object] = {
                "size": len(rows),
                "totalSize": len(items),
                "offset": start,
                "composite": f"/playlists/{pid}/composite/{playlist.updated_at}",
                "duration": self._playlist_duration(pid) // 1000,
                "leafCount": len(items),
                "playlistType": "audio",
                "ratingKey": pid,
                "smart": "0",
                "title": playlist.title,
            }
        return xml_response(px.container(attrs, "".join(rows)))

    async def _playlist_item(self, request: Request) -> Response:
        pid = self._known_playlist(request)
        if not self.state.remove_item(pid, int(request.path_params["item"])):
            raise HttpError(404, "Not Found")
        return self._playlist_container(pid)

    async def _playlist_move(self, request: Request) -> Response:
        pid = self._known_playlist(request)
        after_raw = request.query_params.get("after")
        try:
            after = int(after_raw) if after_raw else None
        except ValueError:
            raise HttpError(400, "Bad Request") from None
        if not self.state.move_item(pid, int(request.path_params["item"]), after):
            raise HttpError(404, "Not Found")
        return self._playlist_container(pid)
