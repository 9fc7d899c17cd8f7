"""Field-filtered catalogue search shared by the Spotify and Deezer simulators.

Both services accept free words plus field filters: Spotify ``artist:X
track:Y album:Z isrc:Q year:N`` and Deezer ``artist:"A" track:"T" album:"B"``.
Values may be quoted. Matching is deliberately simple and service-like: every
word of a filter must be a prefix of some word of that field (case- and
accent-insensitive); free words must each match somewhere in title, artists or
album.
"""

from __future__ import annotations

import re
from typing import Any

from anyascii import anyascii

from soulsync.sandbox.catalogue import CatAlbum, Catalogue, CatArtist, CatTrack

_FILTER = re.compile(r'(\w+):(?:"([^"]*)"|(\S+))')


def words(text: str) -> list[str]:
    """Lower-case word list, with both transliterated and original spellings."""
    folded = anyascii(text).lower() + " " + text.lower()
    return [w for w in re.split(r"[^\w$]+", folded) if w]


def parse_query(query: str) -> tuple[dict[str, str], str]:
    """Split ``query`` into ``{field: value}`` filters and the remaining free text."""
    filters: dict[str, str] = {}
    for match in _FILTER.finditer(query):
        value = match.group(2) if match.group(2) is not None else match.group(3)
        filters[match.group(1).lower()] = value
    free = _FILTER.sub(" ", query).replace('"', " ").strip()
    return filters, free


def _has(hay_text: str, needle: str) -> bool:
    hay = words(hay_text)
    wanted = words(needle)
    return bool(wanted) and all(any(h.startswith(w) for h in hay) for w in wanted)


def _track_ok(cat: Catalogue, track: CatTrack, filters: dict[str, str], free: str) -> bool:
    album = cat.albums[track.album_key]
    artists = " ".join(cat.artist_names(track))
    checks = {
        "artist": artists,
        "track": track.title,
        "album": album.title,
        "year": album.release_date[:4],
    }
    for name, value in filters.items():
        if name == "isrc":
            if track.isrc != value.upper():
                return False
        elif name in checks:
            if not _has(checks[name], value):
                return False
        elif name in ("dur_min", "dur_max"):
            seconds = track.duration_ms / 1000
            limit = float(value) if value.replace(".", "", 1).isdigit() else None
            if limit is not None and (seconds < limit if name == "dur_min" else seconds > limit):
                return False
    return not free or _has(f"{track.title} {artists} {album.title}", free)


def _album_ok(cat: Catalogue, album: CatAlbum, filters: dict[str, str], free: str) -> bool:
    artists = " ".join(cat.artists[k].name for k in album.artist_keys)
    checks = {"artist": artists, "album": album.title, "year": album.release_date[:4]}
    for name, value in filters.items():
        if name == "upc":
            if album.upc != value:
                return False
        elif name in checks and not _has(checks[name], value):
            return False
    return not free or _has(f"{album.title} {artists}", free)


def _artist_ok(artist: CatArtist, filters: dict[str, str], free: str) -> bool:
    for name, value in filters.items():
        if name == "artist" and not _has(artist.name, value):
            return False
    return not free or _has(artist.name, free)


def search_catalogue(cat: Catalogue, kind: str, query: str) -> list[Any]:
    """Catalogue entities of ``kind`` (track, album, artist) matching ``query``."""
    filters, free = parse_query(query)
    if not filters and not free:
        return []
    if kind == "track":
        return [t for t in cat.tracks.values() if _track_ok(cat, t, filters, free)]
    if kind == "album":
        return [a for a in cat.albums.values() if _album_ok(cat, a, filters, free)]
    if kind == "artist":
        return [a for a in cat.artists.values() if _artist_ok(a, filters, free)]
    return []
