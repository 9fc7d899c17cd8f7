"""Domain objects to plain JSON-able dicts and back, for the response cache.

Clients cache what they mapped (not raw service JSON) where that is much
smaller: a 500-track Spotify playlist is ~1.5 MB raw but ~150 kB mapped.
"""

from __future__ import annotations

from typing import Any

from soulsync.domain import Album, AlbumType, Artist, Playlist, PlaylistEntry, Source, Track

Json = dict[str, Any]


def track_to_json(track: Track) -> Json:
    """A Track as a dict (only non-empty fields)."""
    body: Json = {"title": track.title, "artists": list(track.artists)}
    for name in (
        "album",
        "track_number",
        "disc_number",
        "duration_ms",
        "isrc",
        "explicit",
        "cover_url",
        "release_date",
        "total_tracks",
        "total_discs",
    ):
        value = getattr(track, name)
        if value is not None:
            body[name] = value
    if track.album_artists:
        body["album_artists"] = list(track.album_artists)
    if track.album_type is not None:
        body["album_type"] = str(track.album_type)
    if track.ids:
        body["ids"] = dict(track.ids)
    return body


def track_from_json(body: Json) -> Track:
    """Inverse of :func:`track_to_json`."""
    album_type = body.get("album_type")
    return Track(
        title=body["title"],
        artists=tuple(body.get("artists", ())),
        album=body.get("album"),
        album_artists=tuple(body.get("album_artists", ())),
        track_number=body.get("track_number"),
        disc_number=body.get("disc_number"),
        duration_ms=body.get("duration_ms"),
        isrc=body.get("isrc"),
        explicit=body.get("explicit"),
        ids=dict(body.get("ids", {})),
        cover_url=body.get("cover_url"),
        release_date=body.get("release_date"),
        album_type=AlbumType(album_type) if album_type else None,
        total_tracks=body.get("total_tracks"),
        total_discs=body.get("total_discs"),
    )


def album_to_json(album: Album) -> Json:
    """An Album (with its tracks) as a dict."""
    return {
        "title": album.title,
        "artists": list(album.artists),
        "album_type": str(album.album_type),
        "release_date": album.release_date,
        "total_tracks": album.total_tracks,
        "total_discs": album.total_discs,
        "cover_url": album.cover_url,
        "upc": album.upc,
        "label": album.label,
        "genres": list(album.genres),
        "ids": dict(album.ids),
        "tracks": [track_to_json(t) for t in album.tracks],
    }


def album_from_json(body: Json) -> Album:
    """Inverse of :func:`album_to_json`."""
    return Album(
        title=body["title"],
        artists=tuple(body.get("artists", ())),
        album_type=AlbumType(body.get("album_type", "album")),
        release_date=body.get("release_date"),
        total_tracks=body.get("total_tracks"),
        total_discs=body.get("total_discs"),
        cover_url=body.get("cover_url"),
        upc=body.get("upc"),
        label=body.get("label"),
        genres=tuple(body.get("genres", ())),
        ids=dict(body.get("ids", {})),
        tracks=tuple(track_from_json(t) for t in body.get("tracks", ())),
    )


def artist_to_json(artist: Artist) -> Json:
    """An Artist as a dict."""
    return {
        "name": artist.name,
        "ids": dict(artist.ids),
        "image_url": artist.image_url,
        "genres": list(artist.genres),
    }


def artist_from_json(body: Json) -> Artist:
    """Inverse of :func:`artist_to_json`."""
    return Artist(
        name=body["name"],
        ids=dict(body.get("ids", {})),
        image_url=body.get("image_url"),
        genres=tuple(body.get("genres", ())),
    )


def playlist_to_json(playlist: Playlist) -> Json:
    """A Playlist with its entries as a dict."""
    return {
        "id": playlist.id,
        "name": playlist.name,
        "source": str(playlist.source),
        "owner": playlist.owner,
        "snapshot_id": playlist.snapshot_id,
        "image_url": playlist.image_url,
        "total": playlist.total,
        "readable": playlist.readable,
        "unreadable_reason": playlist.unreadable_reason,
        "entries": [
            {
                "position": e.position,
                "track": track_to_json(e.track) if e.track is not None else None,
                "is_local": e.is_local,
                "unavailable_reason": e.unavailable_reason,
            }
            for e in playlist.entries
        ],
    }


def playlist_from_json(body: Json) -> Playlist:
    """Inverse of :func:`playlist_to_json`."""
    return Playlist(
        id=body["id"],
        name=body["name"],
        source=Source(body["source"]),
        owner=body.get("owner"),
        snapshot_id=body.get("snapshot_id"),
        image_url=body.get("image_url"),
        total=body.get("total", 0),
        readable=body.get("readable", True),
        unreadable_reason=body.get("unreadable_reason"),
        entries=tuple(
            PlaylistEntry(
                position=e["position"],
                track=track_from_json(e["track"]) if e.get("track") else None,
                is_local=e.get("is_local", False),
                unavailable_reason=e.get("unavailable_reason"),
            )
            for e in body.get("entries", ())
        ),
    )
