"""The browsing endpoints of the Plex simulator: metadata by ratingKey, children, hub search.

A mixin of :class:`~soulsync.sandbox.plex.PlexSimulator`: it uses the
simulator's ``state``, ``section``, ``scanned_at`` and its XML helpers, and is
split out only to keep each module about one thing (the section listing and
the scans stay in :mod:`soulsync.sandbox.plex`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import Response

from soulsync.sandbox import plex_query as pq
from soulsync.sandbox import plex_xml as px
from soulsync.sandbox.plex_http import HttpError, xml_response

if TYPE_CHECKING:
    from soulsync.sandbox.plex_library import PlexState, SimTrack


class BrowseEndpoints:
    """Metadata, children and hub-search routes; the host class provides state and XML helpers."""

    state: PlexState
    section: px.SectionInfo
    scanned_at: int

    # Provided by PlexSimulator.
    _track_xml: Callable[[SimTrack], str]
    _section_attrs: Callable[[], dict[str, object]]

    async def _metadata(self, request: Request) -> Response:
        raw = unquote(request.path_params["keys"])
        try:
            keys = [int(k) for k in raw.split(",") if k.strip()]
        except ValueError:
            raise HttpError(400, "Bad Request") from None
        rows: list[str] = []
        with self.state.lock:
            for key in keys:
                track = self.state.tracks.get(key)
                if track is not None:
                    rows.append(self._track_xml(track))
                    continue
                rows.extend(self._directory_for(key))
        if not rows:
            raise HttpError(404, "Not Found")
        return xml_response(
            px.container({"size": len(rows), **self._section_attrs()}, "".join(rows))
        )

    def _directory_for(self, key: int) -> list[str]:
        tracks = [t for t in self.state.sorted_tracks() if key in (t.artist_key, t.album_key)]
        if not tracks:
            return []
        first = tracks[0]
        if first.artist_key == key:
            return [px.artist_element(key, first.album_artist, self.section, self.scanned_at)]
        return [
            px.album_element(
                key,
                first.album,
                first.artist_key,
                first.album_artist,
                first.year,
                len(tracks),
                self.section,
            )
        ]

    async def _children(self, request: Request) -> Response:
        key = int(request.path_params["key"])
        with self.state.lock:
            tracks = self.state.sorted_tracks()
            album_tracks = [t for t in tracks if t.album_key == key]
            if album_tracks:
                rows = [self._track_xml(t) for t in album_tracks]
            else:
                albums: dict[int, list[SimTrack]] = {}
                for t in tracks:
                    if t.artist_key == key:
                        albums.setdefault(t.album_key, []).append(t)
                if not albums:
                    raise HttpError(404, "Not Found")
                rows = [
                    px.album_element(
                        k, ts[0].album, key, ts[0].album_artist, ts[0].year, len(ts), self.section
                    )
                    for k, ts in albums.items()
                ]
        start, size = pq.paging(request)
        page = rows[start : pq.end(start, size)]
        attrs = {
            "size": len(page),
            "totalSize": len(rows),
            "offset": start,
            **self._section_attrs(),
        }
        return xml_response(px.container(attrs, "".join(page)))

    async def _hub_search(self, request: Request) -> Response:
        query = (request.query_params.get("query") or "").strip().casefold()
        section_id = request.query_params.get("sectionId")
        if section_id is not None and section_id != str(self.section.key):
            return xml_response(px.container({"size": 0}))
        try:
            limit = int(request.query_params.get("limit") or 10)
        except ValueError:
            raise HttpError(400, "Bad Request") from None
        with self.state.lock:
            tracks = self.state.sorted_tracks()
            track_hits = [t for t in tracks if query and query in t.title.casefold()]
            artists: dict[int, str] = {}
            albums: dict[int, SimTrack] = {}
            for t in tracks:
                if query and query in t.album_artist.casefold():
                    artists.setdefault(t.artist_key, t.album_artist)
                if query and query in t.album.casefold():
                    albums.setdefault(t.album_key, t)
            hubs = [
                self._hub(
                    "artist",
                    "Artists",
                    [
                        px.artist_element(k, n, self.section, self.scanned_at)
                        for k, n in artists.items()
                    ],
                    limit,
                ),
                self._hub(
                    "album",
                    "Albums",
                    [
                        px.album_element(
                            k, t.album, t.artist_key, t.album_artist, t.year, 0, self.section
                        )
                        for k, t in albums.items()
                    ],
                    limit,
                ),
                self._hub("track", "Tracks", [self._track_xml(t) for t in track_hits], limit),
            ]
        return xml_response(px.container({"size": len(hubs)}, "".join(hubs)))

    def _hub(self, kind: str, title: str, rows: list[str], limit: int) -> str:
        shown = rows[:limit]
        return px.element(
            "Hub",
            {
                "title": title,
                "type": kind,
                "hubIdentifier": kind,
                "context": "",
                "size": len(shown),
                "more": "1" if len(rows) > limit else "0",
                "style": "shelf",
            },
            "".join(shown),
        )
