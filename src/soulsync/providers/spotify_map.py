"""Spotify Web API JSON to domain objects (pure functions, no I/O).

Tolerant by design: deprecated fields may vanish, ``item`` may replace
``track`` in playlist entries, local files carry ``id: null``, and images may
have null sizes.
"""

from __future__ import annotations

from typing import Any

from soulsync.domain import Album, AlbumType, Artist, Playlist, PlaylistEntry, Source, Track

Json = dict[str, Any]

_ALBUM_TYPES = {
    "album": AlbumType.ALBUM,
    "single": AlbumType.SINGLE,
    "ep": AlbumType.EP,
    "compilation": AlbumType.COMPILATION,
}

UNREADABLE_REASON = (
    "not readable in Development Mode: Spotify only lets apps read playlists "
    "you own or collaborate on"
)


def best_image(images: list[Json] | None) -> str | None:
    """The URL of the largest image (unknown sizes count as smallest)."""
    if not images:
        return None
    ranked = sorted(images, key=lambda i: i.get("width") or 0, reverse=True)
    return ranked[0].get("url")


def album_type(value: str | None) -> AlbumType | None:
    """Spotify's ``album_type`` as our enum (None when absent or unknown)."""
    return _ALBUM_TYPES.get((value or "").lower())


def _names(artists: list[Json] | None) -> tuple[str, ...]:
    return tuple(a["name"] for a in artists or () if a.get("name"))


def to_track(body: Json, album: Json | None = None) -> Track:
    """A Track from a full or simplified track object (``album`` for album tracklists)."""
    album = body.get("album") or album or {}
    isrc = (body.get("external_ids") or {}).get("isrc")
    ids = {"spotify": body["id"]} if body.get("id") else {}
    return Track(
        title=body.get("name") or "",
        artists=_names(body.get("artists")),
        album=album.get("name") or None,
        album_artists=_names(album.get("artists")),
        track_number=body.get("track_number") or None,
        disc_number=body.get("disc_number") or None,
        duration_ms=body.get("duration_ms") or None,
        isrc=isrc.upper() if isrc else None,
        explicit=body.get("explicit"),
        ids=ids,
        cover_url=best_image(album.get("images")),
        release_date=album.get("release_date"),
        album_type=album_type(album.get("album_type")),
        total_tracks=album.get("total_tracks"),
        total_discs=None,
    )


def to_album(body: Json, tracks: list[Json] | None = None) -> Album:
    """An Album from a (simplified or full) album object plus its track objects."""
    rows = tracks or []
    discs = max((t.get("disc_number") or 1 for t in rows), default=None)
    mapped = tuple(to_track(t, album=body) for t in rows)
    if discs is not None:
        mapped = tuple(_with_discs(t, discs) for t in mapped)
    return Album(
        title=body.get("name") or "",
        artists=_names(body.get("artists")),
        album_type=album_type(body.get("album_type")) or AlbumType.ALBUM,
        release_date=body.get("release_date"),
        total_tracks=body.get("total_tracks"),
        total_discs=discs,
        cover_url=best_image(body.get("images")),
        upc=(body.get("external_ids") or {}).get("upc"),
        label=body.get("label") or None,
        genres=tuple(body.get("genres") or ()),
        ids={"spotify": body["id"]} if body.get("id") else {},
        tracks=mapped,
    )


def _with_discs(track: Track, discs: int) -> Track:
    from dataclasses import replace

    return replace(track, total_discs=discs)


def to_artist(body: Json) -> Artist:
    """An Artist from an artist object."""
    return Artist(
        name=body.get("name") or "",
        ids={"spotify": body["id"]} if body.get("id") else {},
        image_url=best_image(body.get("images")),
        genres=tuple(body.get("genres") or ()),
    )


def entry_track(entry: Json) -> Json | None:
    """The track object of a playlist entry: ``item`` first, then the deprecated ``track``."""
    item = entry.get("item")
    if item is None:
        item = entry.get("track")
    return item


def to_entry(position: int, entry: Json) -> PlaylistEntry:
    """A PlaylistEntry; local files and unavailable tracks are reported, not dropped."""
    item = entry_track(entry)
    if item is None:
        return PlaylistEntry(position, None, unavailable_reason="removed from Spotify")
    if entry.get("is_local") or item.get("is_local"):
        title = item.get("name") or "local file"
        return PlaylistEntry(
            position,
            None,
            is_local=True,
            unavailable_reason=f"local file on the owner's device: {title}",
        )
    if item.get("type") not in (None, "track"):
        return PlaylistEntry(position, None, unavailable_reason=f"{item.get('type')} (not music)")
    track = to_track(item)
    if item.get("is_playable") is False:
        why = (item.get("restrictions") or {}).get("reason") or "not playable"
        return PlaylistEntry(position, track, unavailable_reason=f"unavailable on Spotify: {why}")
    return PlaylistEntry(position, track)


def playlist_total(body: Json) -> int:
    """Entry count from ``items.total`` or the deprecated ``tracks.total``."""
    for key in ("items", "tracks"):
        ref = body.get(key)
        if isinstance(ref, dict) and isinstance(ref.get("total"), int):
            return int(ref["total"])
    return 0


def to_playlist(
    body: Json,
    *,
    readable: bool,
    entries: tuple[PlaylistEntry, ...] = (),
) -> Playlist:
    """A Playlist from a (simplified or full) playlist object."""
    owner = body.get("owner") or {}
    return Playlist(
        id=body["id"],
        name=body.get("name") or "",
        source=Source.SPOTIFY,
        owner=owner.get("display_name") or owner.get("id"),
        snapshot_id=body.get("snapshot_id"),
        image_url=best_image(body.get("images")),
        total=playlist_total(body),
        readable=readable,
        unreadable_reason=None if readable else UNREADABLE_REASON,
        entries=entries,
    )
