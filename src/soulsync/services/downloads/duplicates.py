"""One file per recording: find the copy already filed, and decide which copy to keep.

Before a download is filed, :func:`existing_copy` looks for a file of the same
recording already in the tree: first in SoulSync's own record of filed tracks
(same Spotify/Deezer id or ISRC), then at the planned destination itself when
the matching engine says the file there is the same recording (a file filed
before the record existed, or by hand). :func:`keep_new` then compares the two
by the quality profile (lower tier rank is better); the worse copy is removed,
so the tree never holds ``Title (2).ext`` beside ``Title.ext`` for one song.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import mutagen

from soulsync.domain import LibraryTrack, SoulseekFile, Track
from soulsync.library.tags import TagError, read_tags
from soulsync.matching.score import score_track
from soulsync.matching.settings import MatchSettings
from soulsync.services.filed import FiledTracks

__all__ = ["ExistingCopy", "existing_copy", "keep_new", "quality_of_file"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ExistingCopy:
    """A file of the wanted recording already in the library tree."""

    path: Path
    quality_rank: int
    quality: str
    how: str  # "record" (ids/ISRC) or "engine" (same recording at the destination)


def quality_of_file(path: Path, match: MatchSettings) -> tuple[int, str]:
    """``(rank, tier name)`` of a file on disk in the quality profile (lower is better).

    Read with mutagen (bitrate, bit depth, sample rate); a file mutagen cannot
    read ranks after every tier.
    """
    try:
        audio = mutagen.File(path)
    except (mutagen.MutagenError, OSError) as exc:
        log.debug("cannot read %s for its quality: %s", path, exc)
        audio = None
    info = getattr(audio, "info", None)
    bitrate = getattr(info, "bitrate", None)
    probe = SoulseekFile(
        username="",
        filename=path.name,
        size=path.stat().st_size if path.exists() else 0,
        bit_rate=int(bitrate // 1000) if bitrate else None,
        bit_depth=getattr(info, "bits_per_sample", None) or None,
        sample_rate=getattr(info, "sample_rate", None) or None,
        is_variable_bit_rate=None,
    )
    return match.quality.tier_of(probe)


def existing_copy(
    filed: FiledTracks, tracks: Sequence[Track], destination: Path, match: MatchSettings
) -> ExistingCopy | None:
    """The copy of this recording already filed, if any (blocking: run in a thread).

    ``tracks`` describe the recording being filed (the wanted track and the
    metadata it is tagged with).
    """
    for track in tracks:
        hit = filed.find(track)
        if hit is not None:
            path = Path(hit.path)
            if hit.quality_rank is not None and hit.quality:
                return ExistingCopy(path, hit.quality_rank, hit.quality, "record")
            rank, name = quality_of_file(path, match)
            return ExistingCopy(path, rank, name, "record")
    if not destination.is_file() or not tracks:
        return None
    try:
        tags = read_tags(destination)
    except TagError:
        return None
    if not tags.title:
        return None
    try:
        length = getattr(getattr(mutagen.File(destination), "info", None), "length", None)
    except (mutagen.MutagenError, OSError):
        length = None
    there = LibraryTrack(
        id=str(destination),
        title=tags.title,
        artist=tags.artist or "",
        album=tags.album,
        album_artist=tags.album_artist,
        track_number=tags.track_number,
        disc_number=tags.disc_number,
        duration_ms=int(length * 1000) if length else None,
        path=str(destination),
        isrc=tags.isrc,
    )
    score = score_track(tracks[0], there, match)
    if score.value < match.owned_threshold:
        return None
    rank, name = quality_of_file(destination, match)
    return ExistingCopy(destination, rank, name, "engine")


def keep_new(new_rank: int, existing: ExistingCopy) -> bool:
    """True if the new download is strictly better than the filed copy (ties keep the filed)."""
    return new_rank < existing.quality_rank
