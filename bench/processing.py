"""Audio processing speed: loudness analysis and MP3 encoding, one file and a 12-track album.

Makes its own test audio (stereo 44.1 kHz 16-bit FLAC of band-limited noise
with a changing level, so it is neither silence nor a pure tone) in a
temporary folder, then times:

* loudness analysis (decode + BS.1770 + sample peak) of a 5-minute FLAC,
  and the same with true peak;
* ``process_file`` to MP3 192 (decode, encode, tags, verify by decoding the
  result, ReplayGain tag) of that FLAC;
* a 12-track album: analysis of all tracks with the default parallelism
  (cores) plus album gain and safe tag writes (no conversion): target < 10 s;
* the album converted to MP3 192 with the default parallelism.

Realtime factor = audio seconds / wall seconds; "per core" divides by the
CPU seconds the process used instead, so it holds on a loaded machine too.
Target: analysis >= 100x realtime per core.

    .venv/bin/python bench/processing.py [--seconds 300] [--tracks 12] [--track-seconds 210]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from scipy import signal

from soulsync.library.process.encode import Target, encode
from soulsync.library.process.loudness import analyse_file
from soulsync.library.process.pipeline import process_file
from soulsync.library.process.profile import Profile
from soulsync.library.process.replaygain import (
    album_gains,
    analyse_tracks,
    default_workers,
    tag_files,
)
from soulsync.services.processing_batch import process_paths

RATE = 44100


_BASE: dict[int, np.ndarray] = {}


def _base(n: int) -> np.ndarray:
    """Band-limited stereo noise of ``n`` samples, made once per length."""
    if n not in _BASE:
        rng = np.random.default_rng(1)
        b, a = signal.butter(2, [60 / (RATE / 2), 9000 / (RATE / 2)], btype="band")
        x = signal.lfilter(b, a, rng.standard_normal((2, n)).astype(np.float32), axis=1)
        _BASE[n] = (x / np.abs(x).max()).astype(np.float32)
    return _BASE[n]


def make_flac(path: Path, seconds: float, seed: int) -> Path:
    """Write the noise, shifted and with its own slow level change, as 16-bit FLAC."""
    n = int(RATE * seconds)
    x = np.roll(_base(n), seed * 7919, axis=1)
    phase = seed * 0.7
    env = 0.1 + 0.2 * (0.5 + 0.5 * np.sin(2 * np.pi * np.arange(n) / (RATE * 11.0) + phase))
    encode((x * env * 0.9).astype(np.float32), RATE, "stereo", path, Target("flac"))
    return path


def timed(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """(wall seconds, CPU seconds of this process, result)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def line(what: str, audio_s: float, wall: float, cpu: float, extra: str = "") -> None:
    print(
        f"{what:<46} {wall:7.2f} s wall {cpu:7.2f} s cpu   "
        f"{audio_s / wall:7.1f}x realtime  {audio_s / max(cpu, 1e-9):7.1f}x per core {extra}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=300.0, help="length of the single file")
    parser.add_argument("--tracks", type=int, default=12)
    parser.add_argument("--track-seconds", type=float, default=210.0)
    args = parser.parse_args()
    workers = default_workers()
    print(f"default parallelism: {workers} workers")
    with tempfile.TemporaryDirectory(prefix="bench-processing-") as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        single = make_flac(root / "single.flac", args.seconds, seed=1)
        album_dir = root / "album"
        album_dir.mkdir()
        tracks = [
            make_flac(album_dir / f"{i + 1:02d}.flac", args.track_seconds, seed=10 + i)
            for i in range(args.tracks)
        ]
        album_s = args.tracks * args.track_seconds
        print(
            f"made {args.seconds:.0f} s FLAC and {args.tracks} x {args.track_seconds:.0f} s album "
            f"in {time.perf_counter() - t0:.1f} s\n"
        )

        analyse_file(single)  # warm up imports and caches once
        wall, cpu, (_, loud) = timed(lambda: analyse_file(single))
        line(
            f"analysis, {args.seconds:.0f} s FLAC",
            args.seconds,
            wall,
            cpu,
            f"{loud.integrated_lufs:.2f} LUFS",
        )
        wall, cpu, (_, loud) = timed(lambda: analyse_file(single, measure_true_peak=True))
        line("analysis + true peak", args.seconds, wall, cpu, f"TP {loud.true_peak:.3f}")

        out = root / "mp3"
        wall, cpu, result = timed(
            lambda: process_file(single, Profile(convert="mp3", bitrate_kbps=192), out_dir=out)
        )
        line(
            "process_file -> MP3 192 (+verify, tags)",
            args.seconds,
            wall,
            cpu,
            f"{result.output_bytes / 1e6:.1f} MB",
        )

        def album_gain() -> float | None:
            copies = root / "album-copy"
            shutil.copytree(album_dir, copies, dirs_exist_ok=True)
            paths = sorted(copies.glob("*.flac"))
            analyses = analyse_tracks(paths, workers=workers)
            gains = album_gains([a.loudness for a in analyses])
            tag_files(paths, gains, keep_album=False)
            return gains[0].album_gain_db

        # The copy of the album is part of the timing: it stands in for the disk reads.
        wall, cpu, gain = timed(album_gain)
        line(
            f"album: analysis + album gain, {args.tracks} tracks",
            album_s,
            wall,
            cpu,
            f"album gain {gain:+.2f} dB; target < 10 s: {'OK' if wall < 10 else 'MISSED'}",
        )

        def album_mp3() -> int:
            outcomes = process_paths(
                tracks,
                Profile(convert="mp3", bitrate_kbps=192, replaygain="album"),
                out_dir=root / "album-mp3",
                album=True,
            )
            return sum(1 for o in outcomes if o.result is not None)

        wall, cpu, ok = timed(album_mp3)
        line(f"album -> MP3 192 + album gain ({ok} ok)", album_s, wall, cpu)


if __name__ == "__main__":
    main()
