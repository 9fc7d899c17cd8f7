"""The artist watchlist: new releases of watched artists go to the wishlist or the queue.

A watch remembers the day it began; a release counts when its release date
is on or after that day, its type is one the watch wants (album, single, EP;
compilations only if asked) and it is not a live record (unless asked; the
matching engine's :func:`~soulsync.matching.album_context` reads "live" from
the title). Each release is recorded once per watch under a key made of its
normalised title and type, so a single announced again (a new id, the
other service, a re-check) is not added a second time. New releases are
announced in the activity feed and through the notifier.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from soulsync.domain import Album, AlbumType
from soulsync.matching import VersionKind, album_context, ascii_key
from soulsync.providers.base import ProviderError
from soulsync.providers.metadata import MetadataService, parse_ref, qualified_id
from soulsync.services.automation.notify import Notification
from soulsync.services.events import EventBus
from soulsync.services.sync.ports import DownloadPort
from soulsync.services.wishlist.service import WishlistService
from soulsync.store import Store, schema

__all__ = ["NewRelease", "Watch", "WatchError", "WatchlistService", "release_wanted"]

log = logging.getLogger(__name__)

ALL_TYPES = ("album", "single", "ep", "compilation")


class WatchError(ValueError):
    """A watch that cannot be added or found."""


@dataclass(frozen=True, slots=True)
class Watch:
    """One watched artist."""

    id: int
    artist_ref: str
    artist_name: str
    since: str
    types: tuple[str, ...]
    include_live: bool
    action: str
    last_checked_at: float | None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready view."""
        return {
            "id": self.id,
            "artist_ref": self.artist_ref,
            "artist_name": self.artist_name,
            "since": self.since,
            "types": list(self.types),
            "include_live": self.include_live,
            "action": self.action,
            "last_checked_at": self.last_checked_at,
        }


@dataclass(frozen=True, slots=True)
class NewRelease:
    """A release found by a check, and what was done with it."""

    watch_id: int
    artist_name: str
    release_ref: str
    title: str
    album_type: str
    release_date: str | None
    outcome: str  # wishlisted | queued | failed
    tracks: int


def release_key(album: Album) -> str:
    """The per-watch identity of a release: normalised title and type."""
    return f"{album.album_type.value}:{ascii_key(album.title)}"


def release_wanted(album: Album, watch: Watch) -> str | None:
    """None when ``album`` is a new release this watch wants, else why not."""
    if not album.release_date:
        return "no release date"
    if _as_day(album.release_date) < watch.since:
        return "released before the watch began"
    if album.album_type.value not in watch.types:
        return f"{album.album_type.value} not watched"
    if not watch.include_live and VersionKind.LIVE in album_context(album.title):
        return "live release"
    return None


def _as_day(release_date: str) -> str:
    """ "2026", "2026-11" and "2026-11-20" compared as days (a bare year is its last day)."""
    parts = release_date.split("-")
    if len(parts) == 1:
        return f"{parts[0]}-12-31"
    if len(parts) == 2:
        return f"{parts[0]}-{parts[1]}-31"
    return release_date[:10]


class WatchlistService:
    """Add, list and remove watches, and check them for new releases."""

    def __init__(
        self,
        store: Store,
        metadata: MetadataService,
        wishlist: WishlistService,
        *,
        downloads: DownloadPort | None = None,
        bus: EventBus | None = None,
        notify: Callable[[Notification], Awaitable[Any]] | None = None,
        default_types: Sequence[str] = ("album", "single", "ep"),
        default_live: bool = False,
        default_action: str = "wishlist",
    ) -> None:
        self.store = store
        self.metadata = metadata
        self.wishlist = wishlist
        self.downloads = downloads
        self.bus = bus
        self.notify = notify
        self.default_types = tuple(default_types)
        self.default_live = default_live
        self.default_action = default_action

    # -- watches ------------------------------------------------------------------------------

    @staticmethod
    def _row(row: Any) -> Watch:
        return Watch(
            id=row.id,
            artist_ref=row.artist_ref,
            artist_name=row.artist_name,
            since=row.since,
            types=tuple(t for t in row.types.split(",") if t),
            include_live=bool(row.include_live),
            action=row.action,
            last_checked_at=row.last_checked_at,
        )

    def watches(self) -> list[Watch]:
        """Every watch, by artist name."""
        t = schema.artist_watches
        with self.store.read() as conn:
            rows = conn.execute(sa.select(t).order_by(t.c.artist_name, t.c.id)).all()
        return [self._row(r) for r in rows]

    def find(self, ref_or_name: str) -> Watch:
        """A watch by id, artist ref or (case-insensitive) artist name."""
        text = ref_or_name.strip()
        for watch in self.watches():
            if text in (str(watch.id), watch.artist_ref) or (
                watch.artist_name.casefold() == text.casefold()
            ):
                return watch
        raise WatchError(f"no watched artist {ref_or_name!r}")

    async def add(
        self,
        artist: str,
        *,
        types: Sequence[str] | None = None,
        include_live: bool | None = None,
        action: str | None = None,
        since: str | None = None,
    ) -> Watch:
        """Watch an artist given by ref (``spotify:ID``, ``deezer:ID``, link) or by name."""
        chosen_types = tuple(types) if types else self.default_types
        unknown = [t for t in chosen_types if t not in ALL_TYPES]
        if unknown:
            raise WatchError(f"unknown release type(s) {', '.join(unknown)}; use {ALL_TYPES}")
        chosen_action = action or self.default_action
        if chosen_action not in ("wishlist", "download"):
            raise WatchError("action must be wishlist or download")
        day = since or date.today().isoformat()
        try:
            date.fromisoformat(day)
        except ValueError as exc:
            raise WatchError(f"{day!r} is not a date (YYYY-MM-DD)") from exc
        ref, name = await self._resolve(artist)
        t = schema.artist_watches
        with self.store.write() as conn:
            exists = conn.execute(sa.select(t.c.id).where(t.c.artist_ref == ref)).first()
            if exists is not None:
                raise WatchError(f"{name} is already watched")
            conn.execute(
                sa.insert(t).values(
                    artist_ref=ref,
                    artist_name=name,
                    since=day,
                    types=",".join(chosen_types),
                    include_live=self.default_live if include_live is None else include_live,
                    action=chosen_action,
                    created_at=time.time(),
                )
            )
        self.store.add_activity(
            "watch.added", f"Watching {name} for new releases since {day}", {"artist_ref": ref}
        )
        return self.find(ref)

    async def _resolve(self, artist: str) -> tuple[str, str]:
        try:
            parse_ref(artist)
        except ValueError:
            found = await self.metadata.search_artists(artist, limit=1)
            if not found.value:
                raise WatchError(f"no artist found for {artist!r}") from None
            best = found.value[0]
            ref = qualified_id(best)
            if ref is None:
                raise WatchError(f"{best.name} has no Spotify or Deezer id") from None
            return ref, best.name
        got = await self.metadata.get_artist(artist)
        ref = qualified_id(got.value) or artist
        return ref, got.value.name

    def remove(self, ref_or_name: str) -> Watch:
        """Stop watching; returns the removed watch."""
        watch = self.find(ref_or_name)
        with self.store.write() as conn:
            conn.execute(
                sa.delete(schema.watch_releases).where(schema.watch_releases.c.watch_id == watch.id)
            )
            conn.execute(
                sa.delete(schema.artist_watches).where(schema.artist_watches.c.id == watch.id)
            )
        return watch

    def releases(self, watch_id: int | None = None) -> list[dict[str, Any]]:
        """Releases found so far (newest first)."""
        r = schema.watch_releases
        query = sa.select(r).order_by(r.c.seen_at.desc(), r.c.id.desc())
        if watch_id is not None:
            query = query.where(r.c.watch_id == watch_id)
        with self.store.read() as conn:
            return [dict(row._mapping) for row in conn.execute(query).all()]

    # -- checking ----------------------------------------------------------------------------

    async def check(self, ref_or_name: str | None = None) -> list[NewRelease]:
        """Look for new releases of one watch (or all); returns what was added."""
        watches = [self.find(ref_or_name)] if ref_or_name else self.watches()
        found: list[NewRelease] = []
        for watch in watches:
            try:
                found.extend(await self._check_one(watch))
            except ProviderError as exc:
                log.warning("could not check %s for new releases: %s", watch.artist_name, exc)
        return found

    def _seen_keys(self, watch_id: int) -> set[str]:
        r = schema.watch_releases
        with self.store.read() as conn:
            rows = conn.execute(sa.select(r.c.release_key).where(r.c.watch_id == watch_id)).all()
        return {row.release_key for row in rows}

    async def _check_one(self, watch: Watch) -> list[NewRelease]:
        albums = (await self.metadata.artist_albums(watch.artist_ref, fresh=True)).value
        seen = self._seen_keys(watch.id)
        out: list[NewRelease] = []
        for album in sorted(albums, key=lambda a: a.release_date or ""):
            key = release_key(album)
            if key in seen or release_wanted(album, watch) is not None:
                continue
            seen.add(key)
            out.append(await self._take(watch, album, key))
        with self.store.write() as conn:
            conn.execute(
                sa.update(schema.artist_watches)
                .where(schema.artist_watches.c.id == watch.id)
                .values(last_checked_at=time.time())
            )
        return out

    async def _take(self, watch: Watch, album: Album, key: str) -> NewRelease:
        ref = qualified_id(album) or ""
        outcome, count = "failed", 0
        try:
            full = (await self.metadata.get_album(ref)).value if ref else album
            tracks = full.tracks
            if watch.action == "download" and self.downloads is not None:
                for track in tracks:
                    await self.downloads.enqueue_playlist_track(
                        track, batch_id=None, playlist_name=f"New release: {album.title}"
                    )
                outcome = "queued"
            else:
                for track in tracks:
                    self.wishlist.add(
                        track,
                        f"new {album.album_type.value} by {watch.artist_name}",
                        attempted=False,
                    )
                outcome = "wishlisted"
            count = len(tracks)
        except ProviderError as exc:
            log.warning("could not read %s by %s: %s", album.title, watch.artist_name, exc)
        release = NewRelease(
            watch.id,
            watch.artist_name,
            ref,
            album.title,
            album.album_type.value,
            album.release_date,
            outcome,
            count,
        )
        with self.store.write() as conn:
            conn.execute(
                sa.insert(schema.watch_releases).values(
                    watch_id=watch.id,
                    release_ref=ref,
                    release_key=key,
                    title=album.title,
                    album_type=album.album_type.value,
                    release_date=album.release_date,
                    outcome=outcome,
                    tracks=count,
                    seen_at=time.time(),
                )
            )
        where = {"wishlisted": "added to the wishlist", "queued": "queued for download"}.get(
            outcome, "could not be read"
        )
        kind = "single" if album.album_type is AlbumType.SINGLE else album.album_type.value
        message = (
            f"New {kind} by {watch.artist_name}: {album.title} ({album.release_date}), {where}"
        )
        self.store.add_activity("watch.new_release", message, release_to_dict(release))
        if self.bus is not None:
            self.bus.publish("watch.new_release", **release_to_dict(release))
        if self.notify is not None:
            await self.notify(
                Notification(
                    "watch.new_release",
                    f"New {kind}: {album.title}",
                    message,
                    release_to_dict(release),
                )
            )
        return release


def release_to_dict(release: NewRelease) -> dict[str, Any]:
    """JSON-ready view of a found release."""
    return {
        "watch_id": release.watch_id,
        "artist": release.artist_name,
        "release_ref": release.release_ref,
        "title": release.title,
        "album_type": release.album_type,
        "release_date": release.release_date,
        "outcome": release.outcome,
        "tracks": release.tracks,
    }
