"""JSON shapes of the Spotify Web API (2026, Development Mode) for the simulator.

Field names follow Spotify's OpenAPI schemas (reference §1.4): full and
simplified tracks, albums, artists and playlists, paging objects with absolute
``next``/``previous`` URLs, playlist entries carrying both ``item`` and the
deprecated ``track``. Deprecated fields Spotify still sends (``popularity``,
``genres``, ``followers``) are included so clients learn not to rely on them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from soulsync.sandbox.catalogue import CatAlbum, Catalogue, CatArtist, CatTrack
from soulsync.sandbox.images import image_url

Json = dict[str, Any]


@dataclass
class SimItem:
    """One playlist position in the simulator's mutable state."""

    track_key: str | None
    local_name: str | None = None
    unavailable: bool = False
    added_at: str = "2026-01-15T12:00:00Z"


@dataclass
class SimPlaylist:
    """A playlist as the Spotify simulator holds it (mutable by tests)."""

    id: str
    key: str
    name: str
    owner_id: str
    owner_name: str
    collaborative: bool
    items: list[SimItem] = field(default_factory=list)
    public: bool = True
    description: str = ""
    version: int = 1

    @property
    def snapshot_id(self) -> str:
        """Changes on every mutation, like Spotify's opaque snapshot ids."""
        import hashlib

        body = "|".join(f"{i.track_key}:{i.local_name}:{i.unavailable}" for i in self.items)
        digest = hashlib.sha1(f"{self.id}:{self.version}:{body}".encode()).hexdigest()
        return f"AAAA{digest[:28]}"


class Shapes:
    """Builds Spotify JSON for catalogue entities against one base URL."""

    def __init__(self, catalogue: Catalogue, base: str, user_id: str, user_name: str) -> None:
        self.cat = catalogue
        self.base = base
        self.api = f"{base}/v1"
        self.user_id = user_id
        self.user_name = user_name

    # -- small pieces ----------------------------------------------------------------

    def _ext(self, kind: str, sid: str) -> Json:
        return {"spotify": f"https://open.spotify.com/{kind}/{sid}"}

    def images(self, kind: str, key: str) -> list[Json]:
        """Three sizes, largest first, as Spotify lists them."""
        return [
            {"url": image_url(self.base, kind, key, size), "height": size, "width": size}
            for size in (640, 300, 56 if kind == "album" else 160)
        ]

    def user(self, user_id: str, name: str | None) -> Json:
        """A public user object (owner / added_by)."""
        return {
            "external_urls": {"spotify": f"https://open.spotify.com/user/{user_id}"},
            "href": f"{self.api}/users/{user_id}",
            "id": user_id,
            "type": "user",
            "uri": f"spotify:user:{user_id}",
            **({"display_name": name} if name is not None else {}),
        }

    def artist_simple(self, artist: CatArtist) -> Json:
        """SimplifiedArtist."""
        return {
            "external_urls": self._ext("artist", artist.spotify_id),
            "href": f"{self.api}/artists/{artist.spotify_id}",
            "id": artist.spotify_id,
            "name": artist.name,
            "type": "artist",
            "uri": f"spotify:artist:{artist.spotify_id}",
        }

    def artist_full(self, artist: CatArtist) -> Json:
        """Artist with images and the deprecated genres/followers/popularity."""
        return {
            **self.artist_simple(artist),
            "images": self.images("artist", artist.key),
            "genres": list(artist.genres),
            "followers": {"href": None, "total": 1000 + len(artist.name) * 97},
            "popularity": 50,
        }

    def album_simple(self, album: CatAlbum) -> Json:
        """SimplifiedAlbum."""
        date = album.release_date
        precision = {4: "year", 7: "month"}.get(len(date), "day")
        return {
            "album_type": album.album_type,
            "total_tracks": len(album.track_keys),
            "external_urls": self._ext("album", album.spotify_id),
            "href": f"{self.api}/albums/{album.spotify_id}",
            "id": album.spotify_id,
            "images": self.images("album", album.key),
            "name": album.title,
            "release_date": date,
            "release_date_precision": precision,
            "type": "album",
            "uri": f"spotify:album:{album.spotify_id}",
            "artists": [self.artist_simple(self.cat.artists[k]) for k in album.artist_keys],
            "is_playable": True,
        }

    def track_simple(self, track: CatTrack, *, unavailable: bool = False) -> Json:
        """SimplifiedTrack (as in album tracklists): no album, no external_ids."""
        body: Json = {
            "artists": [self.artist_simple(self.cat.artists[k]) for k in track.artist_keys],
            "disc_number": track.disc_number,
            "duration_ms": track.duration_ms,
            "explicit": track.explicit,
            "external_urls": self._ext("track", track.spotify_id),
            "href": f"{self.api}/tracks/{track.spotify_id}",
            "id": track.spotify_id,
            "is_playable": not unavailable,
            "name": track.title,
            "preview_url": None,
            "track_number": track.track_number,
            "type": "track",
            "uri": f"spotify:track:{track.spotify_id}",
            "is_local": False,
        }
        if unavailable:
            body["restrictions"] = {"reason": "market"}
        return body

    def track_full(self, track: CatTrack, *, unavailable: bool = False) -> Json:
        """Track with its simplified album and ISRC."""
        return {
            **self.track_simple(track, unavailable=unavailable),
            "album": self.album_simple(self.cat.albums[track.album_key]),
            "external_ids": {"isrc": track.isrc},
            "popularity": 40,
        }

    def local_track(self, name: str) -> Json:
        """A local file entry: ids null, ``is_local`` true, metadata from the file name."""
        title = re.sub(r"\.[A-Za-z0-9]{2,4}$", "", name)
        return {
            "album": {
                "album_type": None,
                "artists": [],
                "external_urls": {},
                "href": None,
                "id": None,
                "images": [],
                "name": "",
                "release_date": None,
                "release_date_precision": None,
                "type": "album",
                "uri": None,
            },
            "artists": [
                {
                    "external_urls": {},
                    "href": None,
                    "id": None,
                    "name": "",
                    "type": "artist",
                    "uri": None,
                }
            ],
            "disc_number": 0,
            "duration_ms": 0,
            "explicit": False,
            "external_ids": {},
            "external_urls": {},
            "href": None,
            "id": None,
            "is_local": True,
            "name": title,
            "popularity": 0,
            "preview_url": None,
            "track_number": 0,
            "type": "track",
            "uri": f"spotify:local:::{title.replace(' ', '+')}:0",
        }

    def playlist_entry(self, item: SimItem) -> Json:
        """One PlaylistTrack: ``item`` and the deprecated ``track`` both filled."""
        if item.track_key is None:
            track = self.local_track(item.local_name or "")
        else:
            track = self.track_full(self.cat.tracks[item.track_key], unavailable=item.unavailable)
        return {
            "added_at": item.added_at,
            "added_by": self.user(self.user_id, None),
            "is_local": item.track_key is None,
            "primary_color": None,
            "item": track,
            "track": track,
        }

    def playlist_simple(self, pl: SimPlaylist) -> Json:
        """SimplifiedPlaylist as listed by ``/me/playlists``."""
        ref = {"href": f"{self.api}/playlists/{pl.id}/items", "total": len(pl.items)}
        return {
            "collaborative": pl.collaborative,
            "description": pl.description,
            "external_urls": self._ext("playlist", pl.id),
            "href": f"{self.api}/playlists/{pl.id}",
            "id": pl.id,
            "images": self.images("playlist", pl.key)[:1],
            "name": pl.name,
            "owner": self.user(pl.owner_id, pl.owner_name),
            "primary_color": None,
            "public": pl.public,
            "snapshot_id": pl.snapshot_id,
            "items": ref,
            "tracks": dict(ref),
            "type": "playlist",
            "uri": f"spotify:playlist:{pl.id}",
        }


def paging(
    href: str, items: list[Json], *, offset: int, limit: int, total: int, extra: Json | None = None
) -> Json:
    """A paging object whose ``next``/``previous`` are absolute URLs on ``href``."""

    def url(off: int) -> str:
        return f"{href}?{urlencode({**(extra or {}), 'offset': off, 'limit': limit})}"

    return {
        "href": url(offset),
        "items": items,
        "limit": limit,
        "next": url(offset + limit) if offset + limit < total else None,
        "offset": offset,
        "previous": url(max(0, offset - limit)) if offset > 0 else None,
        "total": total,
    }


# -- the ``fields`` query parameter -------------------------------------------------------

FieldSpec = dict[str, "FieldSpec | None"]


def parse_fields(text: str) -> FieldSpec:
    """Parse Spotify's ``fields`` syntax, e.g. ``name,items(item(id,name)),snapshot_id``."""
    spec, rest = _parse_level(text.replace(" ", ""), 0)
    if rest != len(text.replace(" ", "")):
        raise ValueError("unbalanced parentheses in fields")
    return spec


def _parse_level(text: str, pos: int) -> tuple[FieldSpec, int]:
    spec: FieldSpec = {}
    name = ""
    while pos < len(text):
        ch = text[pos]
        if ch == ",":
            if name:
                spec.setdefault(name, None)
            name = ""
            pos += 1
        elif ch == "(":
            sub, pos = _parse_level(text, pos + 1)
            if pos >= len(text) or text[pos] != ")":
                raise ValueError("unbalanced parentheses in fields")
            spec[name] = sub
            name = ""
            pos += 1
        elif ch == ")":
            break
        else:
            name += ch
            pos += 1
    if name:
        spec.setdefault(name, None)
    return spec, pos


def apply_fields(value: Any, spec: FieldSpec | None) -> Any:
    """Keep only the requested keys (recursively; lists are filtered element-wise)."""
    if spec is None:
        return value
    if isinstance(value, list):
        return [apply_fields(v, spec) for v in value]
    if isinstance(value, dict):
        return {k: apply_fields(value[k], sub) for k, sub in spec.items() if k in value}
    return value
