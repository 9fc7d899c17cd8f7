"""Files that must not be filed: corrupt audio, a full disk, hostile remote names.

In each case the job ends with a clear reason, the original download is kept
(or never written) and nothing is left half-written in the library.
"""

from __future__ import annotations

import asyncio
import dataclasses
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
from dl_helpers import FAST_QUEUE, WORKER, exists, find_share, tree, worker_config

from soulsync.config import Settings
from soulsync.domain import Artist, JobState, SoulseekFile
from soulsync.providers.slskd import SlskdClient
from soulsync.sandbox.catalogue import SharedFile
from soulsync.sandbox.deezer import DeezerSimulator
from soulsync.sandbox.media import AudioCache
from soulsync.sandbox.slskd import SlskdSimulator
from soulsync.sandbox.spotify import SpotifySimulator
from soulsync.services.downloads.service import DownloadService
from soulsync.services.downloads.slskd_port import SlskdPort
from soulsync.services.events import EventBus
from soulsync.services.matched import FacadeLookup
from soulsync.store import Store


def _mount_tmpfs(target: Path, size: str) -> bool:
    target.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(target)],
        capture_output=True,
        check=False,
    )
    return done.returncode == 0


@pytest.fixture()
def tiny_transfer_dir(tmp_path: Path) -> Iterator[Path | None]:
    """A real 64 KiB tmpfs for the library (root only); None when mounting is not allowed."""
    target = tmp_path / "tiny-transfer"
    if not _mount_tmpfs(target, "64k"):
        yield None
        return
    try:
        yield target
    finally:
        subprocess.run(["umount", "-l", str(target)], capture_output=True, check=False)


async def test_corrupt_audio_fails_and_keeps_the_original(
    service: DownloadService,
    sim: SlskdSimulator,
    tmp_path: Path,
    share_file: Callable[[SharedFile], SoulseekFile],
) -> None:
    base = find_share("flacfan", "Discovery [FLAC]\\04. Harder")
    spec = dataclasses.replace(base.audio, frequency=base.audio.frequency + 1)
    cache = AudioCache(tmp_path / "corrupt-cache")
    made = cache.ensure(spec)
    data = made.read_bytes()
    made.write_bytes(data[: len(data) // 3])  # a truncated rip: header says 3:44, audio stops early
    sim.audio_cache = cache
    share = dataclasses.replace(
        base,
        filename="@@flacfan\\Music\\Daft Punk\\Broken Rip\\04. Harder, Better, Faster, Stronger.flac",
        audio=spec,
    )
    sim.add_share(share)
    job_id = await service.enqueue_matched_track(share_file(share), Artist("Daft Punk"))
    job = await service.wait_job(job_id, within_s=20)
    assert job.state is JobState.FAILED
    assert job.error is not None and "corrupt_audio" in job.error, job.error
    assert exists(job.local_path)
    assert tree(service.settings.downloads_dir) == {
        "Broken Rip/04. Harder, Better, Faster, Stronger.flac"
    }
    assert tree(service.settings.transfer_dir) == set()


@pytest.fixture()
async def tiny_service(
    tiny_transfer_dir: Path | None,
    store: Store,
    slskd_client: SlskdClient,
    metadata: FacadeLookup,
    settings: Settings,
) -> AsyncIterator[DownloadService | None]:
    """A running service whose Transfer folder is the tiny tmpfs."""
    if tiny_transfer_dir is None:
        yield None
        return
    small = Settings(
        paths={
            "data_dir": settings.paths.data_dir,
            "downloads_dir": settings.downloads_dir,
            "transfer_dir": tiny_transfer_dir,
        }
    )
    svc = DownloadService(
        store, SlskdPort(slskd_client), metadata, EventBus(), small, queue=FAST_QUEUE
    )
    await svc.start()
    yield svc
    await svc.stop()


async def test_full_disk_tmpfs_fails_and_keeps_the_original(
    tiny_service: DownloadService | None,
    share_file: Callable[[SharedFile], SoulseekFile],
) -> None:
    if tiny_service is None:
        pytest.fail("cannot mount a tmpfs here; the quota variant below covers full disks")
    file = share_file(find_share("mp3hoarder", "Earth, Wind & Fire - 01 - September.mp3"))
    assert file.size > 64 * 1024
    job_id = await tiny_service.enqueue_matched_track(file, Artist("Earth, Wind & Fire"))
    job = await tiny_service.wait_job(job_id, within_s=20)
    assert job.state is JobState.FAILED
    assert job.error is not None and "no_space" in job.error, job.error
    assert exists(job.local_path)
    assert tree(tiny_service.settings.transfer_dir) == set()


async def test_file_size_quota_fails_and_keeps_the_original(
    tmp_path: Path,
    store: Store,
    settings: Settings,
    sim: SlskdSimulator,
    spotify_sim: SpotifySimulator,
    deezer_sim: DeezerSimulator,
    metadata: FacadeLookup,
    slskd_client: SlskdClient,
    share_file: Callable[[SharedFile], SoulseekFile],
) -> None:
    """The quota form of a full disk: a worker process under RLIMIT_FSIZE (no root needed)."""
    file = share_file(find_share("mp3hoarder", "Daft Punk - 03 - Get Lucky.mp3"))
    enqueuer = DownloadService(
        store, SlskdPort(slskd_client), metadata, EventBus(), settings, queue=FAST_QUEUE
    )
    job_id = await enqueuer.enqueue_matched_track(file, Artist("Daft Punk"))
    # Big enough for the database, too small for the 1.4 MB copy in the library.
    config = worker_config(
        tmp_path,
        store,
        settings,
        sim,
        spotify_sim,
        deezer_api=deezer_sim.url,
        fsize_limit=1_100_000,
    )
    proc = await asyncio.create_subprocess_exec(
        sys.executable, str(WORKER), str(config), stderr=asyncio.subprocess.PIPE
    )
    _, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, err.decode()[-2000:]
    job = enqueuer.get(job_id)
    assert job.state is JobState.FAILED
    assert job.error is not None and "no_space" in job.error, job.error
    assert exists(job.local_path)
    assert tree(settings.transfer_dir) == set()


async def test_traversal_in_a_remote_name_is_refused_without_retries(
    service: DownloadService, sim: SlskdSimulator, share_file: Callable[[SharedFile], SoulseekFile]
) -> None:
    base = find_share("flacfan", "Discovery [FLAC]\\01. One More Time")
    hostile = dataclasses.replace(base, filename="@@flacfan\\Music\\..\\..\\..\\etc\\passwd.flac")
    sim.add_share(hostile)
    job = await service.wait_job(
        await service.enqueue_matched_track(share_file(hostile), Artist("Daft Punk")), within_s=10
    )
    assert job.state is JobState.FAILED
    assert job.error is not None and "hostile" in job.error
    assert job.attempts == 0
    assert sim.counters.enqueue_requests == 0
    assert tree(service.settings.downloads_dir) == set()


async def test_hostile_characters_in_a_remote_name_still_file_cleanly(
    service: DownloadService, sim: SlskdSimulator, share_file: Callable[[SharedFile], SoulseekFile]
) -> None:
    base = find_share("flacfan", "Discovery [FLAC]\\01. One More Time")
    hostile = dataclasses.replace(
        base,
        filename='@@flacfan\\Music\\Daft Punk\\.Discovery: <2001>?\\01 - One More Time*|".flac',
    )
    sim.add_share(hostile)
    job = await service.wait_job(
        await service.enqueue_matched_track(share_file(hostile), Artist("Daft Punk")), within_s=20
    )
    assert job.state is JobState.COMPLETED, job.error
    assert job.local_path is not None and ".Discovery_ _2001__" in job.local_path
    assert tree(service.settings.transfer_dir) == {
        "Daft Punk/Daft Punk - Discovery/01 One More Time.flac",
        "Daft Punk/Daft Punk - Discovery/cover.jpg",
    }
    assert tree(service.settings.downloads_dir) == set()
    assert not any(service.settings.downloads_dir.iterdir())
