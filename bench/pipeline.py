"""Benchmark of the download pipeline; prints figures, exits 1 if a target is missed.

Section 1 (library): per-file processing of a ~30 MB FLAC, i.e. what happens
after the transfer: copy into the library folder, tag (with a ~300 KB cover,
big enough that mutagen has to rewrite the file), fsync, verify (tags read
back, ffprobe duration/truncation check) and place, then delete the original.
Target: median < 100 ms.

More sections (queue overhead for 1,000 jobs...) are added to ``SECTIONS``;
each takes the parsed arguments and a scratch folder and returns True when
its target is met.

Run: ``.venv/bin/python bench/pipeline.py [--runs N] [--keep]``
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PIL import Image

from soulsync.domain import Album, AlbumType, Track
from soulsync.library.audio import generate_tone, probe
from soulsync.library.cover import prepare_cover
from soulsync.library.layout import ResolvedTrack, destination_for
from soulsync.library.safe_move import safe_move
from soulsync.library.tags import Picture, tagset_for

PER_FILE_TARGET_MS = 100.0

Section = Callable[[argparse.Namespace, Path], bool]


def _cover_bytes() -> bytes:
    """A 1000x1000 photo-like JPEG (noise, so it does not compress to nothing)."""
    noise = Image.effect_noise((1000, 1000), 25).convert("RGB")
    out = io.BytesIO()
    noise.save(out, "JPEG", quality=80)
    return prepare_cover(out.getvalue())


def _cpu_ms() -> float:
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total * 1000


def _machine_line() -> str:
    """CPU count, load and (Linux) CPU pressure: wall times mean little on a busy box."""
    load = os.getloadavg()
    line = f"machine: {os.cpu_count()} CPUs, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    pressure = Path("/proc/pressure/cpu")
    if pressure.exists():
        some = pressure.read_text().splitlines()[0]  # "some avg10=.. avg60=.. ..."
        line += f"; CPU pressure {some.split()[1]}% (time runnable tasks waited for a CPU)"
    return line


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def _run_moves(
    master: Path, work: Path, runs: int, *, probe_copy: bool, cover: Picture
) -> tuple[list[float], dict[str, list[float]]]:
    downloads, library = work / "downloads", work / "library"
    album = Album(
        "Bench Album",
        ("Bench Artist",),
        AlbumType.ALBUM,
        release_date="2024-01-01",
        total_tracks=runs,
        total_discs=1,
        ids={"spotify": "album0"},
    )
    library.mkdir(parents=True, exist_ok=True)
    walls: list[float] = []
    cpu: list[float] = []
    steps: dict[str, list[float]] = {"cpu (self+ffprobe)": cpu}
    for n in range(1, runs + 1):
        track = Track(
            f"Track {n}",
            ("Bench Artist",),
            album=album.title,
            track_number=n,
            disc_number=1,
            isrc=f"XXBEN24{n:05d}",
            ids={"spotify": f"track{n}"},
        )
        # The "transfer" (untimed): the file lands in the downloads folder as slskd leaves it.
        source = downloads / "peer" / "Bench Album" / f"{n:02d} - track.flac"
        source.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(master, source)
        os.sync()  # settle the setup's writes so they are not billed to the move
        rel = destination_for(ResolvedTrack(track, album), "flac")
        before = _cpu_ms()
        start = time.perf_counter()
        result = safe_move(
            source,
            rel,
            library_root=library,
            downloads_root=downloads,
            tags=tagset_for(track, album, cover=cover),
            probe_copy=probe_copy,
        )
        walls.append((time.perf_counter() - start) * 1000)
        # CPU time of this process and its (waited-for) ffprobe children: unlike
        # wall time it does not grow when other work competes for the CPUs.
        cpu.append(_cpu_ms() - before)
        assert result.status == "moved" and not source.exists()
        for name, ms in result.timings_ms.items():
            steps.setdefault(name, []).append(ms)
    shutil.rmtree(downloads, ignore_errors=True)
    shutil.rmtree(library, ignore_errors=True)
    return walls, steps


def _print_stats(label: str, walls: list[float], steps: dict[str, list[float]]) -> None:
    print(
        f"  {label}: median {statistics.median(walls):6.1f} ms   p90 {_percentile(walls, 90):6.1f}"
        f"   min {min(walls):6.1f}   max {max(walls):6.1f}"
    )
    print(
        "    steps (median ms): "
        + "  ".join(f"{name} {statistics.median(v):.1f}" for name, v in steps.items())
    )


def per_file_section(args: argparse.Namespace, scratch: Path) -> bool:
    """Tag + verify + move of a ~30 MB FLAC; target median < 100 ms."""
    master = scratch / "master.flac"
    t0 = time.perf_counter()
    generate_tone(master, "flac", args.seconds, noise=True)
    info = probe(master)
    cover = Picture.from_bytes(_cover_bytes())
    size_mb = master.stat().st_size / 1e6
    print(
        f"== per-file processing: tag + verify + move (excluding transfer)\n"
        f"  file: {size_mb:.1f} MB FLAC, {info.duration_s:.0f} s, {info.sample_rate} Hz "
        f"{info.bit_depth}-bit, {info.channels} ch; cover {len(cover.data) / 1000:.0f} KB "
        f"(generated in {time.perf_counter() - t0:.1f} s)"
    )
    work = scratch / "work"
    # One warm-up move: first-run costs (imports, page cache, ffprobe's libraries)
    # are not what a running service pays per file.
    _run_moves(master, work, 2, probe_copy=False, cover=cover)
    walls, steps = _run_moves(master, work, args.runs, probe_copy=False, cover=cover)
    print(f"  runs: {args.runs}")
    _print_stats("default verify (ffprobe on the original, overlapped)", walls, steps)
    walls_deep, steps_deep = _run_moves(master, work, args.runs, probe_copy=True, cover=cover)
    _print_stats("probe_copy=True (ffprobe on the tagged copy too)", walls_deep, steps_deep)
    median = statistics.median(walls)
    ok = median < PER_FILE_TARGET_MS
    print(
        f"  target: median < {PER_FILE_TARGET_MS:.0f} ms (default verify) -> "
        f"{'PASS' if ok else 'MISS'} ({median:.1f} ms)"
    )
    return ok


# Sections run in order; later sections (e.g. queue overhead) append themselves here.
SECTIONS: list[Section] = [per_file_section]


def main(argv: list[str] | None = None) -> int:
    """Run every section; 0 if all targets are met."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="timed moves per variant")
    parser.add_argument("--seconds", type=float, default=180.0, help="length of the test FLAC")
    parser.add_argument("--workdir", type=Path, default=None, help="scratch folder (default: tmp)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = parser.parse_args(argv)
    print(_machine_line())
    scratch = Path(tempfile.mkdtemp(prefix="soulsync-bench-", dir=args.workdir))
    try:
        results = [section(args, scratch) for section in SECTIONS]
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
