"""Kill the process mid-download of a YouTube upload; the restart resumes it (HTTP range)."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from pathlib import Path

import mutagen

from soulsync.demo import Demo, build_demo_services
from soulsync.domain import JobState

WORKER = Path(__file__).with_name("queue_worker.py")


def _spawn(config: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(WORKER), str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _part_size(folder: Path) -> int:
    parts = list(folder.glob("*.part")) if folder.is_dir() else []
    return parts[0].stat().st_size if parts else 0


def _audio_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and p.suffix in (".m4a", ".part")]


async def test_killed_mid_download_resumes_after_restart_with_one_file(demo: Demo) -> None:
    site = demo.sandbox.videosite
    # The longest release upload: the most bytes to cut in half.
    upload = max(
        (u for u in site.uploads.values() if u.kind == "topic"), key=lambda u: u.duration_ms
    )
    services = build_demo_services(demo)  # not started: this process only queues
    resolver = services.link_resolver()
    resolved = await resolver.resolve(f"https://www.youtube.com/watch?v={upload.id}")
    await resolver.aclose()
    assert services.downloads is not None
    _, [job_id] = await resolver.enqueue(services.downloads, resolved)
    video_dir = demo.settings.slskd_downloads_dir / "youtube"
    site.rate_bytes_per_s = 6000.0
    before = len(site.stream_log)
    worker = _spawn(demo.config_path)
    try:
        deadline = time.monotonic() + 60
        while await asyncio.to_thread(_part_size, video_dir) < 12_000:
            assert worker.poll() is None, worker.communicate()
            assert time.monotonic() < deadline, "the download never started"
            await asyncio.sleep(0.05)
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(10)
    cut = await asyncio.to_thread(_part_size, video_dir)
    assert services.downloads.get(job_id).state is JobState.DOWNLOADING
    site.rate_bytes_per_s = None
    await services.start(schedule=False)
    try:
        job = await services.downloads.wait_job(job_id, within_s=60)
    finally:
        await services.aclose()
    assert job.state is JobState.COMPLETED, job.error
    requests = [r for r in site.stream_log[before:] if r.video_id == upload.id]
    assert requests[0].start == 0 and requests[0].status == 200
    # The restart asked only for the rest of the file.
    assert requests[-1].status == 206 and 12_000 <= requests[-1].start <= cut
    assert len(requests) == 2
    # One file: filed and tagged; nothing left behind in the downloads folder.
    assert job.destination is not None
    filed = [
        p
        for p in await asyncio.to_thread(_audio_files, demo.sandbox.transfer_dir)
        if p.stem.endswith(resolved.tracks[0].track.title)
    ]
    assert [str(p) for p in filed] == [job.destination]
    assert await asyncio.to_thread(_audio_files, video_dir) == []
    audio = mutagen.File(job.destination)
    assert audio is not None
    assert abs(audio.info.length - upload.duration_ms / 1000) < 2
