"""Plex answers as SoulSync values: plexapi tracks and raw XML listing rows as :class:`LibraryTrack`.

Pure functions, no requests: :mod:`soulsync.providers.plex` fetches, this maps.
plexapi is imported here only for type checking, so importing this module
never loads plexapi before :mod:`.plex` has pointed it away from the user's
own config file.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING
from xml.etree.ElementTree import Element

from soulsync.domain import LibraryTrack

if TYPE_CHECKING:
    from plexapi.audio import Track as PlexTrack


def to_library_track(track: PlexTrack) -> LibraryTrack:
    """A plexapi Track as a :class:`LibraryTrack` (the track artist is ``originalTitle`` if set)."""
    # Listing results are partial objects: reading an attribute that is None
    # would make plexapi fetch the full item, one request per track.
    track._autoReload = False
    album_artist = track.grandparentTitle
    files = [p.file for m in track.media for p in m.parts if p.file]
    return LibraryTrack(
        id=str(track.ratingKey),
        title=track.title or "",
        artist=track.originalTitle or album_artist or "",
        album=track.parentTitle,
        album_artist=album_artist,
        track_number=track.index,
        disc_number=track.parentIndex,
        duration_ms=track.duration,
        path=files[0] if files else None,
        year=track.year,
    )


def track_from_element(row: Element) -> LibraryTrack:
    """A ``<Track>`` row of a listing as a :class:`LibraryTrack` (same mapping as above)."""
    attrib = row.attrib
    album_artist = attrib.get("grandparentTitle")
    path = next((part.attrib["file"] for part in row.iter("Part") if part.attrib.get("file")), None)
    return LibraryTrack(
        id=attrib.get("ratingKey", ""),
        title=attrib.get("title", ""),
        artist=attrib.get("originalTitle") or album_artist or "",
        album=attrib.get("parentTitle"),
        album_artist=album_artist,
        track_number=int_attr(row, "index"),
        disc_number=int_attr(row, "parentIndex"),
        duration_ms=int_attr(row, "duration"),
        path=path,
        year=int_attr(row, "year"),
    )


def int_attr(element: Element | None, name: str) -> int | None:
    """An integer XML attribute, or None when it is missing or not a number."""
    value = element.attrib.get(name) if element is not None else None
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return None


def xml_children(element: Element | None, tag: str) -> Iterator[Element]:
    """The direct children of ``element`` with this tag (none for a missing element)."""
    if element is None:
        return iter(())
    return (child for child in element if child.tag == tag)
