"""A small video site on 127.0.0.1 that real yt-dlp searches and downloads from.

It is shaped like YouTube where yt-dlp looks (the page embeds JSON the way
YouTube's pages embed ``ytInitialData`` and ``ytInitialPlayerResponse``), and
:mod:`soulsync.sandbox.videosite_ytdlp` holds the yt-dlp extractors that read
it, added through yt-dlp's own extension point:

* ``GET /results?search_query=`` — search results (title, channel, length,
  views), most viewed first among equally good word matches;
* ``GET /watch?v=ID`` — the watch page with the player response: video details
  and the adaptive formats, an audio-only AAC stream (itag 140) and a
  video-only stream (itag 137, never served: a client that asks for it gets
  403 and the request is counted in ``video_requests``);
* ``GET /playlist?list=ID`` — a playlist page;
* ``GET /videoplayback?v=ID&itag=140`` — the audio, with HTTP ranges (206),
  so yt-dlp can resume a ``.part`` file.

Knobs for tests: :meth:`VideoSite.fail_next` answers the next N stream
requests of a video with an HTTP error; ``rate_bytes_per_s`` slows streams
down so a download can be killed half-way; ``stream_log`` records every
stream request (video id, first byte asked for, time).
"""

from __future__ import annotations

import asyncio
import html
import json
import threading
import time
import unicodedata
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response, StreamingResponse
from starlette.routing import Route

from soulsync.sandbox.catalogue import Catalogue, build_catalogue
from soulsync.sandbox.media import AudioCache
from soulsync.sandbox.server import BackgroundServer
from soulsync.sandbox.videosite_uploads import Upload, build_uploads, upload_id

__all__ = ["PLAYLIST_ID", "StreamRequest", "VideoSite"]

# One public playlist: the first three release uploads of the road-trip playlist.
PLAYLIST_ID = "PLsandbox" + upload_id("playlist", "road-trip")[:8]
_AUDIO_ITAG = 140
_VIDEO_ITAG = 137
_CHUNK = 16 * 1024


@dataclass(frozen=True, slots=True)
class StreamRequest:
    """One request for an audio stream."""

    video_id: str
    start: int
    at: float  # time.monotonic()
    status: int


def _words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", text.casefold())
    clean = "".join(c if c.isalnum() else " " for c in folded if not unicodedata.combining(c))
    return clean.split()


class VideoSite:
    """The simulated video site; ``start()`` serves it on a free local port."""

    def __init__(self, catalogue: Catalogue | None = None, cache: AudioCache | None = None) -> None:
        self.catalogue = catalogue or build_catalogue()
        self.cache = cache or AudioCache()
        self.uploads: dict[str, Upload] = {u.id: u for u in build_uploads(self.catalogue)}
        self.rate_bytes_per_s: float | None = None
        self.stream_log: list[StreamRequest] = []
        self.video_requests = 0
        self.searches = 0
        self._failures: dict[str, tuple[int, int]] = {}
        self._lock = threading.Lock()
        self.app = Starlette(
            routes=[
                Route("/results", self._results),
                Route("/watch", self._watch),
                Route("/playlist", self._playlist),
                Route("/videoplayback", self._stream),
            ]
        )
        self._server = BackgroundServer(self.app, name="videosite")

    # -- lifecycle -------------------------------------------------------------------

    def start(self) -> VideoSite:
        """Start serving on a free 127.0.0.1 port."""
        self._server.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self._server.stop()

    @property
    def url(self) -> str:
        """Base URL, standing in for ``https://www.youtube.com``."""
        return self._server.url

    @property
    def watch_url(self) -> str:
        """The watch-page template SoulSync's ``[youtube] watch_url`` takes."""
        return self.url + "/watch?v={id}"

    @property
    def playlist_url(self) -> str:
        """The playlist-page template for ``[youtube] playlist_url``."""
        return self.url + "/playlist?list={id}"

    def __enter__(self) -> VideoSite:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- knobs ---------------------------------------------------------------------------

    def fail_next(self, video_id: str, count: int, status: int = 503) -> None:
        """Answer the next ``count`` stream requests of ``video_id`` with ``status``."""
        with self._lock:
            self._failures[video_id] = (count, status)

    def uploads_of(self, track_key: str) -> list[Upload]:
        """Every upload made from one catalogue recording."""
        return [u for u in self.uploads.values() if u.track_key == track_key]

    def upload(self, track_key: str, kind: str = "topic") -> Upload:
        """The upload of ``kind`` made from ``track_key``."""
        for found in self.uploads_of(track_key):
            if found.kind == kind:
                return found
        raise KeyError(f"no {kind} upload of {track_key}")

    # -- pages ---------------------------------------------------------------------------

    def _search(self, query: str) -> list[Upload]:
        words = _words(query)
        if not words:
            return []
        scored: list[tuple[int, Upload]] = []
        for upload in self.uploads.values():
            album = self.catalogue.album_of(self.catalogue.tracks[upload.track_key]).title
            hay = _words(" ".join([upload.title, upload.channel, album]))
            hits = sum(1 for w in words if any(h.startswith(w) for h in hay))
            # Like the real site: a loose match (half the words) is still a result.
            if hits and hits * 2 >= len(words):
                scored.append((hits, upload))
        scored.sort(key=lambda pair: (-pair[0], -pair[1].views))
        return [u for _, u in scored[:20]]

    @staticmethod
    def _page(var: str, data: dict[str, Any], title: str) -> HTMLResponse:
        blob = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
        body = (
            f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}"
            f"</title></head><body><script>var {var} = {blob};</script></body></html>"
        )
        return HTMLResponse(body)

    @staticmethod
    def _summary(upload: Upload) -> dict[str, Any]:
        return {
            "videoId": upload.id,
            "title": upload.title,
            "ownerText": upload.channel,
            "lengthSeconds": upload.length_seconds,
            "viewCount": upload.views,
            "verified": upload.verified,
        }

    async def _results(self, request: Request) -> Response:
        query = request.query_params.get("search_query", "")
        with self._lock:
            self.searches += 1
        found = self._search(query)
        data = {"query": query, "results": [self._summary(u) for u in found]}
        return self._page("ytInitialData", data, f"{query} - Sandbox video site")

    async def _watch(self, request: Request) -> Response:
        upload = self.uploads.get(request.query_params.get("v", ""))
        if upload is None:
            data: dict[str, Any] = {
                "playabilityStatus": {"status": "ERROR", "reason": "Video unavailable"}
            }
            return self._page("ytInitialPlayerResponse", data, "Video unavailable")
        path = await asyncio.to_thread(self.cache.ensure, upload.audio)
        size = path.stat().st_size
        data = {
            "playabilityStatus": {"status": "OK"},
            "videoDetails": {
                "videoId": upload.id,
                "title": upload.title,
                "author": upload.channel,
                "lengthSeconds": str(upload.length_seconds),
                "viewCount": str(upload.views),
            },
            "streamingData": {
                "adaptiveFormats": [
                    {
                        "itag": _VIDEO_ITAG,
                        "url": f"/videoplayback?v={upload.id}&itag={_VIDEO_ITAG}",
                        "mimeType": 'video/mp4; codecs="avc1.640028"',
                        "bitrate": 4_000_000,
                        "width": 1920,
                        "height": 1080,
                    },
                    {
                        "itag": _AUDIO_ITAG,
                        "url": f"/videoplayback?v={upload.id}&itag={_AUDIO_ITAG}",
                        "mimeType": 'audio/mp4; codecs="mp4a.40.2"',
                        "bitrate": 32_000,
                        "contentLength": str(size),
                    },
                ]
            },
        }
        return self._page("ytInitialPlayerResponse", data, upload.title)

    async def _playlist(self, request: Request) -> Response:
        if request.query_params.get("list") != PLAYLIST_ID:
            return self._page("ytInitialData", {"alerts": ["This playlist does not exist."]}, "")
        road = self.catalogue.playlists["road-trip"]
        entries: list[Upload] = []
        for item in road.items:
            if item.track_key is None:
                continue
            topic = [u for u in self.uploads_of(item.track_key) if u.kind == "topic"]
            entries.extend(topic)
            if len(entries) == 3:
                break
        data: dict[str, Any] = {"playlistId": PLAYLIST_ID, "title": "Road trip videos"}
        data["entries"] = [self._summary(u) for u in entries]
        return self._page("ytInitialData", data, "Road trip videos")

    # -- streams -------------------------------------------------------------------------

    async def _stream(self, request: Request) -> Response:
        upload = self.uploads.get(request.query_params.get("v", ""))
        if upload is None:
            return Response("no such video", status_code=404)
        if request.query_params.get("itag") != str(_AUDIO_ITAG):
            with self._lock:
                self.video_requests += 1
            return Response("video streams are not served here", status_code=403)
        start = _range_start(request.headers.get("range"))
        with self._lock:
            left, status = self._failures.get(upload.id, (0, 0))
            if left > 0:
                self._failures[upload.id] = (left - 1, status)
                self.stream_log.append(StreamRequest(upload.id, start, time.monotonic(), status))
                return Response("try again later", status_code=status)
        path = await asyncio.to_thread(self.cache.ensure, upload.audio)
        size = path.stat().st_size
        if start >= size > 0:
            return Response(status_code=416, headers={"Content-Range": f"bytes */{size}"})
        with self._lock:
            code = 206 if request.headers.get("range") else 200
            self.stream_log.append(StreamRequest(upload.id, start, time.monotonic(), code))
        headers = {
            "Accept-Ranges": "bytes",
            "Content-Length": str(size - start),
            "Content-Type": "audio/mp4",
        }
        if code == 206:
            headers["Content-Range"] = f"bytes {start}-{size - 1}/{size}"
        return StreamingResponse(
            self._chunks(path, start), status_code=code, headers=headers, media_type="audio/mp4"
        )

    async def _chunks(self, path: Path, start: int) -> AsyncIterator[bytes]:
        data = await asyncio.to_thread(path.read_bytes)
        position = start
        while position < len(data):
            chunk = data[position : position + _CHUNK]
            position += len(chunk)
            yield chunk
            rate = self.rate_bytes_per_s
            if rate:
                await asyncio.sleep(len(chunk) / rate)


def _range_start(header: str | None) -> int:
    """The first byte of a ``bytes=N-`` range (0 without one or for other forms)."""
    if not header or not header.startswith("bytes="):
        return 0
    first = header[6:].split(",")[0].split("-")[0].strip()
    return int(first) if first.isdigit() else 0
