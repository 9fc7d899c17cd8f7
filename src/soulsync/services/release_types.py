"""Release types for matching: which candidate folders hold a live or remix release.

The matching engine cannot know that "At Budokan" is a live album; metadata
services can. This service answers :class:`~soulsync.matching.releases.ReleaseQuery`
lists (from :func:`~soulsync.matching.rank.releases_to_check`: the wanted
album and the folders of otherwise-acceptable candidates) with
:class:`~soulsync.matching.releases.ReleaseFacts`:

1. the SQLite cache (table ``release_types``), answers kept for ``ttl_s``;
2. MusicBrainz release-group types through the metadata facade (the only
   source that knows Live, Remix, DJ-mix, Demo), paced at 1 request/s;
3. failing that, Spotify ``album_type`` / Deezer ``record_type`` from an
   album search (Album, Single, EP, Compilation), which at least tells a
   compilation from an album.

Offline or when every source fails, the answer is empty facts: matching
behaves as it did without release knowledge, and nothing is cached, so the
next search asks again.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Sequence

import sqlalchemy as sa

from soulsync.domain import AlbumType, Track
from soulsync.matching.index import LibraryIndex, owned_releases_to_check
from soulsync.matching.releases import (
    ReleaseFacts,
    ReleaseInfo,
    ReleaseQuery,
    choose_release,
    release_key_parts,
)
from soulsync.providers.base import ProviderError
from soulsync.providers.metadata import MetadataService
from soulsync.store import Store, schema

__all__ = ["ReleaseTypeService"]

log = logging.getLogger(__name__)

_ALBUM_TYPE_WORDS = {
    AlbumType.ALBUM: ("Album",),
    AlbumType.SINGLE: ("Single",),
    AlbumType.EP: ("EP",),
    AlbumType.COMPILATION: ("Album", "Compilation"),
}
_SOURCE_NAMES = {"musicbrainz": "MusicBrainz", "spotify": "Spotify", "deezer": "Deezer"}


class ReleaseTypeService:
    """Looks release types up, caches them, and hands them to matching as data."""

    def __init__(
        self,
        store: Store,
        metadata: MetadataService,
        *,
        ttl_s: float = 90 * 86400.0,
        max_lookups: int = 6,
    ) -> None:
        self.store = store
        self.metadata = metadata
        self.ttl_s = ttl_s
        self.max_lookups = max_lookups
        self.lookups = 0  # answers fetched from a service (not the cache)

    async def facts_for(
        self, queries: Sequence[ReleaseQuery], *, limit: int | None = None
    ) -> ReleaseFacts:
        """Known release types for ``queries`` (at most ``limit``, default ``max_lookups``)."""
        entries: list[tuple[str | None, str, ReleaseInfo]] = []
        for query in list(queries)[: self.max_lookups if limit is None else limit]:
            info = await self._info(query)
            if info is not None and info.types:
                entries.append((query.artist, query.album, info))
        return ReleaseFacts.of(entries)

    async def facts_for_library(
        self, index: LibraryIndex, tracks: Sequence[Track], *, limit: int = 20
    ) -> ReleaseFacts | None:
        """Release types of the albums that decide these tracks' library verdicts.

        The rule every library check shares (a sync, the "fix this match"
        list, link badges, ``soulsync library find``): a first pass without
        facts finds the tracks owned from another album than the wanted one,
        and only those albums are looked up (cached, paced, at most
        ``limit``). None when nothing needs looking up; offline, empty facts,
        so the verdicts are what they were without release knowledge.
        """
        if not tracks:
            return None
        matches = await asyncio.to_thread(index.check_many, list(tracks))
        queries = owned_releases_to_check(matches, limit=limit)
        if not queries:
            return None
        return await self.facts_for(queries, limit=len(queries))

    async def _info(self, query: ReleaseQuery) -> ReleaseInfo | None:
        cached = await asyncio.to_thread(self._cache_get, query)
        if cached is not None:
            return cached
        found = await self._ask_musicbrainz(query)
        if found is None:
            found = await self._ask_streaming(query)
        if found is None:
            return None  # every source failed: not cached, asked again next time
        info, source, group_id = found
        await asyncio.to_thread(self._cache_put, query, info, source, group_id)
        return info

    async def _ask_musicbrainz(self, query: ReleaseQuery) -> tuple[ReleaseInfo, str, str] | None:
        try:
            groups = await self.metadata.release_groups(query.artist, query.album)
        except ProviderError as exc:
            log.info("MusicBrainz did not answer for %r: %s", query.album, exc)
            return None
        if groups is None:
            return None  # MusicBrainz not configured
        self.lookups += 1
        index = choose_release(query.artist, query.album, [(g.title, g.artist) for g in groups])
        if index is None:
            return ReleaseInfo((), "MusicBrainz"), "musicbrainz", ""
        group = groups[index]
        return ReleaseInfo(group.types, "MusicBrainz"), "musicbrainz", group.id

    async def _ask_streaming(self, query: ReleaseQuery) -> tuple[ReleaseInfo, str, str] | None:
        try:
            answer = await self.metadata.search_albums(f"{query.artist} {query.album}", limit=5)
        except ProviderError as exc:
            log.info("no album type for %r: %s", query.album, exc)
            return None
        self.lookups += 1
        albums = answer.value
        index = choose_release(
            query.artist, query.album, [(a.title, ", ".join(a.artists)) for a in albums]
        )
        source = str(answer.source)
        name = _SOURCE_NAMES.get(source, source)
        if index is None:
            return ReleaseInfo((), name), source, ""
        album = albums[index]
        types = _ALBUM_TYPE_WORDS.get(album.album_type, ()) if album.album_type else ()
        return ReleaseInfo(types, name), source, ""

    # -- cache (runs in a worker thread) -------------------------------------------

    def _cache_get(self, query: ReleaseQuery) -> ReleaseInfo | None:
        artist_key, album_key = release_key_parts(query.artist, query.album)
        table = schema.release_types
        with self.store.read() as conn:
            row = conn.execute(
                sa.select(table.c.types_json, table.c.source, table.c.fetched_at).where(
                    table.c.artist_key == artist_key, table.c.album_key == album_key
                )
            ).first()
        if row is None or row.fetched_at + self.ttl_s < time.time():
            return None
        types = tuple(str(t) for t in json.loads(row.types_json))
        return ReleaseInfo(types, _SOURCE_NAMES.get(row.source, row.source))

    def _cache_put(
        self, query: ReleaseQuery, info: ReleaseInfo, source: str, group_id: str
    ) -> None:
        artist_key, album_key = release_key_parts(query.artist, query.album)
        table = schema.release_types
        with self.store.write() as conn:
            conn.execute(
                sa.delete(table).where(
                    table.c.artist_key == artist_key, table.c.album_key == album_key
                )
            )
            conn.execute(
                sa.insert(table).values(
                    artist_key=artist_key,
                    album_key=album_key,
                    types_json=json.dumps(list(info.types)),
                    source=source,
                    release_group_id=group_id or None,
                    fetched_at=time.time(),
                )
            )
