"""ReplayGain 2.0 and Opus R128 gain tags, in each container's own fields, with mutagen.

ReplayGain 2.0 (https://wiki.hydrogenaud.io/index.php?title=ReplayGain_2.0_specification):
the gain brings the track to −18 LUFS (BS.1770 loudness), written as
``"-6.52 dB"``; the peak is linear (``"0.988525"``). Fields:

* MP3 (ID3v2): ``TXXX`` frames ``REPLAYGAIN_TRACK_GAIN`` / ``_PEAK`` /
  ``REPLAYGAIN_ALBUM_GAIN`` / ``_PEAK`` (the names beets and rsgain write);
* FLAC and Ogg Vorbis: Vorbis comments of the same names;
* MP4/M4A: freeform atoms ``----:com.apple.iTunes:replaygain_track_gain`` …
  (lower case, as foobar2000 and rsgain write them);
* Opus: RFC 7845 section 5.2.1 forbids REPLAYGAIN_* and defines
  ``R128_TRACK_GAIN`` / ``R128_ALBUM_GAIN``: a signed integer, the gain in
  1/256 dB (Q7.8) towards −23 LUFS, applied on top of the header's output
  gain. No peak field exists for Opus.

Writing replaces any earlier gain fields (whatever their case), so a file
never carries two conflicting values.
"""

from __future__ import annotations

import math
import re
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mutagen
from mutagen.flac import FLAC
from mutagen.id3 import ID3, TXXX
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4, MP4FreeForm
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis

from soulsync.library.process.errors import ProcessError

__all__ = [
    "OPUS_REFERENCE_LUFS",
    "REFERENCE_LUFS",
    "GainTags",
    "clear_gain",
    "gain_db",
    "read_gain",
    "write_gain",
]

REFERENCE_LUFS = -18.0
OPUS_REFERENCE_LUFS = -23.0
_MP4_PREFIX = "----:com.apple.iTunes:"
_RG_KEYS = (
    "replaygain_track_gain",
    "replaygain_track_peak",
    "replaygain_album_gain",
    "replaygain_album_peak",
)
_ALL_KEYS = frozenset(
    {*_RG_KEYS, "replaygain_reference_loudness", "r128_track_gain", "r128_album_gain"}
)
_DB = re.compile(r"^\s*([+-]?\d+(?:\.\d+)?)\s*(?:dB)?\s*$", re.IGNORECASE)
# Q7.8 is a signed 16-bit value.
_Q78_MIN, _Q78_MAX = -32768, 32767


@dataclass(frozen=True, slots=True)
class GainTags:
    """Gain values as stored in (or read from) a file; None = absent.

    ``*_gain_db`` are relative to the ReplayGain reference (−18 LUFS) for
    every format, Opus included (converted from its −23 LUFS fields), so
    callers compare like with like.
    """

    track_gain_db: float | None = None
    track_peak: float | None = None
    album_gain_db: float | None = None
    album_peak: float | None = None


def gain_db(integrated_lufs: float, reference: float = REFERENCE_LUFS) -> float:
    """The gain (dB) that brings ``integrated_lufs`` to ``reference``."""
    return reference - integrated_lufs


def _fmt_gain(value: float) -> str:
    return f"{value:.2f} dB"


def _fmt_peak(value: float) -> str:
    return f"{value:.6f}"


def _q78(gain_rg_db: float) -> str:
    """A −18 LUFS-referenced gain as an Opus R128 field (−23 LUFS reference, 1/256 dB)."""
    value = round((gain_rg_db + OPUS_REFERENCE_LUFS - REFERENCE_LUFS) * 256)
    return str(max(_Q78_MIN, min(_Q78_MAX, value)))


def _from_q78(text: str) -> float | None:
    try:
        return int(text.strip()) / 256 - OPUS_REFERENCE_LUFS + REFERENCE_LUFS
    except ValueError:
        return None


def _parse_gain(text: str | None) -> float | None:
    match = _DB.match(text or "")
    return float(match.group(1)) if match else None


def _parse_peak(text: str | None) -> float | None:
    try:
        value = float((text or "").strip())
    except ValueError:
        return None
    return value if math.isfinite(value) and value >= 0 else None


def _open(path: Path) -> Any:
    try:
        audio = mutagen.File(path)
    except (mutagen.MutagenError, OSError, struct.error, ValueError, EOFError) as exc:
        raise ProcessError("tags", f"cannot read tags ({exc})", path) from exc
    if not isinstance(audio, MP3 | MP4 | FLAC | OggVorbis | OggOpus):
        raise ProcessError("unsupported", "gain tags need MP3, M4A, FLAC, Ogg Vorbis or Opus", path)
    return audio


def _fields(tags: GainTags) -> dict[str, str]:
    out: dict[str, str] = {}
    if tags.track_gain_db is not None:
        out["replaygain_track_gain"] = _fmt_gain(tags.track_gain_db)
    if tags.track_peak is not None:
        out["replaygain_track_peak"] = _fmt_peak(tags.track_peak)
    if tags.album_gain_db is not None:
        out["replaygain_album_gain"] = _fmt_gain(tags.album_gain_db)
    if tags.album_peak is not None:
        out["replaygain_album_peak"] = _fmt_peak(tags.album_peak)
    return out


def write_gain(path: Path, tags: GainTags, *, keep_album: bool = False) -> None:
    """Write ``tags`` into ``path`` in place (other tags untouched).

    Earlier gain fields are removed first; with ``keep_album`` the album
    fields already in the file stay when ``tags`` has none (a track re-analysed
    on its own keeps its album's gain).

    Raises:
        ProcessError: unsupported or broken file, or the write failed.
    """
    path = Path(path)
    if keep_album and tags.album_gain_db is None:
        old = read_gain(path)
        tags = GainTags(tags.track_gain_db, tags.track_peak, old.album_gain_db, old.album_peak)
    audio = _open(path)
    try:
        if isinstance(audio, MP3):
            _write_id3(audio, tags)
        elif isinstance(audio, MP4):
            _write_mp4(audio, tags)
        elif isinstance(audio, OggOpus):
            _write_opus(audio, tags)
        else:
            _write_vorbis(audio, tags)
    except (mutagen.MutagenError, OSError, struct.error, ValueError) as exc:
        raise ProcessError("tags", f"could not write gain tags ({exc})", path) from exc


def clear_gain(path: Path) -> None:
    """Remove every ReplayGain / R128 field from ``path``."""
    write_gain(path, GainTags())


def _write_id3(audio: Any, tags: GainTags) -> None:
    if audio.tags is None:
        audio.add_tags()
    id3: ID3 = audio.tags
    for frame in list(id3.getall("TXXX")):
        if frame.desc.lower() in _ALL_KEYS:
            id3.delall(f"TXXX:{frame.desc}")
    for key, value in _fields(tags).items():
        id3.add(TXXX(encoding=3, desc=key.upper(), text=[value]))
    # Keep the file's ID3 version: a library tagged as v2.3 (for old players) stays v2.3.
    if tuple(id3.version[:2]) == (2, 3):
        audio.save(v2_version=3)
    else:
        audio.save()


def _write_vorbis(audio: Any, tags: GainTags) -> None:
    if audio.tags is None:
        audio.add_tags()
    for key in list(audio.tags.keys()):
        if key.lower() in _ALL_KEYS:
            del audio.tags[key]
    for key, value in _fields(tags).items():
        audio.tags[key.upper()] = [value]
    audio.save()


def _write_opus(audio: Any, tags: GainTags) -> None:
    if audio.tags is None:
        audio.add_tags()
    for key in list(audio.tags.keys()):
        if key.lower() in _ALL_KEYS:
            del audio.tags[key]
    if tags.track_gain_db is not None:
        audio.tags["R128_TRACK_GAIN"] = [_q78(tags.track_gain_db)]
    if tags.album_gain_db is not None:
        audio.tags["R128_ALBUM_GAIN"] = [_q78(tags.album_gain_db)]
    audio.save()


def _write_mp4(audio: Any, tags: GainTags) -> None:
    if audio.tags is None:
        audio.add_tags()
    for key in list(audio.tags.keys()):
        if key.startswith(_MP4_PREFIX) and key[len(_MP4_PREFIX) :].lower() in _ALL_KEYS:
            del audio.tags[key]
    for key, value in _fields(tags).items():
        audio.tags[_MP4_PREFIX + key] = [MP4FreeForm(value.encode("utf-8"))]
    audio.save()


def read_gain(path: Path) -> GainTags:
    """The gain fields of ``path`` (−18 LUFS reference; Opus R128 converted)."""
    path = Path(path)
    audio: Any = _open(path)
    values: dict[str, str] = {}
    if isinstance(audio, MP3):
        frames: list[Any] = list(audio.tags.values()) if audio.tags is not None else []
        for frame in frames:
            desc = str(getattr(frame, "desc", "")).lower()
            if getattr(frame, "FrameID", "") == "TXXX" and desc in _ALL_KEYS and frame.text:
                values[desc] = str(frame.text[0])
    elif isinstance(audio, MP4):
        mp4_items: list[tuple[str, Any]] = list((audio.tags or {}).items())
        for key, items in mp4_items:
            name = key[len(_MP4_PREFIX) :].lower() if key.startswith(_MP4_PREFIX) else ""
            if name in _ALL_KEYS and items:
                values[name] = bytes(items[0]).decode("utf-8", "replace")
    elif audio.tags is not None:
        for key, items in audio.tags.items():
            if key.lower() in _ALL_KEYS and items:
                values[key.lower()] = str(items[0])
    if isinstance(audio, OggOpus):
        track = values.get("r128_track_gain")
        album = values.get("r128_album_gain")
        return GainTags(
            _from_q78(track) if track is not None else None,
            None,
            _from_q78(album) if album is not None else None,
            None,
        )
    return GainTags(
        _parse_gain(values.get("replaygain_track_gain")),
        _parse_peak(values.get("replaygain_track_peak")),
        _parse_gain(values.get("replaygain_album_gain")),
        _parse_peak(values.get("replaygain_album_peak")),
    )
