"""Helpers shared by the download-queue integration tests."""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path
from typing import Any

from soulsync.config import Settings
from soulsync.sandbox.catalogue import SharedFile, build_catalogue
from soulsync.sandbox.media import AudioCache
from soulsync.sandbox.slskd import SlskdSimulator
from soulsync.sandbox.spotify import SpotifySimulator
from soulsync.services.downloads.service import QueueSettings
from soulsync.store import Store

FAST_QUEUE = QueueSettings(
    concurrency=2,
    retries=2,
    retry_delay_s=0.05,
    max_retry_delay_s=0.2,
    stall_timeout_s=0.6,
    remote_queue_timeout_s=1.5,
    poll_interval_s=0.02,
    lease_ttl_s=5.0,
)


def find_share(username: str, fragment: str) -> SharedFile:
    """The one share of ``username`` whose remote path contains ``fragment``."""
    found = [
        s for s in build_catalogue().shares if s.username == username and fragment in s.filename
    ]
    assert len(found) == 1, [s.filename for s in found]
    return found[0]


def exists(path: str | None) -> bool:
    """True if ``path`` names an existing file (a sync helper for async tests)."""
    return path is not None and Path(path).is_file()


def tree(root: Path) -> set[str]:
    """Every file below ``root`` as a relative POSIX path."""
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


WORKER = Path(__file__).with_name("worker_proc.py")
API_KEY = "sandbox-slskd-key-0123456789"
REDIRECT = "http://127.0.0.1:43110/callback"


def worker_config(
    tmp_path: Path,
    store: Store,
    settings: Settings,
    sim: SlskdSimulator,
    spotify_sim: SpotifySimulator,
    **extra: Any,
) -> Path:
    """Write the JSON config of a worker process (see ``worker_proc.py``)."""
    config = {
        "db": str(store.path),
        "paths": {
            "data_dir": str(settings.paths.data_dir),
            "downloads_dir": str(settings.downloads_dir),
            "transfer_dir": str(settings.transfer_dir),
        },
        "slskd_url": sim.url,
        "api_key": API_KEY,
        "spotify_url": spotify_sim.url,
        "spotify_api": spotify_sim.api_base,
        "spotify_client_id": spotify_sim.client_id,
        "redirect_uri": REDIRECT,
        "queue": dataclasses.asdict(FAST_QUEUE),
        **extra,
    }
    path = tmp_path / f"worker-{time.monotonic_ns()}.json"
    path.write_text(json.dumps(config))
    return path


def fast_slskd(settings: Settings, audio_cache: AudioCache) -> SlskdSimulator:
    """A started slskd simulator on its own port, fast-forwarded (50x), writing finished
    files into the settings' downloads folder; close it when done."""
    simulator = SlskdSimulator(
        build_catalogue(),
        settings.downloads_dir,
        audio_cache,
        API_KEY,
        time_scale=50,
        search_duration_s=0.15,
        finalize_delay_s=0.05,
        create_window_s=0.05,
    )
    simulator.start()
    return simulator
