"""The one metadata facade the rest of the app calls (search, tracks, albums, artists).

It picks the source, falls back, and says who answered:

* **Free-text calls** (``search_*``, ``get_track_by_isrc``) go to Spotify when it
  is configured (logged in) and not cooling down, else to Deezer. If Spotify
  fails with :class:`CoolingDown`, :class:`ServiceUnavailable`,
  :class:`RateLimited` or :class:`AuthError`, the same call is answered by
  Deezer. An *empty* Spotify answer is an answer: no fallback.
* **Id calls** (``get_track``, ``get_album``, ``get_artist``, ``artist_albums``)
  go to the service the id belongs to. No cross-service fallback there: a
  Spotify album id means nothing to Deezer.

Every result is a :class:`Sourced` (``.value``, ``.source``, ``.fallback_reason``)
and :attr:`MetadataService.last_source` remembers the latest answerer.
Responses are cached by the clients themselves (SQLite, per service).

**Id scheme** (:func:`parse_ref`, :func:`qualified_id`): ``"<service>:<id>"``,
e.g. ``"spotify:4uLU6hMCjMI75M1A2tKUQC"`` or ``"deezer:3135556"``. Also accepted:
Spotify URIs (``spotify:album:ID``), ``open.spotify.com`` and ``deezer.com``
links, a bare 22-character base62 id (Spotify) or a bare number (Deezer).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from soulsync.domain import Album, Artist, Source, Track
from soulsync.providers.base import (
    AuthError,
    CoolingDown,
    MetadataSource,
    NotFound,
    PlaylistSource,
    ProviderError,
    RateLimited,
    ServiceUnavailable,
)
from soulsync.providers.deezer import DeezerClient
from soulsync.providers.musicbrainz import MusicBrainzClient, ReleaseGroup
from soulsync.providers.spotify import SpotifyClient

T = TypeVar("T")

# Failures after which the other service may answer the same question.
FALLBACK_ERRORS = (CoolingDown, ServiceUnavailable, RateLimited, AuthError)

_SPOTIFY_ID = re.compile(r"^[0-9A-Za-z]{22}$")
_SPOTIFY_URL = re.compile(r"open\.spotify\.com/(?:intl-[a-z-]+/)?(\w+)/([0-9A-Za-z]{22})")
_DEEZER_URL = re.compile(r"deezer\.com/(?:[a-z]{2}/)?(\w+)/(\d+)")


@dataclass(frozen=True, slots=True)
class Sourced(Generic[T]):
    """A result and the service that produced it."""

    value: T
    source: Source
    fallback_reason: str | None = None  # why the preferred service did not answer


@dataclass(frozen=True, slots=True)
class EntityRef:
    """A parsed id: which service, the service's own id, and the kind if the ref said so."""

    source: Source
    id: str
    kind: str | None = None

    def __str__(self) -> str:
        return f"{self.source}:{self.id}"


def parse_ref(ref: str) -> EntityRef:
    """Parse any accepted id form (see the module docstring); ``ValueError`` otherwise."""
    text = ref.strip()
    if match := _SPOTIFY_URL.search(text):
        return EntityRef(Source.SPOTIFY, match.group(2), match.group(1))
    if match := _DEEZER_URL.search(text):
        return EntityRef(Source.DEEZER, match.group(2), match.group(1))
    parts = text.split(":")
    if len(parts) == 3 and parts[0] == "spotify" and _SPOTIFY_ID.match(parts[2]):
        return EntityRef(Source.SPOTIFY, parts[2], parts[1])
    if len(parts) == 2 and parts[0] in (Source.SPOTIFY, Source.DEEZER) and parts[1]:
        return EntityRef(Source(parts[0]), parts[1])
    if text.isdigit():
        return EntityRef(Source.DEEZER, text)
    if _SPOTIFY_ID.match(text):
        return EntityRef(Source.SPOTIFY, text)
    raise ValueError(f"not a Spotify or Deezer id: {ref!r} (use 'spotify:ID' or 'deezer:ID')")


def qualified_id(entity: Track | Album | Artist) -> str | None:
    """``"spotify:ID"`` (preferred) or ``"deezer:ID"`` for a mapped entity, or None."""
    for source in (Source.SPOTIFY, Source.DEEZER):
        value = entity.ids.get(str(source))
        if value:
            return f"{source}:{value}"
    return None


class MetadataService:
    """Chooses Spotify or Deezer per call and records which one answered."""

    def __init__(
        self,
        spotify: SpotifyClient | None = None,
        deezer: DeezerClient | None = None,
        musicbrainz: MusicBrainzClient | None = None,
    ) -> None:
        self.spotify = spotify
        self.deezer = deezer
        self.musicbrainz = musicbrainz
        self.last_source: Source | None = None

    # -- choosing ------------------------------------------------------------------------

    def spotify_usable(self) -> tuple[bool, str | None]:
        """Whether Spotify may be asked now, and if not, why."""
        if self.spotify is None:
            return False, "Spotify is not configured"
        if not self.spotify.configured:
            return False, "Spotify is not logged in"
        current = self.spotify.cooldown.current()
        if current is not None:
            return False, f"Spotify is cooling down ({current.reason})"
        return True, None

    async def _either(
        self,
        on_spotify: Callable[[SpotifyClient], Awaitable[T]],
        on_deezer: Callable[[DeezerClient], Awaitable[T]],
    ) -> Sourced[T]:
        usable, why = self.spotify_usable()
        if usable and self.spotify is not None:
            try:
                return self._done(await on_spotify(self.spotify), Source.SPOTIFY, None)
            except FALLBACK_ERRORS as exc:
                why = str(exc)
                if self.deezer is None:
                    raise
        if self.deezer is None:
            raise ServiceUnavailable("metadata", f"no metadata source available: {why}")
        return self._done(await on_deezer(self.deezer), Source.DEEZER, why)

    def _done(self, value: T, source: Source, why: str | None) -> Sourced[T]:
        self.last_source = source
        return Sourced(value, source, why)

    async def _by_ref(
        self,
        ref: str,
        on_spotify: Callable[[SpotifyClient, str], Awaitable[T]],
        on_deezer: Callable[[DeezerClient, str], Awaitable[T]],
    ) -> Sourced[T]:
        parsed = parse_ref(ref)
        if parsed.source is Source.SPOTIFY:
            if self.spotify is None:
                raise ProviderError("spotify", "Spotify is not configured")
            return self._done(await on_spotify(self.spotify, parsed.id), Source.SPOTIFY, None)
        if self.deezer is None:
            raise ProviderError("deezer", "Deezer is disabled")
        return self._done(await on_deezer(self.deezer, parsed.id), Source.DEEZER, None)

    # -- searches --------------------------------------------------------------------------

    async def search_tracks(self, query: str, limit: int = 10) -> Sourced[list[Track]]:
        """Tracks for a free-text query."""
        return await self._either(
            lambda s: s.search_tracks(query, limit), lambda d: d.search_tracks(query, limit)
        )

    async def search_artists(self, query: str, limit: int = 10) -> Sourced[list[Artist]]:
        """Artists for a free-text query."""
        return await self._either(
            lambda s: s.search_artists(query, limit), lambda d: d.search_artists(query, limit)
        )

    async def search_albums(self, query: str, limit: int = 10) -> Sourced[list[Album]]:
        """Releases for a free-text query."""
        return await self._either(
            lambda s: s.search_albums(query, limit), lambda d: d.search_albums(query, limit)
        )

    async def get_track_by_isrc(self, isrc: str) -> Sourced[Track | None]:
        """The track carrying ``isrc`` (Spotify ``isrc:`` search, Deezer ``/track/isrc:``)."""

        async def spotify(s: SpotifyClient) -> Track | None:
            found = await s.search_tracks(f"isrc:{isrc}", limit=1)
            return found[0] if found else None

        async def deezer(d: DeezerClient) -> Track | None:
            try:
                return await d.get_track_by_isrc(isrc)
            except NotFound:
                return None

        return await self._either(spotify, deezer)

    async def release_groups(self, artist: str, album: str) -> list[ReleaseGroup] | None:
        """MusicBrainz release groups for (artist, album), best first; None if not configured.

        Only MusicBrainz knows whether a release is live, a remix album or a
        DJ mix (its release-group secondary types); Spotify and Deezer only
        say album, single, EP or compilation (:meth:`search_albums`).
        """
        if self.musicbrainz is None:
            return None
        return await self.musicbrainz.search_release_groups(artist, album)

    # -- lookups by id ---------------------------------------------------------------------------

    async def get_track(self, ref: str) -> Sourced[Track]:
        """One track by ``"spotify:ID"`` / ``"deezer:ID"`` (or any form :func:`parse_ref` takes)."""
        return await self._by_ref(ref, lambda s, i: s.get_track(i), lambda d, i: d.get_track(i))

    async def get_album(self, ref: str) -> Sourced[Album]:
        """One release with its tracklist."""
        return await self._by_ref(ref, lambda s, i: s.get_album(i), lambda d, i: d.get_album(i))

    async def get_artist(self, ref: str) -> Sourced[Artist]:
        """One artist with an image URL."""
        return await self._by_ref(ref, lambda s, i: s.get_artist(i), lambda d, i: d.get_artist(i))

    async def artist_albums(self, ref: str, limit: int = 50) -> Sourced[list[Album]]:
        """An artist's releases (without tracklists)."""
        return await self._by_ref(
            ref,
            lambda s, i: s.artist_albums(i, limit),
            lambda d, i: d.artist_albums(i, limit),
        )


def _conforms(
    spotify: SpotifyClient, deezer: DeezerClient
) -> tuple[MetadataSource, MetadataSource, PlaylistSource, PlaylistSource]:
    # Never called: mypy checks here that both clients satisfy the protocols.
    return spotify, deezer, spotify, deezer
