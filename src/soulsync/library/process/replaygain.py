"""ReplayGain 2.0 for files: analyse tracks (in parallel), compute track and album gain, tag.

Album gain follows EBU R128 practice as rsgain and beets do: the album is
one programme, its blocks gated together (:func:`~.loudness.album_loudness`),
and every track of it gets the same album gain and peak.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from soulsync.library.process.decode import AudioSource
from soulsync.library.process.gain_tags import GainTags, gain_db, read_gain, write_gain
from soulsync.library.process.loudness import Loudness, album_loudness, analyse_file
from soulsync.library.process.safe_write import rewrite_in_place

__all__ = [
    "TrackAnalysis",
    "album_gains",
    "analyse_tracks",
    "default_workers",
    "tag_files",
    "track_gains",
]


def default_workers() -> int:
    """Parallelism when the setting is left at 0: the number of usable cores."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True, slots=True)
class TrackAnalysis:
    """One file's stream and loudness."""

    path: Path
    source: AudioSource
    loudness: Loudness


def analyse_tracks(
    paths: Sequence[Path], *, workers: int = 0, measure_true_peak: bool = False
) -> list[TrackAnalysis]:
    """Analyse ``paths`` with at most ``workers`` threads (0 = cores), in input order.

    PyAV decoding and the scipy filters release the GIL, so threads use the
    cores without the start-up cost of processes.

    Raises:
        soulsync.library.process.ProcessError: the first file that failed.
    """

    def one(path: Path) -> TrackAnalysis:
        source, loud = analyse_file(path, measure_true_peak=measure_true_peak)
        return TrackAnalysis(Path(path), source, loud)

    n = min(len(paths), workers or default_workers())
    if n <= 1:
        return [one(p) for p in paths]
    with ThreadPoolExecutor(max_workers=n, thread_name_prefix="loudness") as pool:
        return list(pool.map(one, paths))


def track_gains(loudness: Loudness) -> GainTags:
    """Track gain and peak only."""
    return GainTags(gain_db(loudness.integrated_lufs), loudness.peak)


def album_gains(tracks: Sequence[Loudness]) -> list[GainTags]:
    """Track gain/peak for each track plus the album's shared gain/peak."""
    album = album_loudness(tracks)
    album_gain, album_peak = gain_db(album.integrated_lufs), album.peak
    return [GainTags(gain_db(t.integrated_lufs), t.peak, album_gain, album_peak) for t in tracks]


def tag_files(paths: Sequence[Path], gains: Sequence[GainTags], *, keep_album: bool) -> None:
    """Write each file's gains safely (copy, tag, verify read-back, replace)."""
    for path, gain in zip(paths, gains, strict=True):

        def verify(temp: Path, want: GainTags = gain) -> None:
            got = read_gain(temp)
            _check_readback(want, got, temp, keep_album=keep_album)

        def change(temp: Path, want: GainTags = gain) -> None:
            write_gain(temp, want, keep_album=keep_album)

        rewrite_in_place(path, change, verify)


def _check_readback(want: GainTags, got: GainTags, path: Path, *, keep_album: bool) -> None:
    from soulsync.library.process.errors import ProcessError

    pairs = [(want.track_gain_db, got.track_gain_db, 0.01)]
    if want.album_gain_db is not None or not keep_album:
        pairs.append((want.album_gain_db, got.album_gain_db, 0.01))
    for a, b, tol in pairs:
        if (a is None) != (b is None) or (a is not None and b is not None and abs(a - b) > tol):
            raise ProcessError("verify_failed", f"gain tags read back as {got}, wrote {want}", path)
