"""Fixtures: the whole sandbox for playlist sync, over real sockets and real files.

Spotify, Plex and slskd simulators; the sandbox user's library seeded as tagged
FLAC files that Plex scans; the download queue filing into that same folder
(the Transfer folder *is* the Plex library folder, as in a typical setup); and
a ``SyncService`` on top. Time runs fast (slskd transfers at ``time_scale``
50, queue and sync polls in tens of milliseconds).
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

# plexapi reads its config file at import: never the developer's own one.
os.environ.setdefault("PLEXAPI_CONFIG_PATH", os.path.join(os.devnull, "plexapi.ini"))

import httpx
import pytest
from sync_sandbox import FAST_QUEUE, FAST_SYNC

from soulsync.config import Settings
from soulsync.domain import Source
from soulsync.providers.base import MediaServer, PlaylistSource
from soulsync.providers.folder import FolderLibrary
from soulsync.providers.plex import PlexMediaServer
from soulsync.providers.slskd import SlskdClient
from soulsync.providers.slskd_pacer import PacerSettings, SearchPacer
from soulsync.providers.spotify import SpotifyClient
from soulsync.providers.spotify_auth import SpotifyAuth
from soulsync.sandbox.catalogue import build_catalogue
from soulsync.sandbox.library_seed import seed_library
from soulsync.sandbox.media import AudioCache
from soulsync.sandbox.plex import PlexSimulator
from soulsync.sandbox.slskd import SlskdSimulator
from soulsync.sandbox.spotify import SpotifySimulator
from soulsync.services.downloads.queue_settings import QueueSettings
from soulsync.services.downloads.service import DownloadService
from soulsync.services.downloads.slskd_port import SlskdPort
from soulsync.services.events import EventBus
from soulsync.services.sync.downloads import QueueDownloads
from soulsync.services.sync.run_rows import RunRecord
from soulsync.services.sync.service import SyncOptions, SyncService
from soulsync.store import Store

SLSKD_KEY = "sandbox-slskd-key-0123456789"
PLEX_TOKEN = "plex-sync-token-8c1d"
REDIRECT = "http://127.0.0.1:43110/callback"


@pytest.fixture(scope="session")
def audio_cache() -> AudioCache:
    """Generated sandbox audio, shared by the whole session."""
    return AudioCache()


@dataclass
class Sandbox:
    """Every part of the sync sandbox, for tests to steer and inspect."""

    root: Path
    library_dir: Path
    settings: Settings
    store: Store
    bus: EventBus
    spotify_sim: SpotifySimulator
    plex_sim: PlexSimulator
    slskd_sim: SlskdSimulator
    spotify: SpotifyClient
    plex: PlexMediaServer
    media: MediaServer
    slskd_client: SlskdClient
    queue: DownloadService
    sync: SyncService
    options: SyncOptions
    queue_settings: QueueSettings
    extra_services: list[SyncService] = field(default_factory=list)

    async def run(
        self,
        ref: str,
        *,
        within_s: float = 120,
        service: SyncService | None = None,
        **kwargs: object,
    ) -> RunRecord:
        """Start a sync and wait for its end (failing the test after ``within_s``)."""
        svc = service or self.sync
        run_id = await svc.start_sync(ref, **kwargs)  # type: ignore[arg-type]
        async with asyncio.timeout(within_s):
            return await svc.wait(run_id)

    async def wait_for(self, predicate: Callable[[], bool], within_s: float = 60) -> None:
        """Poll ``predicate`` until it holds (failing the test after ``within_s``)."""
        async with asyncio.timeout(within_s):
            while True:
                if predicate():
                    return
                await asyncio.sleep(0.02)

    def ref(self, key: str) -> str:
        """``spotify:<id>`` of a catalogue playlist key."""
        return f"spotify:{self.spotify_sim.playlist_id(key)}"

    def new_queue(self, store: Store | None = None) -> DownloadService:
        """Another download service on the same simulators (for restart tests)."""
        return DownloadService(
            store or self.store,
            SlskdPort(self.slskd_client, search_timeout_ms=1000),
            self.spotify,
            self.bus,
            self.settings,
            queue=self.queue_settings,
        )

    def new_sync(
        self,
        queue: DownloadService,
        store: Store | None = None,
        sources: dict[Source, PlaylistSource] | None = None,
    ) -> SyncService:
        """Another sync service (restart tests, other playlist sources)."""
        service = SyncService(
            store or self.store,
            sources=sources if sources is not None else {Source.SPOTIFY: self.spotify},
            media_server=self.media,
            downloads=QueueDownloads(queue),
            bus=self.bus,
            options=self.options,
        )
        self.extra_services.append(service)
        return service

    async def plex_titles(self, playlist_id: str) -> list[str]:
        """The titles of the media server's playlist (Plex or folder), in server order."""
        remote = await self.media.get_playlist(playlist_id)
        assert remote is not None
        by_id = {t.id: t for t in await self.media.all_tracks()}
        return [by_id[i].title for i in remote.item_ids]


def _spotify_titles(sim: SpotifySimulator, pid: str) -> list[str]:
    cat = build_catalogue()
    return [cat.tracks[i.track_key].title for i in sim.playlists[pid].items if i.track_key]


@pytest.fixture()
def spotify_titles():  # type: ignore[no-untyped-def]
    """``spotify_titles(sim, playlist_id)``: the titles upstream, in order."""
    return _spotify_titles


@pytest.fixture()
def queue_settings() -> QueueSettings:
    """Queue knobs (tests may override this fixture)."""
    return FAST_QUEUE


@pytest.fixture()
def media_kind() -> str:
    """Which library the sync uses: "plex" (default) or "folder" (tests may override)."""
    return "plex"


@pytest.fixture()
def sync_options() -> SyncOptions:
    """Sync knobs (tests may override this fixture)."""
    return FAST_SYNC


@pytest.fixture()
def spotify_sim() -> Iterator[SpotifySimulator]:
    """A fresh Spotify simulator."""
    sim = SpotifySimulator().start()
    yield sim
    sim.stop()


@pytest.fixture()
async def sandbox(
    tmp_path: Path,
    store: Store,
    audio_cache: AudioCache,
    spotify_sim: SpotifySimulator,
    queue_settings: QueueSettings,
    sync_options: SyncOptions,
    media_kind: str,
) -> AsyncIterator[Sandbox]:
    """Everything started; the download queue running; the sync service started."""
    library_dir = tmp_path / "Music"
    seed_library(library_dir, cache=audio_cache)
    settings = Settings(
        paths={
            "data_dir": tmp_path / "data",
            "downloads_dir": tmp_path / "downloads",
            "transfer_dir": library_dir,
        },
        # Outages are probed fast here (a real one waits up to 30 s between probes).
        outages={"first_retry_s": 0.1, "max_retry_s": 0.5},
    )
    bus = EventBus()
    plex_sim = PlexSimulator(
        [library_dir], PLEX_TOKEN, scan_start_delay_s=0.05, scan_duration_s=0.2
    )
    plex_sim.start()
    slskd_sim = SlskdSimulator(
        build_catalogue(),
        settings.downloads_dir,
        audio_cache,
        SLSKD_KEY,
        time_scale=50,
        search_duration_s=0.15,
        finalize_delay_s=0.05,
        create_window_s=0.05,
    )
    slskd_sim.start()
    auth = SpotifyAuth(
        store, client_id=spotify_sim.client_id, redirect_uri=REDIRECT, accounts_base=spotify_sim.url
    )
    request = auth.begin_login()
    async with httpx.AsyncClient() as browser:
        answer = await browser.get(request.url, follow_redirects=False)
    await auth.complete_login(answer.headers["location"])
    spotify = SpotifyClient(
        store, auth, api_base=spotify_sim.api_base, min_gap_s=0.0, timeout_s=5.0
    )
    plex = PlexMediaServer(
        plex_sim.url, PLEX_TOKEN, timeout_s=5, scan_poll_s=0.05, scan_start_grace_s=1.0
    )
    # The real window (34 searches per 220 s) compressed like the simulated time.
    pacer = SearchPacer(
        PacerSettings(min_gap_s=0, window_s=2.0, backoff_base_s=0.05, backoff_max_s=0.4)
    )
    slskd_client = SlskdClient(
        slskd_sim.url,
        SLSKD_KEY,
        downloads_dir=settings.downloads_dir,
        pacer=pacer,
        poll_interval_s=0.02,
    )
    media: MediaServer = plex
    options = dataclasses.replace(sync_options, scan_path=str(library_dir))
    if media_kind == "folder":
        media = FolderLibrary(library_dir, store)
        options = dataclasses.replace(options, folder_library=True, scan_path=None)
    queue = DownloadService(
        store,
        SlskdPort(slskd_client, search_timeout_ms=1000),
        spotify,
        bus,
        settings,
        queue=queue_settings,
    )
    await queue.start()
    sync = SyncService(
        store,
        sources={Source.SPOTIFY: spotify},
        media_server=media,
        downloads=QueueDownloads(queue),
        bus=bus,
        options=options,
    )
    await sync.start()
    box = Sandbox(
        root=tmp_path,
        library_dir=library_dir,
        settings=settings,
        store=store,
        bus=bus,
        spotify_sim=spotify_sim,
        plex_sim=plex_sim,
        slskd_sim=slskd_sim,
        spotify=spotify,
        plex=plex,
        media=media,
        slskd_client=slskd_client,
        queue=queue,
        sync=sync,
        options=options,
        queue_settings=queue_settings,
    )
    try:
        yield box
    finally:
        for extra in box.extra_services:
            await extra.stop()
        await box.sync.stop()
        await box.queue.stop()
        await slskd_client.aclose()
        await spotify.aclose()
        slskd_sim.close()
        plex_sim.stop()
