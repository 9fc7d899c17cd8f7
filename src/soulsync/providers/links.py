"""Recognise a pasted link: which service, what kind of thing, which id. Pure, no I/O.

Accepted forms (what people copy from apps and browsers in 2026):

* Spotify: ``https://open.spotify.com/{track,album,playlist,artist}/ID`` with
  an optional ``intl-xx`` locale segment, an ``/embed`` prefix and any query
  string (``?si=…``); URIs ``spotify:{kind}:ID`` and the old
  ``spotify:user:NAME:playlist:ID``.
* Deezer: ``https://www.deezer.com[/xx]/{track,album,playlist,artist}/N`` and
  the share short links ``https://deezer.page.link/…`` and
  ``https://link.deezer.com/s/…``, which only a redirect can resolve (kind
  ``short``; see :func:`soulsync.services.links.follow_redirects`).
* YouTube and YouTube Music: ``youtube.com/watch?v=ID`` (``www.``, ``m.``,
  ``music.``), ``youtu.be/ID``, ``/shorts/ID``, ``/embed/ID``, ``/live/ID``
  and playlists ``/playlist?list=ID``. A watch link that also names a list is
  the video (the list is the page it was played from).
* Any other ``http(s)`` URL whose path ends in ``.m3u``, ``.m3u8`` or ``.csv``
  is a playlist file to fetch.

:func:`parse_link` returns None for text that is not a link at all (so a
search box can fall back to a text search) and raises :class:`UnsupportedLink`
for a recognised service whose page kind we cannot download (a podcast episode).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

__all__ = ["Link", "LinkKind", "LinkService", "UnsupportedLink", "looks_like_link", "parse_link"]


class LinkService(enum.StrEnum):
    """Who a link belongs to."""

    SPOTIFY = "spotify"
    DEEZER = "deezer"
    YOUTUBE = "youtube"
    FILE = "file"  # a plain M3U/CSV URL


class LinkKind(enum.StrEnum):
    """What a link points at."""

    TRACK = "track"
    ALBUM = "album"
    PLAYLIST = "playlist"
    ARTIST = "artist"
    VIDEO = "video"
    SHORT = "short"  # a Deezer short link: follow the redirect, then parse again
    M3U = "m3u"
    CSV = "csv"


class UnsupportedLink(ValueError):
    """A link of a known service that names nothing SoulSync can download."""


@dataclass(frozen=True, slots=True)
class Link:
    """A recognised link. ``id`` is the service's own id (the URL for files and short links)."""

    service: LinkService
    kind: LinkKind
    id: str
    url: str

    @property
    def is_batch(self) -> bool:
        """True when the link names many tracks (album, playlist, artist, file)."""
        return self.kind in (
            LinkKind.ALBUM,
            LinkKind.PLAYLIST,
            LinkKind.ARTIST,
            LinkKind.M3U,
            LinkKind.CSV,
        )


_SPOTIFY_KINDS = {"track", "album", "playlist", "artist"}
_DEEZER_KINDS = {"track", "album", "playlist", "artist"}
_SPOTIFY_ID = re.compile(r"^[0-9A-Za-z]{22}$")
_YOUTUBE_ID = re.compile(r"^[0-9A-Za-z_-]{11}$")
_YOUTUBE_LIST = re.compile(r"^[0-9A-Za-z_-]{10,64}$")
_YOUTUBE_HOSTS = {"youtube.com", "m.youtube.com", "music.youtube.com", "youtube-nocookie.com"}
_DEEZER_SHORT_HOSTS = {"deezer.page.link", "link.deezer.com"}
_URI = re.compile(r"^spotify:(?:user:[^:\s]+:)?(?P<kind>[a-z]+):(?P<id>[0-9A-Za-z]+)$")


def looks_like_link(text: str) -> bool:
    """True for text a search box should treat as a link rather than words."""
    value = text.strip()
    return bool(re.match(r"^(?:https?://|spotify:|www\.|open\.spotify\.com/|youtu\.be/)", value))


def parse_link(text: str) -> Link | None:
    """The link in ``text``, or None if it is not one.

    Raises:
        UnsupportedLink: a Spotify/Deezer/YouTube link of a kind we cannot use.
    """
    value = text.strip()
    if not value or any(c.isspace() for c in value):
        return None
    if value.startswith("spotify:"):
        return _spotify_uri(value)
    if not re.match(r"^https?://", value, re.IGNORECASE):
        if not looks_like_link(value):
            return None
        value = "https://" + value
    parts = urlsplit(value)
    host = (parts.hostname or "").lower()
    bare = host.removeprefix("www.")
    segments = [s for s in parts.path.split("/") if s]
    if bare == "open.spotify.com" or bare == "play.spotify.com":
        return _spotify_url(value, segments)
    if bare in _DEEZER_SHORT_HOSTS:
        if not segments:
            raise UnsupportedLink(f"Deezer short link without a code: {text}")
        return Link(LinkService.DEEZER, LinkKind.SHORT, value, value)
    if bare == "deezer.com":
        return _deezer_url(value, segments)
    if bare in _YOUTUBE_HOSTS or bare == "youtu.be":
        return _youtube_url(value, bare, segments, parse_qs(parts.query))
    path = parts.path.lower()
    if path.endswith((".m3u", ".m3u8")):
        return Link(LinkService.FILE, LinkKind.M3U, value, value)
    if path.endswith(".csv"):
        return Link(LinkService.FILE, LinkKind.CSV, value, value)
    return None


def _spotify_uri(value: str) -> Link:
    match = _URI.match(value)
    if match is None or match.group("kind") not in _SPOTIFY_KINDS:
        raise UnsupportedLink(f"not a Spotify track, album, playlist or artist: {value}")
    if not _SPOTIFY_ID.match(match.group("id")):
        raise UnsupportedLink(f"not a Spotify id: {match.group('id')!r}")
    kind = LinkKind(match.group("kind"))
    return Link(LinkService.SPOTIFY, kind, match.group("id"), value)


def _spotify_url(value: str, segments: list[str]) -> Link:
    # /intl-de/track/ID, /embed/track/ID, /user/NAME/playlist/ID
    rest = [s for s in segments if not s.startswith("intl-") and s != "embed"]
    if len(rest) >= 4 and rest[0] == "user":
        rest = rest[2:]
    if len(rest) < 2 or rest[0] not in _SPOTIFY_KINDS:
        raise UnsupportedLink(f"not a Spotify track, album, playlist or artist link: {value}")
    if not _SPOTIFY_ID.match(rest[1]):
        raise UnsupportedLink(f"not a Spotify id: {rest[1]!r}")
    return Link(LinkService.SPOTIFY, LinkKind(rest[0]), rest[1], value)


def _deezer_url(value: str, segments: list[str]) -> Link:
    # /track/N or /en/track/N (a two-letter language segment first)
    rest = segments[1:] if segments and re.fullmatch(r"[a-z]{2}", segments[0]) else segments
    if len(rest) < 2 or rest[0] not in _DEEZER_KINDS or not rest[1].isdigit():
        raise UnsupportedLink(f"not a Deezer track, album, playlist or artist link: {value}")
    return Link(LinkService.DEEZER, LinkKind(rest[0]), rest[1], value)


def _youtube_url(value: str, host: str, segments: list[str], query: dict[str, list[str]]) -> Link:
    video: str | None = None
    if host == "youtu.be":
        video = segments[0] if segments else None
    elif segments[:1] == ["watch"]:
        video = (query.get("v") or [""])[0] or None
    elif len(segments) >= 2 and segments[0] in ("shorts", "embed", "live", "v"):
        video = segments[1]
    if video is not None:
        if not _YOUTUBE_ID.match(video):
            raise UnsupportedLink(f"not a YouTube video id: {video!r}")
        return Link(LinkService.YOUTUBE, LinkKind.VIDEO, video, value)
    if segments[:1] == ["playlist"]:
        listed = (query.get("list") or [""])[0]
        if not _YOUTUBE_LIST.match(listed):
            raise UnsupportedLink(f"not a YouTube playlist id: {listed!r}")
        return Link(LinkService.YOUTUBE, LinkKind.PLAYLIST, listed, value)
    raise UnsupportedLink(f"not a YouTube video or playlist link: {value}")
