"""A download worker in its own process, for the crash and full-disk tests.

Run as ``python worker_proc.py CONFIG.json``. It opens the same SQLite file
as the test, talks to the test's simulators over HTTP, works the queue until
no job is left unfinished, and exits 0. Options in the config:

* ``crash_at``: ``"after_place"`` kills the process (SIGKILL) right after the
  first file got its final name but before the original was deleted;
  ``"after_copy"`` kills it after the tagged temporary copy was written but
  before it was placed. The test's own SIGKILL covers "mid-transfer".
* ``fsize_limit``: an RLIMIT_FSIZE in bytes (the quota variant of "disk full",
  used when tmpfs cannot be mounted).
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import signal
import sys
from pathlib import Path
from typing import Any

from soulsync.config import Settings
from soulsync.library import safe_move
from soulsync.providers.deezer import DeezerClient
from soulsync.providers.metadata import MetadataService
from soulsync.providers.slskd import SlskdClient
from soulsync.providers.slskd_pacer import PacerSettings, SearchPacer
from soulsync.providers.spotify import SpotifyClient
from soulsync.providers.spotify_auth import SpotifyAuth
from soulsync.services.downloads.service import DownloadService, QueueSettings
from soulsync.services.downloads.slskd_port import SlskdPort
from soulsync.services.events import EventBus
from soulsync.store import Store


def _die() -> None:
    sys.stdout.flush()
    os.kill(os.getpid(), signal.SIGKILL)


def _install_crash(point: str) -> None:
    if point == "after_place":
        original_place = safe_move._place

        def place_then_die(*args: Any, **kwargs: Any) -> Any:
            result = original_place(*args, **kwargs)
            _die()
            return result

        safe_move._place = place_then_die  # type: ignore[assignment]
    elif point == "after_copy":
        original_verify = safe_move._fsync_and_verify

        def verify_then_die(*args: Any, **kwargs: Any) -> Any:
            result = original_verify(*args, **kwargs)
            _die()
            return result

        safe_move._fsync_and_verify = verify_then_die  # type: ignore[assignment]
    else:
        raise SystemExit(f"unknown crash point {point!r}")


async def main(config: dict[str, Any]) -> None:
    settings = Settings(paths=config["paths"])
    store = Store(Path(config["db"]))
    auth = SpotifyAuth(
        store,
        client_id=config["spotify_client_id"],
        redirect_uri=config["redirect_uri"],
        accounts_base=config["spotify_url"],
    )
    spotify = SpotifyClient(store, auth, api_base=config["spotify_api"], min_gap_s=0.0)
    deezer = (
        DeezerClient(store, api_base=config["deezer_api"]) if config.get("deezer_api") else None
    )
    facade = MetadataService(spotify=spotify, deezer=deezer)
    pacer = SearchPacer(PacerSettings(min_gap_s=0))
    async with SlskdClient(
        config["slskd_url"],
        config["api_key"],
        downloads_dir=settings.downloads_dir,
        pacer=pacer,
        poll_interval_s=0.02,
    ) as slskd:
        service = DownloadService(
            store,
            SlskdPort(slskd, search_timeout_ms=1000),
            facade,
            EventBus(),
            settings,
            queue=QueueSettings(**config["queue"]),
        )
        await service.start()
        print("worker started", flush=True)
        try:
            await service.wait_idle(within_s=config.get("limit_s", 60))
        finally:
            await service.stop()
            await spotify.aclose()
            if deezer is not None:
                await deezer.aclose()
            store.close()
    print("worker idle", flush=True)


if __name__ == "__main__":
    cfg = json.loads(Path(sys.argv[1]).read_text())
    if cfg.get("crash_at"):
        _install_crash(cfg["crash_at"])
    if cfg.get("fsize_limit"):
        # Writes past the limit fail with EFBIG instead of killing the process.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (cfg["fsize_limit"], cfg["fsize_limit"]))
    asyncio.run(main(cfg))
