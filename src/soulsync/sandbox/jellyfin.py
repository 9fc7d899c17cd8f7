"""A Jellyfin server simulator (the music parts of its HTTP API) on a real local port.

Shapes follow Jellyfin's own source (github.com/jellyfin/jellyfin):

* ``Jellyfin.Api/Controllers/PlaylistsController.cs`` - ``POST /Playlists``
  (JSON ``CreatePlaylistDto`` body; the query form is obsolete) answers
  ``PlaylistCreationResult {Id}``; ``POST /Playlists/{id}`` with ``Ids``
  clears the playlist and re-adds in that order (204); ``POST
  /Playlists/{id}/Items?ids=`` (204); ``POST /Playlists/{id}/Items/{itemId}/Move/{newIndex}``
  (204); ``DELETE /Playlists/{id}/Items?entryIds=`` (204); ``GET
  /Playlists/{id}/Items`` a ``QueryResult<BaseItemDto>`` whose entries carry
  ``PlaylistItemId``.
* ``Emby.Server.Implementations/Playlists/PlaylistManager.cs`` - adding skips
  items already in the playlist ("Ignored adding duplicate items"), so a
  Jellyfin playlist holds a track once; entry ids are the item ids in "N"
  format; ``MoveItemAsync`` computes the insert position from the item before
  the new index, and appends when ``newIndex`` is past the end. The
  simulator reproduces that computation, quirks included (moving an item to
  index 0 lands it at index 1), so clients must read back and verify.
* ``QueryResult`` is ``{Items, TotalRecordCount, StartIndex}``; an audio
  ``BaseItemDto`` has ``Name, Id, Type:"Audio", Album, AlbumId, AlbumArtist,
  Artists, ArtistItems, IndexNumber, ParentIndexNumber, RunTimeTicks``
  (100 ns), ``ProductionYear`` and, only when ``Fields`` asks, ``Path`` and
  ``ProviderIds``.
* Auth is ``Authorization: MediaBrowser Token="…"`` (an API key or a user's
  access token from ``POST /Users/AuthenticateByName``). Jellyfin 12 turned
  the legacy ``X-Emby-Token`` / ``api_key=`` forms off by default; they are
  refused here too. An API key has no user, so user-scoped calls need ``userId``.
* Scans: ``POST /Library/Refresh`` and ``POST /Library/Media/Updated``
  (``{Updates:[{Path, UpdateType}]}``) answer 204 at once; ``GET
  /ScheduledTasks`` lists the task with ``Key: "RefreshLibrary"`` whose
  ``State`` is ``Running`` while the scan runs, then ``Idle``.

Query parameter names are matched case-insensitively, as ASP.NET binds them.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from soulsync.sandbox.media_sim import LibrarySimulator
from soulsync.sandbox.plex_library import SimTrack

DEFAULT_API_KEY = "sandbox-jellyfin-api-key"
_TOKEN = re.compile(r'Token="([^"]*)"')
_TICKS_PER_MS = 10_000


def guid(kind: str, key: int | str) -> str:
    """A stable Jellyfin-style id ("N" format: 32 lowercase hex digits)."""
    return hashlib.md5(f"jellyfin:{kind}:{key}".encode()).hexdigest()


@dataclass
class JellyfinPlaylist:
    """A playlist: its owner and its items (library track keys, each at most once)."""

    id: str
    name: str
    owner: str
    keys: list[int] = field(default_factory=list)
    public: bool = False


class _Problem(Exception):
    def __init__(self, status: int, message: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class JellyfinSimulator(LibrarySimulator):
    """A simulated Jellyfin server with one music library over ``library_dirs``."""

    server_name = "jellyfin"

    def __init__(
        self,
        library_dirs: list[Path],
        api_key: str = DEFAULT_API_KEY,
        *,
        username: str = "soulsync",
        password: str = "sandbox-password",
        server_name: str = "SoulSync Sandbox Jellyfin",
        version: str = "10.11.2",
        library_name: str = "Music",
        **scan: Any,
    ) -> None:
        super().__init__(library_dirs, **scan)
        self.api_key = api_key
        self.username = username
        self.password = password
        self.friendly_name = server_name
        self.version = version
        self.library_name = library_name
        self.server_id = guid("server", "|".join(str(d) for d in self.library_dirs))
        self.user_id = guid("user", username)
        self.library_id = guid("library", library_name)
        self.user_tokens: dict[str, str] = {}  # access token -> user id
        self.playlists: dict[str, JellyfinPlaylist] = {}
        self.last_task_end: str | None = None
        self.media_updates: list[dict[str, Any]] = []
        self._by_guid: dict[str, int] = {}
        self._playlist_counter = 0

    # -- ids ------------------------------------------------------------------------------

    def track_id(self, track: SimTrack) -> str:
        """The Jellyfin id of a library track."""
        item_id = guid("audio", track.rating_key)
        self._by_guid[item_id] = track.rating_key
        return item_id

    def _track(self, item_id: str) -> SimTrack | None:
        key = self._by_guid.get(item_id.replace("-", "").lower())
        if key is None:
            # Ids are handed out when a track is listed; map the rest on demand.
            for track in list(self.state.tracks.values()):
                self.track_id(track)
            key = self._by_guid.get(item_id.replace("-", "").lower())
        return self.state.tracks.get(key) if key is not None else None

    # -- the app ------------------------------------------------------------------------

    def build_app(self) -> Any:
        """Routes behind an auth check (``/System/Info/Public`` and login are open)."""
        routes = [
            Route("/System/Info/Public", self._public_info, methods=["GET"]),
            Route("/Users/AuthenticateByName", self._login, methods=["POST"]),
            Route("/System/Info", self._info, methods=["GET"]),
            Route("/Users", self._users, methods=["GET"]),
            Route("/Users/Me", self._me, methods=["GET"]),
            Route("/Library/VirtualFolders", self._virtual_folders, methods=["GET"]),
            Route("/Items", self._items, methods=["GET"]),
            Route("/Items/{item_id}", self._delete_item, methods=["DELETE"]),
            Route("/Playlists", self._create, methods=["POST"]),
            Route("/Playlists/{pid}", self._playlist, methods=["GET", "POST"]),
            Route(
                "/Playlists/{pid}/Items",
                self._playlist_items,
                methods=["GET", "POST", "DELETE"],
            ),
            Route(
                "/Playlists/{pid}/Items/{item_id}/Move/{new_index:int}",
                self._move,
                methods=["POST"],
            ),
            Route("/Library/Refresh", self._refresh, methods=["POST"]),
            Route("/Library/Media/Updated", self._media_updated, methods=["POST"]),
            Route("/ScheduledTasks", self._tasks, methods=["GET"]),
        ]
        open_paths = {"/System/Info/Public", "/Users/AuthenticateByName"}
        wrapped = [
            Route(r.path, self._guard(r.endpoint, r.path in open_paths), methods=r.methods)
            for r in routes
        ]
        return Starlette(routes=wrapped)

    def _guard(
        self, handler: Callable[[Request], Awaitable[Response]], public: bool
    ) -> Callable[[Request], Awaitable[Response]]:
        async def run(request: Request) -> Response:
            self.requests[f"{request.method} {request.url.path}"] += 1
            if self.down:
                return Response("Service Unavailable", 503)
            if not public:
                user = self._auth(request)
                if user is None:
                    return Response("Unauthorized", 401)
                request.state.user_id = user
            try:
                return await handler(request)
            except _Problem as exc:
                return Response(exc.message, exc.status, media_type="text/plain")

        return run

    def _auth(self, request: Request) -> str | None:
        """The calling user's id ("" for the API key), or None when not authorised."""
        header = request.headers.get("authorization", "")
        match = _TOKEN.search(header) if header.startswith("MediaBrowser") else None
        if match is None:
            return None
        token = match.group(1)
        if token == self.api_key:
            return ""
        return self.user_tokens.get(token)

    # -- helpers --------------------------------------------------------------------------

    @staticmethod
    def _query(request: Request) -> dict[str, str]:
        return {k.lower(): v for k, v in request.query_params.items()}

    def _user_for(self, request: Request, given: str | None) -> str:
        """RequestHelpers.GetUserId: the token's user, or the given id for an API key."""
        caller: str = request.state.user_id
        if caller:
            return caller
        if given and given.replace("-", "").lower() == self.user_id:
            return self.user_id
        raise _Problem(400, "userId is required when authenticating with an API key")

    def _playlist_for(self, pid: str, user: str) -> JellyfinPlaylist:
        playlist = self.playlists.get(pid.replace("-", "").lower())
        if playlist is None or (playlist.owner != user and not playlist.public):
            raise _Problem(404, "Playlist not found")
        return playlist

    def _audio_dto(self, track: SimTrack, fields: set[str]) -> dict[str, Any]:
        artists = [a.strip() for a in track.track_artist.split(" & ") if a.strip()]
        dto: dict[str, Any] = {
            "Name": track.title,
            "ServerId": self.server_id,
            "Id": self.track_id(track),
            "Type": "Audio",
            "MediaType": "Audio",
            "IsFolder": False,
            "Container": track.container,
            "Album": track.album,
            "AlbumId": guid("album", track.album_key),
            "AlbumArtist": track.album_artist,
            "AlbumArtists": [{"Name": track.album_artist, "Id": guid("artist", track.artist_key)}],
            "Artists": artists,
            "ArtistItems": [{"Name": a, "Id": guid("artist", a)} for a in artists],
            "IndexNumber": track.index,
            "ParentIndexNumber": track.disc,
            "RunTimeTicks": (track.duration_ms or 0) * _TICKS_PER_MS,
            "ProductionYear": track.year,
        }
        if "path" in fields:
            dto["Path"] = track.file
        if "providerids" in fields:
            dto["ProviderIds"] = {}
        return dto

    @staticmethod
    def _fields(query: dict[str, str]) -> set[str]:
        return {f.strip().lower() for f in query.get("fields", "").split(",") if f.strip()}

    @staticmethod
    def _page(query: dict[str, str], total: int) -> tuple[int, int]:
        try:
            start = int(query.get("startindex", "0") or 0)
            limit = int(query["limit"]) if query.get("limit") else total
        except ValueError as exc:
            raise _Problem(400, "StartIndex and Limit must be integers") from exc
        return max(0, start), max(0, limit)

    def _ids(self, raw: str) -> list[str]:
        return [i.strip().replace("-", "").lower() for i in raw.split(",") if i.strip()]

    # -- system and users -------------------------------------------------------------

    async def _public_info(self, request: Request) -> Response:
        return JSONResponse(
            {
                "ServerName": self.friendly_name,
                "Version": self.version,
                "ProductName": "Jellyfin Server",
                "Id": self.server_id,
                "StartupWizardCompleted": True,
            }
        )

    async def _info(self, request: Request) -> Response:
        return JSONResponse(
            {
                "ServerName": self.friendly_name,
                "Version": self.version,
                "ProductName": "Jellyfin Server",
                "Id": self.server_id,
                "OperatingSystem": "Linux",
                "HasPendingRestart": False,
                "IsShuttingDown": False,
            }
        )

    def _user_dto(self) -> dict[str, Any]:
        return {
            "Name": self.username,
            "ServerId": self.server_id,
            "Id": self.user_id,
            "HasPassword": True,
            "Policy": {"IsAdministrator": True, "IsDisabled": False},
        }

    async def _users(self, request: Request) -> Response:
        if request.state.user_id:
            raise _Problem(403, "Forbidden")  # listing users needs elevation
        return JSONResponse([self._user_dto()])

    async def _me(self, request: Request) -> Response:
        if not request.state.user_id:
            raise _Problem(400, "This endpoint needs a user token")
        return JSONResponse(self._user_dto())

    async def _login(self, request: Request) -> Response:
        try:
            body = json.loads(await request.body() or b"{}")
        except ValueError as exc:
            raise _Problem(400, "invalid JSON") from exc
        if body.get("Username") != self.username or body.get("Pw") != self.password:
            return Response("Error processing request.", 401)
        token = hashlib.sha256(f"{time.time_ns()}".encode()).hexdigest()[:32]
        self.user_tokens[token] = self.user_id
        return JSONResponse(
            {"User": self._user_dto(), "AccessToken": token, "ServerId": self.server_id}
        )

    async def _virtual_folders(self, request: Request) -> Response:
        return JSONResponse(
            [
                {
                    "Name": self.library_name,
                    "Locations": [str(d) for d in self.library_dirs],
                    "CollectionType": "music",
                    "ItemId": self.library_id,
                }
            ]
        )

    # -- items ------------------------------------------------------------------------

    async def _items(self, request: Request) -> Response:
        query = self._query(request)
        kinds = {k.strip().lower() for k in query.get("includeitemtypes", "").split(",") if k}
        fields = self._fields(query)
        if kinds == {"playlist"}:
            user = self._user_for(request, query.get("userid"))
            found = [p for p in self.playlists.values() if p.owner == user or p.public]
            rows = [
                {
                    "Name": p.name,
                    "Id": p.id,
                    "Type": "Playlist",
                    "MediaType": "Audio",
                    "IsFolder": True,
                    "ChildCount": len(p.keys),
                }
                for p in found
            ]
            start, limit = self._page(query, len(rows))
            return JSONResponse(
                {
                    "Items": rows[start : start + limit],
                    "TotalRecordCount": len(rows),
                    "StartIndex": start,
                }
            )
        if kinds and kinds != {"audio"}:
            return JSONResponse({"Items": [], "TotalRecordCount": 0, "StartIndex": 0})
        parent = query.get("parentid", "").replace("-", "").lower()
        if parent and parent != self.library_id:
            raise _Problem(404, "Item not found")
        if query.get("recursive", "").lower() != "true" and not query.get("ids"):
            # Without Recursive only the library's direct children (artist folders) match.
            return JSONResponse({"Items": [], "TotalRecordCount": 0, "StartIndex": 0})
        tracks = self.state.sorted_tracks()
        if query.get("ids"):
            wanted = set(self._ids(query["ids"]))
            tracks = [t for t in tracks if self.track_id(t) in wanted]
        term = query.get("searchterm", "").casefold()
        if term:
            tracks = [t for t in tracks if term in t.title.casefold()]
        start, limit = self._page(query, len(tracks))
        rows = [self._audio_dto(t, fields) for t in tracks[start : start + limit]]
        return JSONResponse({"Items": rows, "TotalRecordCount": len(tracks), "StartIndex": start})

    async def _delete_item(self, request: Request) -> Response:
        item_id = request.path_params["item_id"].replace("-", "").lower()
        playlist = self.playlists.get(item_id)
        if playlist is None:
            raise _Problem(404, "Item not found")
        self._playlist_for(item_id, request.state.user_id or self.user_id)
        del self.playlists[item_id]
        return Response(status_code=204)

    # -- playlists --------------------------------------------------------------------

    def _add(self, playlist: JellyfinPlaylist, ids: list[str]) -> None:
        # PlaylistManager.AddToPlaylistInternal: unknown ids vanish, and items
        # already in the playlist (or repeated in this request) are skipped.
        existing = set(playlist.keys)
        for item_id in ids:
            track = self._track(item_id)
            if track is None or track.rating_key in existing:
                continue
            existing.add(track.rating_key)
            playlist.keys.append(track.rating_key)

    async def _create(self, request: Request) -> Response:
        query = self._query(request)
        raw = await request.body()
        try:
            body = json.loads(raw) if raw else {}
        except ValueError as exc:
            raise _Problem(400, "invalid JSON body") from exc
        ids = (
            self._ids(query["ids"])
            if query.get("ids")
            else [str(i).replace("-", "").lower() for i in body.get("Ids") or []]
        )
        name = query.get("name") or body.get("Name")
        user = self._user_for(request, query.get("userid") or body.get("UserId"))
        if not name:
            raise _Problem(400, "Name is required")
        self._playlist_counter += 1
        pid = guid("playlist", f"{name}:{self._playlist_counter}:{time.time_ns()}")
        playlist = JellyfinPlaylist(pid, name, user, public=bool(body.get("IsPublic")))
        self.playlists[pid] = playlist
        self._add(playlist, ids)
        return JSONResponse({"Id": pid})

    async def _playlist(self, request: Request) -> Response:
        user = request.state.user_id or self.user_id
        playlist = self._playlist_for(request.path_params["pid"], user)
        if request.method == "GET":
            return JSONResponse(
                {
                    "OpenAccess": playlist.public,
                    "Shares": [],
                    "ItemIds": [guid("audio", k) for k in playlist.keys],
                }
            )
        try:
            body = json.loads(await request.body() or b"{}")
        except ValueError as exc:
            raise _Problem(400, "invalid JSON body") from exc
        if body.get("Ids") is not None:
            # PlaylistManager.UpdatePlaylist: clear, then add in the given order.
            playlist.keys = []
            self._add(playlist, [str(i).replace("-", "").lower() for i in body["Ids"]])
        if body.get("Name"):
            playlist.name = body["Name"]
        return Response(status_code=204)

    async def _playlist_items(self, request: Request) -> Response:
        query = self._query(request)
        if request.method == "DELETE":
            # RemoveItemFromPlaylist takes no userId: an API key acts as the administrator.
            user = request.state.user_id or self.user_id
        else:
            user = self._user_for(request, query.get("userid"))
        playlist = self._playlist_for(request.path_params["pid"], user)
        if request.method == "POST":
            self._add(playlist, self._ids(query.get("ids", "")))
            return Response(status_code=204)
        if request.method == "DELETE":
            gone = set(self._ids(query.get("entryids", "")))
            playlist.keys = [k for k in playlist.keys if guid("audio", k) not in gone]
            return Response(status_code=204)
        fields = self._fields(query)
        tracks = [self.state.tracks[k] for k in playlist.keys if k in self.state.tracks]
        start, limit = self._page(query, len(tracks))
        rows = []
        for track in tracks[start : start + limit]:
            dto = self._audio_dto(track, fields)
            dto["PlaylistItemId"] = dto["Id"]
            rows.append(dto)
        return JSONResponse({"Items": rows, "TotalRecordCount": len(tracks), "StartIndex": start})

    async def _move(self, request: Request) -> Response:
        user = request.state.user_id or self.user_id
        playlist = self._playlist_for(request.path_params["pid"], user)
        entry = request.path_params["item_id"].replace("-", "").lower()
        new_index: int = request.path_params["new_index"]
        ids = [guid("audio", k) for k in playlist.keys]
        if entry not in ids:
            return Response(status_code=204)  # the server logs a warning and does nothing
        old = ids.index(entry)
        if old == new_index:
            return Response(status_code=204)
        # PlaylistManager.MoveItemAsync, step by step.
        prior_index = new_index if new_index > old else max(new_index - 1, 0)
        if prior_index >= len(ids):
            raise _Problem(500, "Index was out of range")
        adjusted = ids.index(ids[prior_index]) + 1
        keys = list(playlist.keys)
        item = keys.pop(old)
        if new_index >= len(keys):
            keys.append(item)
        else:
            keys.insert(adjusted, item)
        playlist.keys = keys
        return Response(status_code=204)

    # -- scans --------------------------------------------------------------------------

    async def _refresh(self, request: Request) -> Response:
        self.request_scan(None)
        return Response(status_code=204)

    async def _media_updated(self, request: Request) -> Response:
        try:
            body = json.loads(await request.body() or b"{}")
        except ValueError as exc:
            raise _Problem(400, "invalid JSON body") from exc
        updates = body.get("Updates") or []
        if not isinstance(updates, list):
            raise _Problem(400, "Updates must be a list")
        self.media_updates.extend(updates)
        for update in updates:
            path = str(update.get("Path") or "")
            self.request_scan(self.folder_for(path) if path else None)
        return Response(status_code=204)

    async def _tasks(self, request: Request) -> Response:
        running = self.scanning
        ended = (
            datetime.fromtimestamp(self.last_scan_at, UTC).isoformat().replace("+00:00", "Z")
            if self.last_scan_at
            else None
        )
        task: dict[str, Any] = {
            "Name": "Scan Media Library",
            "State": "Running" if running else "Idle",
            "CurrentProgressPercentage": 50.0 if running else None,
            "Id": guid("task", "RefreshLibrary"),
            "Key": "RefreshLibrary",
            "Category": "Library",
            "IsHidden": False,
            "Description": "Scans your media library for new files and refreshes metadata.",
            "Triggers": [],
        }
        if ended is not None:
            task["LastExecutionResult"] = {
                "EndTimeUtc": ended,
                "Status": "Completed",
                "Name": "Scan Media Library",
                "Key": "RefreshLibrary",
                "Id": task["Id"],
            }
        other = {
            "Name": "Clean Cache Directory",
            "State": "Idle",
            "Id": guid("task", "DeleteCacheFiles"),
            "Key": "DeleteCacheFiles",
            "Category": "Maintenance",
            "IsHidden": False,
            "Triggers": [],
        }
        return JSONResponse([other, task])
