"""Resolve a pasted link into tracks with full metadata, and queue them as a batch.

:func:`soulsync.providers.links.parse_link` says what a link is; this module
asks the right service for it:

* Spotify/Deezer tracks and albums through the metadata facade (as playlists
  are), playlists through the service's playlist source, artists as the
  tracks of their albums and singles;
* Deezer short links by following the redirect (``HEAD``, then ``GET`` if a
  server refuses ``HEAD``), then as the link they lead to;
* YouTube videos and playlists through the video-site port; each upload is read
  as "artist - title" and matched against the metadata facade with the one
  engine, so the file is tagged from the release, not from the upload's title.
  The download then goes straight to that upload (YouTube links go to YouTube);
* M3U/CSV URLs are fetched (at most 5 MB) and read like playlist files; each
  line is matched against the metadata facade the same way.

:meth:`LinkService.enqueue` puts the resolved tracks in the download queue as
one batch (playlist-track jobs: search, rank, download, tag, file), with the
source chain the caller picked.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from soulsync.domain import AlbumType, Source, Track, VideoCandidate
from soulsync.matching.score import score_track
from soulsync.matching.settings import DEFAULT_SETTINGS, MatchSettings
from soulsync.matching.video import rank_videos, video_as_track
from soulsync.providers.base import PlaylistSource, ProviderError
from soulsync.providers.links import Link, LinkKind, LinkService, UnsupportedLink, parse_link
from soulsync.providers.metadata import MetadataService
from soulsync.providers.playlist_files import (
    MAX_PLAYLIST_BYTES,
    PlaylistFileError,
    read_playlist_bytes,
    too_large,
)
from soulsync.providers.youtube import VideoSource
from soulsync.services.downloads import job_codec as codec
from soulsync.services.downloads.service import DownloadService

__all__ = [
    "LinkError",
    "LinkResolver",
    "ResolvedLink",
    "ResolvedTrack",
    "follow_redirects",
]

log = logging.getLogger(__name__)

_MAX_REDIRECTS = 5
_ARTIST_TRACK_CAP = 200


class LinkError(ValueError):
    """The link cannot be resolved; ``str()`` is a message for the user."""


@dataclass(frozen=True, slots=True)
class ResolvedTrack:
    """One track a link names; ``video`` is the upload to fetch for YouTube links."""

    track: Track
    video: VideoCandidate | None = None
    matched: bool = True  # False: no metadata match, the upload's own reading is used


@dataclass(frozen=True, slots=True)
class ResolvedLink:
    """What a link resolved to: a title and its tracks in order."""

    link: Link
    title: str
    tracks: tuple[ResolvedTrack, ...]
    source: str
    problems: tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_batch(self) -> bool:
        """True for albums, playlists, artists and files."""
        return self.link.is_batch


async def follow_redirects(client: httpx.AsyncClient, url: str) -> str:
    """The URL a short link leads to (``Location`` headers, at most five hops)."""
    current = url
    for _ in range(_MAX_REDIRECTS):
        try:
            response = await client.head(current, follow_redirects=False)
            if response.status_code in (405, 501):
                response = await client.get(current, follow_redirects=False)
        except httpx.HTTPError as exc:
            raise LinkError(f"could not open the short link {url}: {exc}") from exc
        location = response.headers.get("location")
        if not response.is_redirect or not location:
            return current
        current = str(response.url.join(location))
        if _is_final(current):
            # A page we can parse: no need to load it (it is the service's web page).
            return current
    raise LinkError(f"too many redirects from {url}")


def _is_final(url: str) -> bool:
    try:
        link = parse_link(url)
    except UnsupportedLink:
        return True
    return link is not None and link.kind is not LinkKind.SHORT


class LinkResolver:
    """Turns links into :class:`ResolvedLink` values and queues them."""

    def __init__(
        self,
        metadata: MetadataService,
        *,
        playlists: dict[Source, PlaylistSource] | None = None,
        video: VideoSource | None = None,
        http: httpx.AsyncClient | None = None,
        match: MatchSettings = DEFAULT_SETTINGS,
        max_file_bytes: int = MAX_PLAYLIST_BYTES,
    ) -> None:
        self.metadata = metadata
        # Playlist files behind links: the same cap as files and uploads.
        self.max_file_bytes = max_file_bytes
        self.playlists = playlists or {}
        self.video = video
        self.http = http
        self.match = match

    # -- resolving -----------------------------------------------------------------------

    async def resolve(self, text: str) -> ResolvedLink:
        """Resolve one link.

        Raises:
            LinkError: not a link, an unsupported kind, or the service failed.
        """
        try:
            link = parse_link(text)
        except UnsupportedLink as exc:
            raise LinkError(str(exc)) from exc
        if link is None:
            raise LinkError(f"not a link SoulSync knows: {text.strip()[:200]}")
        try:
            return await self._resolve(link)
        except ProviderError as exc:
            raise LinkError(f"{link.service} {link.kind} {link.id}: {exc.message}") from exc

    async def _resolve(self, link: Link) -> ResolvedLink:
        if link.kind is LinkKind.SHORT:
            target = await follow_redirects(self._client(), link.url)
            followed = parse_link(target)
            if followed is None or followed.kind is LinkKind.SHORT:
                raise LinkError(f"the short link {link.url} leads to {target}, not a Deezer page")
            resolved = await self._resolve(followed)
            return dataclasses.replace(resolved, link=followed)
        if link.service is LinkService.YOUTUBE:
            return await self._youtube(link)
        if link.service is LinkService.FILE:
            return await self._file(link)
        ref = f"{link.service}:{link.id}"
        if link.kind is LinkKind.TRACK:
            got = await self.metadata.get_track(ref)
            track = got.value
            return ResolvedLink(
                link,
                f"{track.display_artist} - {track.title}",
                (ResolvedTrack(track),),
                str(got.source),
            )
        if link.kind is LinkKind.ALBUM:
            album = await self.metadata.get_album(ref)
            tracks = tuple(ResolvedTrack(t) for t in album.value.tracks)
            title = f"{album.value.artist} - {album.value.title}"
            return ResolvedLink(link, title, tracks, str(album.source))
        if link.kind is LinkKind.PLAYLIST:
            source = Source(str(link.service))
            reader = self.playlists.get(source)
            if reader is None:
                raise LinkError(f"{source} playlists are not available (not set up)")
            playlist = await reader.get_playlist(link.id)
            if not playlist.readable:
                raise LinkError(
                    f"{source} will not show this playlist's tracks: {playlist.unreadable_reason}"
                )
            tracks = tuple(ResolvedTrack(t) for t in playlist.tracks)
            return ResolvedLink(link, playlist.name, tracks, str(source))
        return await self._artist(link, ref)

    async def _artist(self, link: Link, ref: str) -> ResolvedLink:
        artist = await self.metadata.get_artist(ref)
        releases = await self.metadata.artist_albums(ref)
        tracks: list[ResolvedTrack] = []
        seen: set[str] = set()
        for release in releases.value:
            if release.album_type is AlbumType.COMPILATION:
                continue
            album_ref = next((f"{s}:{i}" for s, i in release.ids.items() if i), None)
            if album_ref is None:
                continue
            full = await self.metadata.get_album(album_ref)
            for track in full.value.tracks:
                key = track.isrc or f"{track.title.casefold()}|{track.artist.casefold()}"
                if key not in seen:
                    seen.add(key)
                    tracks.append(ResolvedTrack(track))
            if len(tracks) >= _ARTIST_TRACK_CAP:
                break
        return ResolvedLink(link, artist.value.name, tuple(tracks), str(artist.source))

    async def _youtube(self, link: Link) -> ResolvedLink:
        if self.video is None:
            raise LinkError("YouTube is not set up (enable [youtube])")
        if link.kind is LinkKind.VIDEO:
            upload = await self.video.video(link.id)
            one = await self._match_upload(upload)
            title = f"{one.track.display_artist} - {one.track.title}"
            return ResolvedLink(link, title, (one,), "youtube", _unmatched([one]))
        uploads = await self.video.playlist(link.id)
        tracks = [await self._match_upload(u) for u in uploads]
        return ResolvedLink(
            link, f"YouTube playlist {link.id}", tuple(tracks), "youtube", _unmatched(tracks)
        )

    async def _match_upload(self, upload: VideoCandidate) -> ResolvedTrack:
        reading = video_as_track(upload)
        for found in await self._search(reading):
            # The engine's video rules decide: a live or sped-up upload is not the release.
            if rank_videos(found, [upload], self.match).best is not None:
                return ResolvedTrack(found, upload)
        return ResolvedTrack(reading, upload, matched=False)

    async def _search(self, reading: Track) -> list[Track]:
        query = f"{reading.artist} {reading.title}".strip()
        try:
            found = (await self.metadata.search_tracks(query, limit=10)).value
        except ProviderError as exc:
            log.warning("metadata search for %r failed: %s", query, exc)
            return []
        scored = [(score_track(t, reading, self.match).value, t) for t in found]
        return [t for s, t in sorted(scored, key=lambda p: -p[0])]

    async def _file(self, link: Link) -> ResolvedLink:
        raw = await self._fetch_bytes(link.url)
        fmt = "m3u" if link.kind is LinkKind.M3U else "csv"
        name = link.url.rstrip("/").rsplit("/", 1)[-1] or link.url
        try:
            result = read_playlist_bytes(
                raw, link.url, name=name, fmt=fmt, max_bytes=self.max_file_bytes
            )
        except PlaylistFileError as exc:
            raise LinkError(f"{link.url}: {exc}") from exc
        tracks: list[ResolvedTrack] = []
        for line in result.playlist.tracks:
            best = await self._best_metadata(line)
            tracks.append(ResolvedTrack(best or line, matched=best is not None))
        problems = tuple(str(i) for i in result.skipped) + _unmatched(tracks)
        return ResolvedLink(link, result.playlist.name, tuple(tracks), "file", problems)

    async def _best_metadata(self, line: Track) -> Track | None:
        for found in await self._search(line):
            if score_track(found, line, self.match).value >= self.match.accept_threshold:
                return found
        return None

    async def _fetch_bytes(self, url: str) -> bytes:
        """The file behind ``url``, refused past ``max_file_bytes`` (never held whole)."""
        client = self._client()
        try:
            async with client.stream("GET", url, follow_redirects=True) as response:
                if response.status_code >= 400:
                    raise LinkError(f"{url} answered HTTP {response.status_code}")
                chunks: list[bytes] = []
                size = 0
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > self.max_file_bytes:
                        raise LinkError(str(too_large(url, size, self.max_file_bytes)))
                    chunks.append(chunk)
        except httpx.HTTPError as exc:
            raise LinkError(f"could not fetch {url}: {exc}") from exc
        return b"".join(chunks)

    def _client(self) -> httpx.AsyncClient:
        if self.http is None:
            self.http = httpx.AsyncClient(timeout=20.0)
        return self.http

    async def aclose(self) -> None:
        """Close the HTTP client this resolver opened."""
        if self.http is not None:
            await self.http.aclose()
            self.http = None

    # -- queueing ------------------------------------------------------------------------

    @staticmethod
    async def enqueue(
        downloads: DownloadService,
        resolved: ResolvedLink,
        *,
        sources: Sequence[str] | None = None,
    ) -> tuple[str, list[int]]:
        """Queue every track of ``resolved`` as one batch; returns (batch id, job ids).

        A track that came with an upload (a YouTube link) is fetched from that
        upload and nothing else; the others walk ``sources`` (default: the
        queue's chain).
        """
        items: list[tuple[Track, dict[str, Any]]] = []
        for item in resolved.tracks:
            extra: dict[str, Any] = {"link": resolved.link.url}
            if item.video is not None:
                extra.update(sources=["youtube"], video=codec.video_to(item.video))
                extra["video_candidates"] = [extra["video"]]
            elif sources:
                extra["sources"] = list(sources)
            items.append((item.track, extra))
        return await downloads.enqueue_track_batch(items)


def _unmatched(tracks: Sequence[ResolvedTrack]) -> tuple[str, ...]:
    return tuple(
        f"no metadata match for {t.track.display_artist} - {t.track.title}; tagged from the upload"
        if t.video is not None
        else f"no metadata match for {t.track.display_artist} - {t.track.title}"
        for t in tracks
        if not t.matched
    )
