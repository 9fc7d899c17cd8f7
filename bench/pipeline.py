"""Benchmark of the download pipeline; prints figures, exits 1 if a target is missed.

Section 1 (library): per-file processing of a ~30 MB FLAC, i.e. what happens
after the transfer: copy into the library folder, tag (with a ~300 KB cover,
big enough that mutagen has to rewrite the file), fsync, verify (tags read
back, in-process PyAV duration/truncation check) and place, then delete the
original. Target: median < 50 ms (103 ms when verification ran ffprobe).

Section 2 (download queue): overhead of the queue itself for 1,000 jobs:
enqueueing, dispatching, every state transition and event, with transfers
that finish at once and plain jobs (no tagging), at 2 and 8 workers.

More sections are added to ``SECTIONS``;
each takes the parsed arguments and a scratch folder and returns True when
its target is met.

Run: ``.venv/bin/python bench/pipeline.py [--runs N] [--keep]``
"""

from __future__ import annotations

import argparse
import asyncio
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

from _report import target
from soulsync.config import Settings
from soulsync.domain import Album, AlbumType, JobState, SearchResponse, SoulseekFile, Track
from soulsync.library.audio import generate_tone, probe
from soulsync.library.cover import prepare_cover
from soulsync.library.layout import ResolvedTrack, destination_for
from soulsync.library.safe_move import safe_move
from soulsync.library.tags import Picture, tagset_for
from soulsync.services.downloads.service import DownloadService, QueueSettings
from soulsync.services.downloads.transfer_port import TransferStatus
from soulsync.services.events import EventBus
from soulsync.store import Store

PER_FILE_TARGET_MS = 50.0

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
    steps: dict[str, list[float]] = {"cpu": cpu}
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
        # CPU time of this process (all threads, the probe included): unlike
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
    """Tag + verify + move of a ~30 MB FLAC; target median < 50 ms."""
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
    probe_ms = []
    for _ in range(args.runs):
        t1 = time.perf_counter()
        probe(master)
        probe_ms.append((time.perf_counter() - t1) * 1000)
    print(
        f"  verification alone (PyAV probe: header, first and last packets decoded): "
        f"median {statistics.median(probe_ms):.1f} ms"
    )
    work = scratch / "work"
    # One warm-up move: first-run costs (imports, page cache, FFmpeg's codec set-up)
    # are not what a running service pays per file.
    _run_moves(master, work, 2, probe_copy=False, cover=cover)
    walls, steps = _run_moves(master, work, args.runs, probe_copy=False, cover=cover)
    print(f"  runs: {args.runs}")
    _print_stats("default verify (PyAV probe of the original, overlapped)", walls, steps)
    walls_deep, steps_deep = _run_moves(master, work, args.runs, probe_copy=True, cover=cover)
    _print_stats("probe_copy=True (PyAV probe of the tagged copy too)", walls_deep, steps_deep)
    median = statistics.median(walls)
    return target(
        "tag + verify + move, median per 32 MB FLAC",
        f"< {PER_FILE_TARGET_MS:.0f} ms",
        f"{median:.1f} ms",
        median < PER_FILE_TARGET_MS,
    )


# -- queue overhead (download queue) ------------------------------------------------------

QUEUE_JOBS = 1000
QUEUE_ENQUEUE_TARGET_S = 1.0  # 1,000 jobs written, one transaction
QUEUE_PER_JOB_TARGET_MS = 20.0  # dispatch + every state transition + events, per job


class _InstantTransfers:
    """A transfer port whose downloads finish at once with one small real file.

    It takes slskd and the network out of the measurement, so what is timed is
    the queue itself: dispatching, the compare-and-set state writes, progress
    and events, and locating the finished file.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.enqueued = 0

    def _done(self, username: str, filename: str, size: int) -> TransferStatus:
        return TransferStatus(
            f"t{self.enqueued}", username, filename, size, "Completed, Succeeded", size, 100.0, 1e6
        )

    async def search(self, query: str) -> list[SearchResponse]:
        return []

    async def enqueue(self, file: SoulseekFile) -> TransferStatus:
        self.enqueued += 1
        return self._done(file.username, file.filename, file.size)

    async def status(self, username: str, transfer_id: str) -> TransferStatus:
        return self._done(username, "", 0)

    async def find(self, username: str, filename: str) -> TransferStatus | None:
        return None

    async def cancel(self, username: str, transfer_id: str, *, remove: bool = True) -> None:
        return None

    async def clear_completed(self) -> None:
        return None

    async def remove(self, username: str, transfer_id: str) -> None:
        return None

    async def directory(self, username: str, folder: str) -> list[SoulseekFile]:
        return []

    def locate(self, status: TransferStatus) -> Path | None:
        return self.path


async def _queue_overhead(scratch: Path, concurrency: int) -> dict[str, float]:
    settings = Settings(
        paths={
            "data_dir": scratch / f"data-{concurrency}",
            "downloads_dir": scratch / f"downloads-{concurrency}",
            "transfer_dir": scratch / f"transfer-{concurrency}",
        }
    )
    settings.downloads_dir.mkdir(parents=True, exist_ok=True)
    payload = settings.downloads_dir / "file.flac"
    payload.write_bytes(b"x" * 1000)
    store = Store(settings.database_path)
    port = _InstantTransfers(payload)
    service = DownloadService(
        store,
        port,
        None,
        EventBus(),
        settings,
        queue=QueueSettings(concurrency=concurrency, poll_interval_s=0.001, lease_ttl_s=60),
    )
    files = [
        SoulseekFile("peer", f"@@peer\\Music\\A\\{n:04d}.flac", 1000) for n in range(QUEUE_JOBS)
    ]
    figures: dict[str, float] = {}
    t0 = time.perf_counter()
    batch, _ids = await service.enqueue_playlist_tracks(
        [Track(f"Song {n}", ("Artist",)) for n in range(QUEUE_JOBS)]
    )
    figures["enqueue_batch_s"] = time.perf_counter() - t0
    # Those were playlist jobs (they would search); drop them and time plain ones,
    # one call per job as the web UI makes them.
    for job in service.batch(batch):
        await service.cancel(job.id)
    await service.clear_completed()
    t0 = time.perf_counter()
    for f in files:
        await service.enqueue_plain(f)
    figures["enqueue_each_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    service.list_active()
    figures["list_active_ms"] = (time.perf_counter() - t0) * 1000
    cpu0 = _cpu_ms()
    t0 = time.perf_counter()
    await service.start()
    await service.wait_idle(within_s=600)
    figures["drive_s"] = time.perf_counter() - t0
    figures["drive_cpu_ms"] = _cpu_ms() - cpu0
    await service.stop()
    t0 = time.perf_counter()
    history = service.history(limit=QUEUE_JOBS)
    figures["history_ms"] = (time.perf_counter() - t0) * 1000
    done = [j for j in history if j.state is JobState.COMPLETED]
    figures["completed"] = float(len(done))
    figures["enqueued"] = float(port.enqueued)
    store.close()
    return figures


def queue_overhead_section(args: argparse.Namespace, scratch: Path) -> bool:
    """Queue overhead for 1,000 jobs (no network, no file processing)."""
    print(
        f"== queue overhead: {QUEUE_JOBS} jobs through queued -> downloading -> processing "
        "-> completed (transfers finish at once; plain jobs, no tagging)"
    )
    ok = True
    for concurrency in (2, 8):
        f = asyncio.run(_queue_overhead(scratch, concurrency))
        per_job = f["drive_s"] * 1000 / QUEUE_JOBS
        print(
            f"  concurrency {concurrency}: enqueue {QUEUE_JOBS} in one batch "
            f"{f['enqueue_batch_s'] * 1000:.0f} ms, one by one {f['enqueue_each_s'] * 1000:.0f} ms "
            f"({f['enqueue_each_s'] * 1e6 / QUEUE_JOBS:.0f} us/job); list_active "
            f"{f['list_active_ms']:.1f} ms; drive {f['drive_s']:.2f} s = {per_job:.2f} ms/job "
            f"(CPU {f['drive_cpu_ms'] / QUEUE_JOBS:.2f} ms/job); history read "
            f"{f['history_ms']:.1f} ms; completed {f['completed']:.0f}, "
            f"slskd requests {f['enqueued']:.0f}"
        )
        ok = ok and f["completed"] == QUEUE_JOBS and f["enqueued"] == QUEUE_JOBS
        ok = (
            ok
            and f["enqueue_batch_s"] < QUEUE_ENQUEUE_TARGET_S
            and per_job < QUEUE_PER_JOB_TARGET_MS
        )
    return target(
        f"queue overhead, {QUEUE_JOBS} jobs at concurrency 2 and 8",
        f"batch enqueue < {QUEUE_ENQUEUE_TARGET_S:.0f} s, < {QUEUE_PER_JOB_TARGET_MS:.0f} ms/job, each job once",
        "met" if ok else "not met (figures above)",
        ok,
    )


# Sections run in order; later sections (e.g. queue overhead) append themselves here.
SECTIONS: list[Section] = [per_file_section]
SECTIONS.append(queue_overhead_section)


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
