"""Fixtures: slskd and Spotify simulators over real sockets, and a download service on them.

Time runs fast: the slskd simulator's transfers run at ``time_scale`` 50,
the queue polls every 20 ms and gives up on a stalled peer after 0.6 s.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import httpx
import pytest
from dl_helpers import API_KEY, FAST_QUEUE, REDIRECT, fast_slskd

from soulsync.config import Settings
from soulsync.domain import SoulseekFile
from soulsync.providers.deezer import DeezerClient
from soulsync.providers.metadata import MetadataService
from soulsync.providers.slskd import SlskdClient
from soulsync.providers.slskd_pacer import PacerSettings, SearchPacer
from soulsync.providers.spotify import SpotifyClient
from soulsync.providers.spotify_auth import SpotifyAuth
from soulsync.sandbox.catalogue import SharedFile
from soulsync.sandbox.deezer import DeezerSimulator
from soulsync.sandbox.media import AudioCache
from soulsync.sandbox.slskd import SlskdSimulator
from soulsync.sandbox.spotify import SpotifySimulator
from soulsync.services.cover_fetch import CoverFetcher
from soulsync.services.downloads.service import DownloadService
from soulsync.services.downloads.slskd_port import SlskdPort
from soulsync.services.events import EventBus
from soulsync.services.matched import FacadeLookup
from soulsync.store import Store


@pytest.fixture(scope="session")
def audio_cache() -> AudioCache:
    """Generated sandbox audio, shared by the whole session."""
    return AudioCache()


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    """Folders under the test's tmp dir; slskd writes into ``downloads``."""
    data = tmp_path / "data"
    return Settings(
        paths={
            "data_dir": data,
            "downloads_dir": tmp_path / "downloads",
            "transfer_dir": tmp_path / "Transfer",
        },
        # Outages are probed fast here (a real one waits up to 30 s between probes).
        outages={"first_retry_s": 0.1, "max_retry_s": 0.5},
    )


@pytest.fixture()
def sim(settings: Settings, audio_cache: AudioCache) -> Iterator[SlskdSimulator]:
    """The slskd simulator writing finished files into the settings' downloads folder."""
    simulator = fast_slskd(settings, audio_cache)
    yield simulator
    simulator.close()


@pytest.fixture()
def spotify_sim() -> Iterator[SpotifySimulator]:
    """The Spotify simulator (metadata source)."""
    simulator = SpotifySimulator().start()
    yield simulator
    simulator.stop()


@pytest.fixture()
def deezer_sim() -> Iterator[DeezerSimulator]:
    """The Deezer simulator (fallback metadata source)."""
    simulator = DeezerSimulator().start()
    yield simulator
    simulator.stop()


@pytest.fixture()
async def spotify(spotify_sim: SpotifySimulator, store: Store) -> AsyncIterator[SpotifyClient]:
    """A logged-in Spotify client (real PKCE flow against the simulator)."""
    auth = SpotifyAuth(
        store, client_id=spotify_sim.client_id, redirect_uri=REDIRECT, accounts_base=spotify_sim.url
    )
    request = auth.begin_login()
    async with httpx.AsyncClient() as browser:
        answer = await browser.get(request.url, follow_redirects=False)
    await auth.complete_login(answer.headers["location"])
    client = SpotifyClient(store, auth, api_base=spotify_sim.api_base, min_gap_s=0.0, timeout_s=5.0)
    yield client
    await client.aclose()


@pytest.fixture()
async def facade(
    spotify: SpotifyClient, deezer_sim: DeezerSimulator, store: Store
) -> AsyncIterator[MetadataService]:
    """The metadata facade over both simulators (Spotify first, Deezer as fallback)."""
    deezer = DeezerClient(store, api_base=deezer_sim.url)
    yield MetadataService(spotify=spotify, deezer=deezer)
    await deezer.aclose()


@pytest.fixture()
def metadata(facade: MetadataService) -> FacadeLookup:
    """The facade as plain lists (what tests use to look things up)."""
    return FacadeLookup(facade)


@pytest.fixture()
async def slskd_client(sim: SlskdSimulator, settings: Settings) -> AsyncIterator[SlskdClient]:
    """Our slskd client against the simulator, with an unthrottled pacer of its own."""
    pacer = SearchPacer(PacerSettings(min_gap_s=0, backoff_base_s=0.05, backoff_max_s=0.4))
    async with SlskdClient(
        sim.url, API_KEY, downloads_dir=settings.downloads_dir, pacer=pacer, poll_interval_s=0.02
    ) as client:
        yield client


@pytest.fixture()
def bus() -> EventBus:
    """A fresh event bus."""
    return EventBus()


@pytest.fixture()
async def service(
    store: Store,
    slskd_client: SlskdClient,
    facade: MetadataService,
    bus: EventBus,
    settings: Settings,
) -> AsyncIterator[DownloadService]:
    """A started download service on the simulators."""
    svc = DownloadService(
        store,
        SlskdPort(slskd_client, search_timeout_ms=1000),
        facade,
        bus,
        settings,
        queue=FAST_QUEUE,
        # The simulators serve covers from loopback; a real configuration names
        # them as its service URLs, which the fetcher trusts (cover_fetch.service_hosts).
        covers=CoverFetcher(trusted_hosts=["127.0.0.1"]),
    )
    await svc.start()
    yield svc
    await svc.stop()


@pytest.fixture()
def share_file(sim: SlskdSimulator) -> Callable[[SharedFile], SoulseekFile]:
    """Turn a catalogue share into the SoulseekFile a search would return."""

    def convert(share: SharedFile) -> SoulseekFile:
        peer = sim.peers[share.username]
        return SoulseekFile(
            username=share.username,
            filename=share.filename,
            size=sim.size_of(share),
            length=share.length,
            bit_rate=share.bit_rate,
            sample_rate=share.sample_rate,
            bit_depth=share.bit_depth,
            is_variable_bit_rate=share.is_variable_bit_rate,
            is_locked=share.locked,
            has_free_upload_slot=peer.has_free_upload_slot,
            upload_speed=peer.upload_speed,
            queue_length=peer.queue_length,
        )

    return convert
