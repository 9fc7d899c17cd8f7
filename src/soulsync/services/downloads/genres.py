"""Genre tags for a filed track: the release's genres, else its artist's (cached).

Playlist tracks carry artist names without genres, and Spotify gives most
albums no genres at all, so files used to get no genre tag although the
artist page shows some ("french house, electronic"). The artist's genres are
looked up once through the metadata facade (a search by name, the exact
artist picked by the matching engine) and kept for a month.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Literal

from soulsync.matching.credits import compare_artists
from soulsync.matching.normalize import ascii_key
from soulsync.providers.base import ProviderError
from soulsync.store import Store

log = logging.getLogger(__name__)

GenreMode = Literal["release_or_artist", "release", "off"]
CACHE = "tags.artist_genres"
TTL_S = 30 * 24 * 3600
# A search hit counts as the artist only when the names agree this well.
SAME_ARTIST = 0.95


class ArtistGenres:
    """An artist's genres by name, through ``metadata.search_artists`` (cached in the store)."""

    def __init__(self, metadata: Any, store: Store, *, ttl_s: float = TTL_S) -> None:
        self.metadata = metadata
        self.store = store
        self.ttl_s = ttl_s

    async def for_artist(self, name: str) -> tuple[str, ...]:
        """The genres the metadata source gives ``name`` (empty when unknown or unreachable)."""
        key = ascii_key(name, drop_the=True)
        if not key:
            return ()
        cached = self.store.cache_get(CACHE, key)
        if cached is not None:
            return tuple(str(g) for g in json.loads(cached))
        try:
            found = await self.metadata.search_artists(name, limit=5)
        except ProviderError as exc:
            # Not cached: the next file tries again.
            log.info("no genres for %s: %s", name, exc)
            return ()
        artists = getattr(found, "value", found)
        genres: tuple[str, ...] = ()
        for artist in artists:
            if compare_artists([name], artist.name).similarity >= SAME_ARTIST:
                genres = tuple(g for g in artist.genres if g)
                break
        self.store.cache_put(CACHE, key, json.dumps(list(genres)), ttl_s=self.ttl_s)
        return genres


async def genres_to_write(
    mode: GenreMode,
    release_genres: tuple[str, ...],
    artist: str,
    lookup: ArtistGenres | None,
) -> tuple[str, ...]:
    """The genre tag values for a file under ``mode`` (the ``downloads.genre_tags`` switch)."""
    if mode == "off":
        return ()
    if release_genres or mode == "release" or lookup is None or not artist:
        return release_genres
    return await lookup.for_artist(artist)
