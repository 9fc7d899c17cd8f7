"""Crash safety: the worker runs in its own process and is SIGKILLed mid-transfer and
mid-move; after a restart every job completes exactly once, nothing is requested twice
from slskd, and every original or organised file exists exactly once."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import mutagen
import pytest
from dl_helpers import FAST_QUEUE, WORKER, exists, find_share, tree, worker_config

from soulsync.config import Settings
from soulsync.domain import Artist, JobState, SoulseekFile
from soulsync.sandbox.catalogue import SharedFile
from soulsync.sandbox.deezer import DeezerSimulator
from soulsync.sandbox.slskd import SlskdSimulator
from soulsync.sandbox.spotify import SpotifySimulator
from soulsync.services.downloads.jobs_store import JobsStore
from soulsync.services.downloads.service import DownloadService
from soulsync.services.downloads.slskd_port import SlskdPort
from soulsync.services.events import EventBus
from soulsync.services.matched import FacadeLookup
from soulsync.store import Store

pytestmark = pytest.mark.slow


def _spawn(config: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(WORKER), str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


async def _finish(proc: subprocess.Popen[str], within_s: float = 60) -> int:
    deadline = time.monotonic() + within_s
    while proc.poll() is None:
        assert time.monotonic() < deadline, "worker did not finish"
        await asyncio.sleep(0.05)
    return proc.returncode


async def test_kill_mid_transfer_and_mid_move_then_restart(
    tmp_path: Path,
    store: Store,
    settings: Settings,
    sim: SlskdSimulator,
    spotify_sim: SpotifySimulator,
    deezer_sim: DeezerSimulator,
    metadata: FacadeLookup,  # logs in: the tokens in the shared database serve the worker
    slskd_client: Any,
    share_file: Callable[[SharedFile], SoulseekFile],
) -> None:
    enqueuer = DownloadService(
        store, SlskdPort(slskd_client), metadata, EventBus(), settings, queue=FAST_QUEUE
    )
    album = next(
        a for a in await metadata.search_albums("Daft Punk Discovery") if a.title == "Discovery"
    )
    batch = await enqueuer.enqueue_matched_album(
        "flacfan",
        "@@flacfan\\Music\\Daft Punk\\2001 - Discovery [FLAC]",
        Artist("Daft Punk"),
        album,
    )
    hello = find_share("flacfan", "2015 - 25 [FLAC]\\01. Hello")
    matched_id = await enqueuer.enqueue_matched_track(share_file(hello), Artist("Adele"))
    umbrella = find_share("flacfan", "Good Girl Gone Bad [FLAC]\\01. Umbrella")
    plain_id = await enqueuer.enqueue_plain(share_file(umbrella))
    wanted = (await metadata.search_tracks("Sigur Ros Hoppipolla"))[0]
    playlist_id = await enqueuer.enqueue_playlist_track(wanted)
    jobs = JobsStore(store)
    all_ids = [j.id for j in jobs.batch(batch)] + [matched_id, plain_id, playlist_id]
    assert len(all_ids) == 8

    # 1. Kill mid-transfer: slow peers, SIGKILL once bytes are flowing.
    for peer in ("flacfan", "hires_hoarder", "mp3hoarder", "slowpoke"):
        sim.set_peer(peer, transfer_speed=300)
    proc = _spawn(
        worker_config(tmp_path, store, settings, sim, spotify_sim, deezer_api=deezer_sim.url)
    )
    deadline = time.monotonic() + 30
    while not any(j.bytes_done > 0 for j in jobs.in_states([JobState.DOWNLOADING])):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "no transfer started"
        await asyncio.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    assert await _finish(proc) == -signal.SIGKILL
    in_flight = [t for t in sim.transfer_list() if not t.is_complete]
    assert in_flight, "the kill should leave transfers running in slskd"
    sim.reset_peers()

    # 2. Kill right after a file got its final name, before the original was deleted.
    proc = _spawn(
        worker_config(
            tmp_path,
            store,
            settings,
            sim,
            spotify_sim,
            deezer_api=deezer_sim.url,
            crash_at="after_place",
        )
    )
    assert await _finish(proc) == -signal.SIGKILL, proc.communicate()
    # The placed file and its original both exist now, and the job still says processing.
    half_done = jobs.in_states([JobState.PROCESSING])
    assert any(exists(j.destination) for j in half_done)

    # 3. Kill after the tagged temporary copy was written, before it was placed.
    proc = _spawn(
        worker_config(
            tmp_path,
            store,
            settings,
            sim,
            spotify_sim,
            deezer_api=deezer_sim.url,
            crash_at="after_copy",
        )
    )
    assert await _finish(proc) == -signal.SIGKILL, proc.communicate()
    done = [j for j in (jobs.require(i) for i in all_ids) if j.state is JobState.COMPLETED]
    assert len(done) < 8, "the crashes should leave work for the restart"

    # 4. A normal run finishes everything.
    proc = _spawn(
        worker_config(tmp_path, store, settings, sim, spotify_sim, deezer_api=deezer_sim.url)
    )
    assert await _finish(proc) == 0, proc.communicate()

    final = [jobs.require(i) for i in all_ids]
    assert [j.state for j in final] == [JobState.COMPLETED] * 8, [
        (j.id, j.state, j.error) for j in final
    ]
    # Nothing was requested twice from slskd.
    requested = Counter((t.username, t.filename) for t in sim.transfer_list())
    assert requested and max(requested.values()) == 1, requested
    assert len(requested) == 8
    # Every organised file exists exactly once; no temporary copies or "(2)" variants.
    organised = {Path(j.destination) for j in final if j.destination}
    assert len(organised) == 7
    library = tree(settings.transfer_dir)
    audio = {p for p in library if not p.endswith("cover.jpg")}
    assert audio == {p.relative_to(settings.transfer_dir).as_posix() for p in organised}
    assert not any(".soulsync-tmp-" in p or " (2)." in p for p in library)
    for path in organised:
        assert mutagen.File(path) is not None and mutagen.File(path).info.length > 1
    # The plain download is the only file left in the downloads folder.
    plain = jobs.require(plain_id)
    assert tree(settings.downloads_dir) == {
        Path(plain.local_path or "").relative_to(settings.downloads_dir).as_posix()
    }
