"""Import a playlist from a file: Exportify CSV, M3U/M3U8, or plain ``Artist - Title`` lines.

Users bring playlists from services we cannot read (followed Spotify
playlists in Development Mode, Apple Music, old players), so this reader is
forgiving about the file but precise about what it could not use: every row it
skips or half-reads is reported with its line number and why, and nothing is
silently dropped.

* **CSV** (Exportify and similar): columns are found by name, tolerating
  variants (``Track Name``/``Title``/``Name``, ``Artist Name(s)``/``Artists``,
  ``Track Duration (ms)``/``Duration (ms)``/``Duration`` as seconds or m:ss, ...).
  A ``spotify:track:ID`` URI becomes the track's Spotify id. Multiple artists
  are split on ``;`` if present, else on ``,`` (Exportify's separator; an
  artist whose name contains a comma is split too - a known limit of the format).
* **M3U/M3U8**: ``#EXTINF:secs,Artist - Title`` gives artist, title and duration;
  an entry with no ``#EXTINF`` is read from its file name (``soulsync.matching``'s
  path parser). ``#PLAYLIST:`` names the playlist.
* **Text**: one ``Artist - Title`` per line; blank lines and ``#`` comments ignored.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from soulsync.domain import Playlist, PlaylistEntry, Source, Track
from soulsync.matching.filename import parse_path

FORMATS = ("csv", "m3u", "text")
# A playlist of 10,000 CSV rows is about 3 MB; nothing bigger than the cap is read
# (a hostile path such as /dev/zero would otherwise be read until memory runs out).
# The default of ``[sync] max_playlist_file_mb``.
MAX_PLAYLIST_BYTES = 10_000_000
# Longer than this is no track length (a corrupt or hostile value).
_MAX_DURATION_S = 24 * 3600
_MAX_NUMBER = 9999  # track and disc numbers
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_SEPARATOR = re.compile(r"\s+[-–—]\s+")
_EXTINF = re.compile(r"^#EXTINF:\s*(-?\d+(?:\.\d+)?)\s*(?:[^,]*)?,(.*)$", re.IGNORECASE)


class PlaylistFileError(ValueError):
    """The file cannot be imported at all; the message names the file and line."""


@dataclass(frozen=True, slots=True)
class LineIssue:
    """A problem with one line: skipped entirely, or read with a field ignored."""

    line: int
    text: str
    reason: str
    skipped: bool = True

    def __str__(self) -> str:
        what = "skipped" if self.skipped else "note"
        return f"line {self.line}: {what}: {self.reason} ({self.text[:80]!r})"


@dataclass(frozen=True, slots=True)
class ImportResult:
    """The imported playlist plus every line that was skipped or only partly read."""

    playlist: Playlist
    issues: tuple[LineIssue, ...] = ()
    format: str = "text"

    @property
    def skipped(self) -> tuple[LineIssue, ...]:
        """Lines that produced no entry."""
        return tuple(i for i in self.issues if i.skipped)


def read_playlist_file(
    path: str | Path,
    *,
    name: str | None = None,
    fmt: str | None = None,
    max_bytes: int = MAX_PLAYLIST_BYTES,
) -> ImportResult:
    """Read ``path`` (format from ``fmt``, else the extension, else the content).

    A file larger than ``max_bytes`` is refused with a clear error before it is read.
    """
    file = Path(path)
    raw = read_capped(file, max_bytes)
    return read_playlist_bytes(raw, str(file), name=name or file.stem, fmt=fmt, max_bytes=max_bytes)


def too_large(origin: str | Path, size: int, max_bytes: int) -> PlaylistFileError:
    """The per-file error for a playlist file over the size cap."""
    return PlaylistFileError(
        f"{origin}: too large ({size:,} bytes; playlist files are limited to "
        f"{max_bytes / 1_000_000:g} MB, see [sync] max_playlist_file_mb)"
    )


def read_playlist_bytes(
    raw: bytes,
    origin: str,
    *,
    name: str | None = None,
    fmt: str | None = None,
    max_bytes: int = MAX_PLAYLIST_BYTES,
) -> ImportResult:
    """Parse a playlist file's bytes (an upload, or what :func:`read_capped` read).

    ``origin`` is the file's name or path, used for the format guess and in messages.
    """
    if len(raw) > max_bytes:
        raise too_large(origin, len(raw), max_bytes)
    text = _decode(raw, Path(origin))
    chosen = fmt or detect_format(Path(origin).name, text)
    return parse_playlist_text(text, fmt=chosen, name=name or Path(origin).stem, origin=origin)


def read_capped(file: Path, max_bytes: int = MAX_PLAYLIST_BYTES) -> bytes:
    """The bytes of the regular file ``file``, refusing devices, FIFOs and files over ``max_bytes``.

    The size is checked on the open descriptor and again while reading, so a
    file that grows (or a path swapped for a device) cannot make us read more.
    """
    try:
        fd = os.open(file, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise PlaylistFileError(f"{file}: cannot read ({exc.strerror})") from exc
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise PlaylistFileError(f"{file}: not a regular file")
        if info.st_size > max_bytes:
            raise too_large(file, info.st_size, max_bytes)
        raw = handle.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise too_large(file, len(raw), max_bytes)
    return raw


def detect_format(filename: str, text: str) -> str:
    """``csv``, ``m3u`` or ``text`` from the file name, falling back to the content."""
    lower = filename.lower()
    if lower.endswith(".csv"):
        return "csv"
    if lower.endswith((".m3u", ".m3u8")):
        return "m3u"
    first = text.lstrip().splitlines()[0] if text.strip() else ""
    if first.upper().startswith("#EXTM3U"):
        return "m3u"
    if first.count(",") >= 2 and re.search(r"(?i)track|title|name", first):
        return "csv"
    return "text"


def parse_playlist_text(text: str, *, fmt: str, name: str, origin: str = "<text>") -> ImportResult:
    """Parse playlist ``text`` of format ``fmt`` into a ``Playlist(source=FILE)``."""
    parsers: dict[str, Callable[[str, str], tuple[list[Track], list[LineIssue], str | None]]] = {
        "csv": _parse_csv,
        "m3u": _parse_m3u,
        "text": _parse_lines,
    }
    if fmt not in parsers:
        raise PlaylistFileError(f"{origin}: unknown playlist format {fmt!r} (use {FORMATS})")
    tracks, issues, title = parsers[fmt](text, origin)
    if not tracks:
        # Line number and reason only: the file's text is never echoed back, since
        # the file may not be a playlist at all (and the caller may not own it).
        detail = f"; first problem: line {issues[0].line}: {issues[0].reason}" if issues else ""
        raise PlaylistFileError(f"{origin}: no usable tracks found{detail}")
    digest = hashlib.sha1(f"{origin}\n{text}".encode()).hexdigest()
    playlist = Playlist(
        id=f"file:{digest[:16]}",
        name=title or name,
        source=Source.FILE,
        owner=None,
        snapshot_id=digest,
        total=len(tracks),
        entries=tuple(PlaylistEntry(i, t) for i, t in enumerate(tracks)),
    )
    return ImportResult(playlist=playlist, issues=tuple(issues), format=fmt)


def _decode(raw: bytes, file: Path) -> str:
    # .m3u8 and Exportify are UTF-8 (often with a BOM); classic .m3u is often Latin-1;
    # Windows tools (Notepad, Excel "Unicode text") write UTF-16 with a BOM.
    if raw.startswith(_UTF16_BOMS):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise PlaylistFileError(f"{file}: broken UTF-16 text ({exc.reason})") from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise PlaylistFileError(f"{file}: not UTF-8 or Windows-1252 text") from exc


def split_artist_title(text: str) -> tuple[str, str] | None:
    """``"Artist - Title"`` into its parts (first spaced dash), or None."""
    parts = _SEPARATOR.split(text.strip(), maxsplit=1)
    if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
        return None
    return parts[0].strip(), parts[1].strip()


# -- plain lines ----------------------------------------------------------------------------


def _parse_lines(text: str, origin: str) -> tuple[list[Track], list[LineIssue], str | None]:
    tracks: list[Track] = []
    issues: list[LineIssue] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        parts = split_artist_title(stripped)
        if parts is None:
            issues.append(LineIssue(number, stripped, "expected 'Artist - Title'"))
            continue
        tracks.append(Track(title=parts[1], artists=(parts[0],)))
    return tracks, issues, None


# -- M3U --------------------------------------------------------------------------------------


def _parse_m3u(text: str, origin: str) -> tuple[list[Track], list[LineIssue], str | None]:
    tracks: list[Track] = []
    issues: list[LineIssue] = []
    title: str | None = None
    pending: tuple[int, str, float | None, str] | None = None  # line, raw, seconds, info
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped:
            continue
        upper = stripped.upper()
        if upper.startswith("#EXTINF"):
            match = _EXTINF.match(stripped)
            if match is None:
                issues.append(LineIssue(number, stripped, "malformed #EXTINF (no comma)", False))
                pending = None
                continue
            seconds = float(match.group(1))
            if not 0 < seconds <= _MAX_DURATION_S:
                if seconds > 0:  # -1 is M3U's "unknown length", not a problem
                    issues.append(
                        LineIssue(number, stripped, "impossible #EXTINF length ignored", False)
                    )
                seconds = 0
            pending = (number, stripped, seconds or None, match.group(2).strip())
            continue
        if upper.startswith("#PLAYLIST:"):
            title = stripped.split(":", 1)[1].strip() or None
            continue
        if stripped.startswith("#"):
            continue
        track = _m3u_entry(stripped, pending)
        if track is None:
            where = pending[0] if pending else number
            issues.append(LineIssue(where, stripped, "no artist/title in #EXTINF or file name"))
        else:
            tracks.append(track)
        pending = None
    if pending is not None:
        issues.append(LineIssue(pending[0], pending[1], "#EXTINF without a following entry"))
    return tracks, issues, title


def _m3u_entry(location: str, info: tuple[int, str, float | None, str] | None) -> Track | None:
    duration = round(info[2] * 1000) if info and info[2] else None
    if info and info[3]:
        parts = split_artist_title(info[3])
        if parts is not None:
            return Track(title=parts[1], artists=(parts[0],), duration_ms=duration)
    # No usable #EXTINF: read the file name (and folders) like a Soulseek path.
    anatomy = parse_path(location.replace("\\", "/"))
    reading = anatomy.readings[0] if anatomy.readings else None
    artist = (reading.artist if reading else None) or anatomy.artist
    if reading is None or not artist or not reading.title:
        return None
    return Track(
        title=reading.title,
        artists=(artist,),
        album=anatomy.album,
        track_number=anatomy.track,
        disc_number=anatomy.disc,
        duration_ms=duration,
    )


# -- CSV ---------------------------------------------------------------------------------------

_COLUMNS: dict[str, tuple[str, ...]] = {
    "title": ("trackname", "title", "name", "song", "songname", "track"),
    "artists": ("artistnames", "artistname", "artists", "artist", "trackartist"),
    "album": ("albumname", "album", "albumtitle"),
    "album_artists": ("albumartistnames", "albumartistname", "albumartist"),
    "duration_ms": ("trackdurationms", "durationms", "duration", "length", "time"),
    "isrc": ("isrc",),
    "disc_number": ("discnumber", "disc", "discno"),
    "track_number": ("tracknumber", "trackno", "tracknum", "number"),
    "uri": ("trackuri", "spotifyuri", "uri", "spotifyid", "trackid"),
    "release_date": ("releasedate", "albumreleasedate", "year"),
}


def _header_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _find_columns(header: list[str]) -> dict[str, int]:
    keys = [_header_key(h) for h in header]
    found: dict[str, int] = {}
    for field_name, candidates in _COLUMNS.items():
        for candidate in candidates:
            if candidate in keys:
                found[field_name] = keys.index(candidate)
                break
    return found


def _parse_csv(text: str, origin: str) -> tuple[list[Track], list[LineIssue], str | None]:
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = next(reader)
    except StopIteration:
        raise PlaylistFileError(f"{origin}: the CSV file is empty") from None
    columns = _find_columns(header)
    missing = [f for f in ("title", "artists") if f not in columns]
    if missing:
        raise PlaylistFileError(
            f"{origin}: line 1: the header has no {' or '.join(missing)} column "
            f"(found {len(header)} other columns)"
        )
    tracks: list[Track] = []
    issues: list[LineIssue] = []
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            issues.append(LineIssue(start, "", f"unreadable CSV row: {exc}"))
            continue
        if not any(cell.strip() for cell in row):
            continue
        track, row_issues = _csv_track(row, columns, start)
        issues.extend(row_issues)
        if track is not None:
            tracks.append(track)
    return tracks, issues, None


def _csv_track(
    row: list[str], columns: dict[str, int], line: int
) -> tuple[Track | None, list[LineIssue]]:
    def cell(name: str) -> str:
        index = columns.get(name)
        return row[index].strip() if index is not None and index < len(row) else ""

    raw = ",".join(row)
    title, artist_cell = cell("title"), cell("artists")
    if not title:
        return None, [LineIssue(line, raw, "no track title")]
    if not artist_cell:
        return None, [LineIssue(line, raw, "no artist")]
    issues: list[LineIssue] = []
    numbers: dict[str, int | None] = {}
    for name in ("disc_number", "track_number"):
        value = cell(name)
        # ASCII digits only ("²".isdigit() is True but int() refuses it), within reason.
        plain = re.fullmatch(r"[0-9]{1,6}", value) is not None and 0 < int(value) <= _MAX_NUMBER
        numbers[name] = int(value) if plain else None
        if value and not plain:
            issues.append(
                LineIssue(line, raw, f"{name.replace('_', ' ')} {value!r} ignored", False)
            )
    duration_text = cell("duration_ms")
    duration = _duration_ms(duration_text)
    if duration_text and duration is None:
        issues.append(LineIssue(line, raw, f"duration {duration_text!r} ignored", False))
    uri = cell("uri")
    ids = {}
    match = re.search(r"(?:spotify:track:|open\.spotify\.com/track/)([A-Za-z0-9]{22})", uri)
    if match:
        ids["spotify"] = match.group(1)
    elif re.fullmatch(r"[A-Za-z0-9]{22}", uri):
        ids["spotify"] = uri
    album_artists = _split_artists(cell("album_artists"))
    track = Track(
        title=title,
        artists=_split_artists(artist_cell),
        album=cell("album") or None,
        album_artists=album_artists,
        track_number=numbers["track_number"],
        disc_number=numbers["disc_number"],
        duration_ms=duration,
        isrc=cell("isrc").upper() or None,
        ids=ids,
        release_date=cell("release_date") or None,
    )
    return track, issues


def _split_artists(text: str) -> tuple[str, ...]:
    if not text:
        return ()
    separator = ";" if ";" in text else ","
    return tuple(p.strip() for p in text.split(separator) if p.strip())


def _duration_ms(text: str) -> int | None:
    if not text:
        return None
    if re.fullmatch(r"\d+:\d{1,2}(?::\d{1,2})?", text):
        total = 0
        for part in text.split(":"):
            total = total * 60 + int(part)
        return total * 1000
    try:
        value = float(text)
    except ValueError:
        return None
    if not math.isfinite(value) or value <= 0:  # "nan", "inf", "1e999"
        return None
    # A "Duration" column with small numbers is in seconds; Exportify's is in ms.
    ms = round(value * 1000) if value < 10_000 else round(value)
    return ms if ms <= _MAX_DURATION_S * 1000 else None
