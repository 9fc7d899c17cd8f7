"""XML documents the Plex simulator serves, in the shapes plexapi 4.18.3 parses.

Plain string building (no DOM): the benchmark serves 50k tracks, and each
track's element is rendered once and cached until the track changes.
Booleans are "1"/"0", times are epoch seconds, durations milliseconds.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from soulsync.sandbox.plex_library import SimPlaylist, SimTrack

Attrs = Mapping[str, object]

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def attr_value(value: object) -> str:
    """An attribute value escaped for double quotes (newlines kept as character refs)."""
    text = _INVALID_XML.sub("\ufffd", str(value))
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("\n", "&#10;")
        .replace("\r", "&#13;")
        .replace("\t", "&#9;")
    )


def attrs(values: Attrs) -> str:
    """` a="1" b="x"` for every value that is not None."""
    return "".join(f' {k}="{attr_value(v)}"' for k, v in values.items() if v is not None)


def element(tag: str, values: Attrs, children: str = "") -> str:
    """One element; self-closing when it has no children."""
    if children:
        return f"<{tag}{attrs(values)}>{children}</{tag}>"
    return f"<{tag}{attrs(values)}/>"


def container(values: Attrs, children: str = "") -> str:
    """A full document: the XML declaration and a ``<MediaContainer>``."""
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + element("MediaContainer", values, children)


def with_attrs(cached: str, extra: Attrs) -> str:
    """Add attributes to the opening tag of an already rendered element."""
    tag_end = cached.index(" ")
    return cached[:tag_end] + attrs(extra) + cached[tag_end:]


@dataclass(frozen=True, slots=True)
class SectionInfo:
    """The music section as the simulator presents it."""

    key: int
    title: str
    uuid: str
    locations: tuple[str, ...]
    created_at: int


def guid(kind: str, seed: object) -> str:
    """A stable ``plex://<kind>/<hex>`` guid."""
    return f"plex://{kind}/" + hashlib.sha1(f"{kind}:{seed}".encode()).hexdigest()[:24]


def track_element(track: SimTrack, section: SectionInfo) -> str:
    """A ``<Track>`` with its ``<Media>``/``<Part>`` (file path) children."""
    ext = track.container
    part = element(
        "Part",
        {
            "id": track.part_id,
            "key": f"/library/parts/{track.part_id}/{track.updated_at}/file.{ext}",
            "duration": track.duration_ms,
            "file": track.file,
            "size": track.size,
            "container": ext,
            "hasThumbnail": "0",
        },
    )
    media = element(
        "Media",
        {
            "id": track.media_id,
            "duration": track.duration_ms,
            "bitrate": track.bitrate,
            "audioChannels": 2,
            "audioCodec": ext if ext != "m4a" else "aac",
            "container": ext,
        },
        part,
    )
    return element(
        "Track",
        {
            "ratingKey": track.rating_key,
            "key": f"/library/metadata/{track.rating_key}",
            "parentRatingKey": track.album_key,
            "grandparentRatingKey": track.artist_key,
            "guid": guid("track", track.file),
            "parentGuid": guid("album", track.album_key),
            "grandparentGuid": guid("artist", track.artist_key),
            "type": "track",
            "title": track.title,
            "titleSort": track.title,
            "grandparentKey": f"/library/metadata/{track.artist_key}",
            "parentKey": f"/library/metadata/{track.album_key}",
            "librarySectionTitle": section.title,
            "librarySectionID": section.key,
            "librarySectionKey": f"/library/sections/{section.key}",
            "grandparentTitle": track.album_artist,
            "parentTitle": track.album,
            "originalTitle": track.original_title,
            "summary": "",
            "index": track.index,
            "parentIndex": track.disc,
            "year": track.year,
            "parentYear": track.year,
            "thumb": f"/library/metadata/{track.album_key}/thumb/{track.updated_at}",
            "parentThumb": f"/library/metadata/{track.album_key}/thumb/{track.updated_at}",
            "grandparentThumb": f"/library/metadata/{track.artist_key}/thumb/{track.updated_at}",
            "duration": track.duration_ms,
            "addedAt": track.added_at,
            "updatedAt": track.updated_at,
            "musicAnalysisVersion": 1,
        },
        media,
    )


def artist_element(key: int, name: str, section: SectionInfo, updated_at: int) -> str:
    """A ``<Directory type="artist">``."""
    return element(
        "Directory",
        {
            "ratingKey": key,
            "key": f"/library/metadata/{key}/children",
            "guid": guid("artist", key),
            "type": "artist",
            "title": name,
            "titleSort": name,
            "librarySectionTitle": section.title,
            "librarySectionID": section.key,
            "summary": "",
            "addedAt": updated_at,
            "updatedAt": updated_at,
        },
    )


def album_element(
    key: int,
    title: str,
    artist_key: int,
    artist: str,
    year: int | None,
    leaves: int,
    section: SectionInfo,
) -> str:
    """A ``<Directory type="album">``."""
    return element(
        "Directory",
        {
            "ratingKey": key,
            "key": f"/library/metadata/{key}/children",
            "parentRatingKey": artist_key,
            "guid": guid("album", key),
            "parentGuid": guid("artist", artist_key),
            "type": "album",
            "title": title,
            "parentKey": f"/library/metadata/{artist_key}",
            "parentTitle": artist,
            "librarySectionTitle": section.title,
            "librarySectionID": section.key,
            "summary": "",
            "year": year,
            "leafCount": leaves,
        },
    )


def playlist_element(playlist: SimPlaylist, duration_ms: int) -> str:
    """A ``<Playlist>`` (audio, not smart)."""
    return element(
        "Playlist",
        {
            "ratingKey": playlist.rating_key,
            "key": f"/playlists/{playlist.rating_key}/items",
            "guid": playlist.guid,
            "type": "playlist",
            "title": playlist.title,
            "titleSort": playlist.title,
            "summary": playlist.summary,
            "smart": "0",
            "playlistType": "audio",
            "composite": f"/playlists/{playlist.rating_key}/composite/{playlist.updated_at}",
            "icon": "playlist://image.smart",
            "leafCount": len(playlist.items),
            "duration": duration_ms,
            "addedAt": playlist.added_at,
            "updatedAt": playlist.updated_at,
        },
    )


def section_element(section: SectionInfo, refreshing: bool, scanned_at: int) -> str:
    """The music section's ``<Directory>`` with one ``<Location>`` per folder."""
    locations = "".join(
        element("Location", {"id": n, "path": path}) for n, path in enumerate(section.locations, 1)
    )
    return element(
        "Directory",
        {
            "allowSync": "1",
            "art": "/:/resources/artist-fanart.jpg",
            "composite": f"/library/sections/{section.key}/composite/{scanned_at}",
            "filters": "1",
            "refreshing": "1" if refreshing else "0",
            "thumb": "/:/resources/artist.png",
            "key": section.key,
            "type": "artist",
            "title": section.title,
            "agent": "tv.plex.agents.music",
            "scanner": "Plex Music",
            "language": "en-US",
            "uuid": section.uuid,
            "updatedAt": scanned_at,
            "createdAt": section.created_at,
            "scannedAt": scanned_at,
            "content": "1",
            "directory": "1",
            "contentChangedAt": scanned_at,
            "hidden": "0",
        },
        locations,
    )


def root_document(name: str, machine_id: str, version: str, updated_at: int) -> str:
    """``GET /``: the server's identity and capabilities (plexapi needs ``machineIdentifier``)."""
    return container(
        {
            "size": 0,
            "allowCameraUpload": "0",
            "allowChannelAccess": "1",
            "allowMediaDeletion": "1",
            "allowSharing": "1",
            "allowSync": "1",
            "backgroundProcessing": "1",
            "certificate": "0",
            "companionProxy": "1",
            "eventStream": "1",
            "friendlyName": name,
            "hubSearch": "1",
            "machineIdentifier": machine_id,
            "multiuser": "1",
            "myPlex": "0",
            "platform": "Linux",
            "platformVersion": "6.1",
            "pluginHost": "1",
            "readOnlyLibraries": "0",
            "transcoderAudio": "1",
            "transcoderVideo": "0",
            "updatedAt": updated_at,
            "version": version,
        }
    )


def library_document() -> str:
    """``GET /library``."""
    children = element("Directory", {"key": "sections", "title": "Library Sections"})
    children += element("Directory", {"key": "recentlyAdded", "title": "Recently Added Content"})
    return container(
        {
            "size": 2,
            "allowSync": "0",
            "identifier": "com.plexapp.plugins.library",
            "mediaTagPrefix": "/system/bundle/media/flags/",
            "mediaTagVersion": "1700000000",
            "title1": "Plex Library",
        },
        children,
    )


def movie_section_element(uuid: str, created_at: int) -> str:
    """An (empty) movie section listed before the music one, as on most real servers."""
    return element(
        "Directory",
        {
            "allowSync": "1",
            "key": 1,
            "type": "movie",
            "title": "Movies",
            "agent": "tv.plex.agents.movie",
            "scanner": "Plex Movie",
            "language": "en-US",
            "uuid": "movies-" + uuid[:20],
            "refreshing": "0",
            "updatedAt": created_at,
            "createdAt": created_at,
            "scannedAt": created_at,
        },
        element("Location", {"id": 99, "path": "/srv/movies"}),
    )


# -- the <Meta> block plexapi reads to validate filters and sorts -------------------------

# (key, title, type) of the filter fields the simulator understands.
# Music fields carry their level as a prefix ("artist.title"), as plexapi's own
# manual additions for music sections do.
TRACK_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("track.title", "Track Title", "string"),
    ("artist.title", "Artist Title", "string"),
    ("album.title", "Album Title", "string"),
    ("album.year", "Year", "integer"),
    ("track.index", "Track Number", "integer"),
)
TRACK_SORTS: tuple[tuple[str, str], ...] = (
    ("titleSort", "Title"),
    ("artist.titleSort", "Artist"),
    ("album.titleSort", "Album"),
    ("addedAt", "Date Added"),
    ("year", "Year"),
    ("duration", "Duration"),
)
_OPERATORS: dict[str, tuple[tuple[str, str], ...]] = {
    "string": (
        ("=", "contains"),
        ("!=", "does not contain"),
        ("==", "is"),
        ("!==", "is not"),
        ("<=", "begins with"),
        (">=", "ends with"),
    ),
    "integer": (("=", "is"), ("!=", "is not"), (">>=", "is greater than"), ("<<=", "is less than")),
}


def meta_element(section_key: int) -> str:
    """``<Meta>`` with the track type's fields, sorts and the field types' operators."""

    def type_element(libtype: str, type_no: int, fields: Iterable[tuple[str, str, str]]) -> str:
        body = "".join(
            element("Field", {"key": key, "title": title, "type": ftype})
            for key, title, ftype in fields
        )
        body += "".join(
            element(
                "Sort",
                {"defaultDirection": "asc", "descKey": f"{key}:desc", "key": key, "title": title},
            )
            for key, title in TRACK_SORTS
        )
        return element(
            "Type",
            {
                "key": f"/library/sections/{section_key}/all?type={type_no}",
                "type": libtype,
                "title": libtype.capitalize() + "s",
                "active": "1" if libtype == "track" else "0",
            },
            body,
        )

    types = type_element("artist", 8, [("artist.title", "Artist Title", "string")])
    types += type_element(
        "album", 9, [("album.title", "Album Title", "string"), ("album.year", "Year", "integer")]
    )
    types += type_element("track", 10, TRACK_FIELDS)
    field_types = "".join(
        element(
            "FieldType",
            {"type": ftype},
            "".join(element("Operator", {"key": k, "title": t}) for k, t in ops),
        )
        for ftype, ops in _OPERATORS.items()
    )
    return element("Meta", {}, types + field_types)
