"""Where a file goes in the library: templates, portable sanitising, path safety.

Pure functions, no I/O. The result is always a *relative* POSIX path; joining
it to the configured library root (and checking symlinks) is the mover's job.

Default layout (the DESIGN's ``Artist/Artist - Album/NN Title.ext`` tree):

* a track on an album, EP or compilation of the chosen artist, or a
  several-track single:  ``ARTIST/ARTIST - ALBUM/NN TITLE.ext``, with a
  ``D-`` disc prefix (``2-03 Title.flac``) only when the release has more
  than one disc;
* a one-track single or EP (or a track with no album at all):
  ``ARTIST/ARTIST - TITLE/TITLE.ext``.

Templates use ``str.format`` syntax restricted to plain field names with an
optional format spec (``{track:02d}``); ``/`` in the template separates
folders. Fields (see :func:`template_fields`):

==============  ==================================================================
``artist``      the chosen artist (album artist, else first track artist)
``albumartist`` same as ``artist`` (kept for beets/Picard familiarity)
``trackartist`` the track's first credited artist
``artists``     all track artists joined for display ("A, B & C")
``album``       album title ("Unknown Album" when unknown)
``title``       track title ("Unknown Title" when unknown)
``track``       track number, int (0 when unknown) - use ``{track:02d}``
``tracktotal``  tracks on the release, int (0 when unknown)
``disc``        disc number, int (1 when unknown)
``disctotal``   discs on the release, int (1 when unknown)
``discprefix``  ``"D-"`` (e.g. ``"2-"``) on multi-disc releases, else ``""``
``year``        four-digit year or ``""``
``date``        release date as given or ``""``
``albumtype``   album, single, ep or compilation
``isrc``        ISRC or ``""``
``ext``         file extension without the dot, lower case
==============  ==================================================================

Sanitising follows beets' default replacement rules, applied to every value
before it is substituted (so a "/" inside a title cannot create a folder) and
to every path part afterwards: ``<>:"/\\|?*`` and control characters become
``_``; a leading ``.`` or ``-`` becomes ``_``; leading whitespace and trailing
dots and whitespace are removed; Windows reserved device names (CON, PRN, AUX,
NUL, COM1-9, LPT1-9, with or without an extension) get a ``_`` appended;
each part is cut to at most 200 UTF-8 bytes keeping the extension and never
splitting a character, and sanitised again after the cut.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from soulsync.domain import Album, AlbumType, Track, local_relative_name

__all__ = [
    "DEFAULT_ALBUM_TEMPLATE",
    "DEFAULT_SINGLE_TEMPLATE",
    "MAX_PART_BYTES",
    "LayoutTemplates",
    "ResolvedTrack",
    "TemplateError",
    "UnsafePathError",
    "check_relative",
    "destination_for",
    "is_safe_relative",
    "is_single",
    "numbered_variant",
    "render",
    "safe_download_name",
    "sanitize_part",
    "template_fields",
    "truncate_part",
]

DEFAULT_ALBUM_TEMPLATE = "{artist}/{artist} - {album}/{discprefix}{track:02d} {title}.{ext}"
DEFAULT_SINGLE_TEMPLATE = "{artist}/{artist} - {title}/{title}.{ext}"
MAX_PART_BYTES = 200

UNKNOWN_ARTIST = "Unknown Artist"
UNKNOWN_ALBUM = "Unknown Album"
UNKNOWN_TITLE = "Unknown Title"

_ILLEGAL = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_RESERVED = re.compile(r"^(CON|PRN|AUX|NUL|COM[1-9]|LPT[1-9])(\..*)?$", re.IGNORECASE)
_DRIVE = re.compile(r"^[A-Za-z]:")
_ALLOWED_FIELDS = frozenset(
    {
        "artist",
        "albumartist",
        "trackartist",
        "artists",
        "album",
        "title",
        "track",
        "tracktotal",
        "disc",
        "disctotal",
        "discprefix",
        "year",
        "date",
        "albumtype",
        "isrc",
        "ext",
    }
)


class TemplateError(ValueError):
    """A path template is malformed or uses an unknown field."""


class UnsafePathError(ValueError):
    """A relative path could escape its root (``..``, absolute, drive, UNC...)."""


@dataclass(frozen=True, slots=True)
class ResolvedTrack:
    """Everything layout needs: the track, its release (if known) and the chosen artist.

    ``artist`` is the artist the user picked (the folder owner); when None the
    album's artist, then the track's first artist, is used.
    """

    track: Track
    album: Album | None = None
    artist: str | None = None


@dataclass(frozen=True, slots=True)
class LayoutTemplates:
    """The two configurable path templates."""

    album: str = DEFAULT_ALBUM_TEMPLATE
    single: str = DEFAULT_SINGLE_TEMPLATE

    def validate(self) -> None:
        """Raise :class:`TemplateError` if either template is unusable."""
        for tmpl in (self.album, self.single):
            _check_template(tmpl)


# --------------------------------------------------------------------------- sanitising


def sanitize_part(part: str, *, fallback: str = "_") -> str:
    """Make one path component portable (beets' default rules plus reserved names).

    Never returns "", "." or ".."; ``fallback`` is used when nothing is left.
    """
    text = unicodedata.normalize("NFC", part)
    text = _ILLEGAL.sub("_", text)
    text = text.lstrip()
    if text[:1] in (".", "-"):
        text = "_" + text[1:]
    text = text.rstrip(". \t")
    if not text:
        return fallback
    match = _RESERVED.match(text)
    if match:
        text = match.group(1) + "_" + (match.group(2) or "")
    return text


def _cut_bytes(text: str, limit: int) -> str:
    """The longest prefix of ``text`` that fits ``limit`` UTF-8 bytes, whole characters only."""
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    # "ignore" drops a trailing partial multibyte sequence instead of splitting it.
    return encoded[:limit].decode("utf-8", "ignore")


def truncate_part(part: str, limit: int = MAX_PART_BYTES, *, keep_ext: bool = False) -> str:
    """Cut one already-sanitised component to ``limit`` UTF-8 bytes and re-sanitise.

    With ``keep_ext`` the extension (after the last dot, up to 16 bytes) is
    kept and only the stem is shortened.
    """
    if len(part.encode("utf-8")) <= limit:
        return part
    stem, ext = part, ""
    if keep_ext and "." in part.lstrip("."):
        head, _, tail = part.rpartition(".")
        if 0 < len(tail.encode("utf-8")) <= 16 and head:
            stem, ext = head, "." + tail
    stem = _cut_bytes(stem, limit - len(ext.encode("utf-8")))
    result = sanitize_part(stem) + ext
    # Re-sanitising can only keep or shorten the stem ("_" fallback is 1 byte), so
    # the result fits; the loop guards the reserved-name suffix ("CON" -> "CON_").
    while len(result.encode("utf-8")) > limit and stem:
        stem = stem[:-1]
        result = sanitize_part(stem) + ext
    return result


# --------------------------------------------------------------------------- path safety


def _split_any(path: str) -> list[str]:
    # Both separators count: a peer's "a\\..\\b" must not pass as one odd name.
    return re.split(r"[\\/]+", path)


def is_safe_relative(path: str | PurePosixPath) -> bool:
    """True if ``path`` stays inside whatever root it is joined to.

    Rejects empty paths, absolute POSIX paths, Windows drive (``C:``) and UNC
    (``\\\\host``) paths, any ``..`` component (with either separator) and NUL.
    """
    text = str(path)
    if not text or text in (".",) or "\x00" in text:
        return False
    if text.startswith(("/", "\\")) or _DRIVE.match(text):
        return False
    parts = [p for p in _split_any(text) if p not in ("", ".")]
    return bool(parts) and all(p != ".." for p in parts)


def check_relative(path: str | PurePosixPath) -> PurePosixPath:
    """Return ``path`` as a normalised relative POSIX path, or raise.

    Raises:
        UnsafePathError: :func:`is_safe_relative` is False.
    """
    if not is_safe_relative(path):
        raise UnsafePathError(f"path would escape its root: {str(path)!r}")
    parts = [p for p in _split_any(str(path)) if p not in ("", ".")]
    return PurePosixPath(*parts)


def safe_download_name(remote_filename: str) -> PurePosixPath:
    """A safe local ``folder/file`` for a hostile Soulseek remote path.

    Keeps the last remote folder and the file name (as slskd stores them),
    sanitising each part so the result can never escape the downloads root.
    """
    rel = local_relative_name(remote_filename)
    parts = [p for p in rel.parts if p not in ("", ".", "..")] or ["_"]
    clean = [sanitize_part(p) for p in parts[:-1]]
    clean.append(truncate_part(sanitize_part(parts[-1]), keep_ext=True))
    return check_relative(PurePosixPath(*[truncate_part(p) for p in clean[:-1]], clean[-1]))


# --------------------------------------------------------------------------- templates


class _Formatter(string.Formatter):
    """``str.format`` limited to plain field names: no attribute or index access."""

    def get_field(self, field_name: str, args: Any, kwargs: Any) -> Any:
        if field_name not in _ALLOWED_FIELDS:
            raise TemplateError(f"unknown template field {{{field_name}}}")
        return kwargs[field_name], field_name


_FORMATTER = _Formatter()


# A format spec may pad a number (``{track:02d}``) or shorten a text (``{title:.40}``);
# a huge width (``{title:>2000000000}``) would allocate gigabytes for every filed track.
MAX_SPEC_WIDTH = 10
MAX_SPEC_PRECISION = 255
_SPEC = re.compile(
    r"^(?:.?[<>=^])?[+\- ]?z?#?0?(?P<width>\d+)?[_,]?(?:\.(?P<precision>\d+))?[bcdeEfFgGnosxX%]?$",
    re.DOTALL,
)


def _check_spec(name: str, spec: str) -> None:
    if "{" in spec:
        raise TemplateError(f"{{{name}:{spec}}}: nested fields in a format spec are not allowed")
    match = _SPEC.match(spec)
    if match is None:
        if re.search(r"\d{4,}", spec):
            raise TemplateError(f"{{{name}:{spec}}}: a width over {MAX_SPEC_WIDTH} is not allowed")
        return  # not a valid spec at all: formatting says why
    width, precision = match.group("width"), match.group("precision")
    if width is not None and (len(width) > 3 or int(width) > MAX_SPEC_WIDTH):
        raise TemplateError(f"{{{name}:{spec}}}: a width over {MAX_SPEC_WIDTH} is not allowed")
    if precision is not None and (len(precision) > 4 or int(precision) > MAX_SPEC_PRECISION):
        raise TemplateError(
            f"{{{name}:{spec}}}: a precision over {MAX_SPEC_PRECISION} is not allowed"
        )


def _check_template(template: str) -> None:
    try:
        parsed = list(_FORMATTER.parse(template))
    except ValueError as exc:
        raise TemplateError(f"malformed template {template!r}: {exc}") from exc
    names = [name for _lit, name, _spec, _conv in parsed if name is not None]
    for name in names:
        if name not in _ALLOWED_FIELDS:
            raise TemplateError(f"unknown template field {{{name}}} in {template!r}")
    for _lit, field, spec, _conv in parsed:
        if field is not None and spec:
            _check_spec(field, spec)
    if not template.endswith("{ext}"):
        raise TemplateError(f"template must end with .{{ext}}: {template!r}")
    if template.startswith("/") or ".." in template.split("/"):
        raise TemplateError(f"template must be a relative path: {template!r}")


def is_single(resolved: ResolvedTrack) -> bool:
    """True when the track is a one-track single (or has no album to file under)."""
    album, track = resolved.album, resolved.track
    album_type = album.album_type if album is not None else track.album_type
    total = (album.total_tracks if album is not None else None) or track.total_tracks
    title = album.title if album is not None else track.album
    if not title:
        return True
    if album_type is AlbumType.SINGLE:
        # A multi-track single (A/B sides, remixes) is filed like an EP.
        return total is None or total <= 1
    # A one-track EP is a single in all but name; a several-track EP is an album.
    return album_type is AlbumType.EP and total == 1


def template_fields(resolved: ResolvedTrack, ext: str) -> dict[str, str | int]:
    """The values a template can use, with fallbacks for missing metadata.

    String values have separators and control characters replaced already.
    """
    track, album = resolved.track, resolved.album
    artist = (
        resolved.artist
        or (album.artist if album is not None else "")
        or (track.album_artists[0] if track.album_artists else "")
        or track.artist
    )
    album_title = (album.title if album is not None else track.album) or ""
    date = (album.release_date if album is not None else None) or track.release_date or ""
    year = date[:4] if date[:4].isdigit() else ""
    total_discs = (album.total_discs if album is not None else None) or track.total_discs or 1
    disc = track.disc_number or 1
    album_type = (album.album_type if album is not None else None) or track.album_type
    total_tracks = (album.total_tracks if album is not None else None) or track.total_tracks or 0

    def clean(value: str, fallback: str) -> str:
        # Only what could split or break a part is replaced here; the rules that
        # depend on position (leading dot, reserved names...) apply to the whole
        # rendered part in render().
        text = _ILLEGAL.sub("_", unicodedata.normalize("NFC", value)).strip()
        return text or fallback

    return {
        "artist": clean(artist, UNKNOWN_ARTIST),
        "albumartist": clean(artist, UNKNOWN_ARTIST),
        "trackartist": clean(track.artist, UNKNOWN_ARTIST),
        "artists": clean(track.display_artist, UNKNOWN_ARTIST),
        "album": clean(album_title, UNKNOWN_ALBUM),
        "title": clean(track.title or "", UNKNOWN_TITLE),
        "track": track.track_number or 0,
        "tracktotal": total_tracks,
        "disc": disc,
        "disctotal": total_discs,
        "discprefix": f"{disc}-" if total_discs > 1 else "",
        "year": year,
        "date": clean(date, "") if date else "",
        "albumtype": str(album_type) if album_type is not None else "",
        "isrc": clean(track.isrc or "", ""),
        "ext": clean(ext.lstrip(".").lower(), "bin"),
    }


def render(template: str, values: Mapping[str, str | int]) -> PurePosixPath:
    """Fill ``template`` with ``values`` and make every part portable and short enough.

    Raises:
        TemplateError: malformed template or unknown field.
    """
    _check_template(template)
    try:
        text = _FORMATTER.vformat(template, (), dict(values))
    except (ValueError, KeyError, IndexError) as exc:
        raise TemplateError(f"cannot fill template {template!r}: {exc}") from exc
    raw_parts = [p for p in text.split("/") if p.strip()]
    if not raw_parts:
        raise TemplateError(f"template {template!r} produced an empty path")
    parts = [truncate_part(sanitize_part(p)) for p in raw_parts[:-1]]
    parts.append(truncate_part(sanitize_part(raw_parts[-1]), keep_ext=True))
    return check_relative(PurePosixPath(*parts))


def destination_for(
    resolved: ResolvedTrack, ext: str, templates: LayoutTemplates | None = None
) -> PurePosixPath:
    """The relative library path for ``resolved`` with extension ``ext``.

    Same metadata gives the same path, whatever order tracks arrive in.
    """
    tmpl = templates or LayoutTemplates()
    template = tmpl.single if is_single(resolved) else tmpl.album
    return render(template, template_fields(resolved, ext))


def numbered_variant(name: str, n: int) -> str:
    """``"Title.flac"`` -> ``"Title (n).flac"``, still within the byte limit.

    Used by the mover when a different file already has the name.
    """
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        stem, ext = name, ""
    suffix = f" ({n})" + (f".{ext}" if ext else "")
    budget = MAX_PART_BYTES - len(suffix.encode("utf-8"))
    return sanitize_part(_cut_bytes(stem, budget)) + suffix
