"""A watched artist set to "download": a new single is queued as a real download job, once."""

from __future__ import annotations

from datetime import date

from dl_helpers import FAST_QUEUE

from soulsync.config import Settings
from soulsync.providers.metadata import MetadataService
from soulsync.providers.slskd import SlskdClient
from soulsync.sandbox.catalogue_model import CatAlbum, CatTrack, deezer_id, isrc_for, spotify_id
from soulsync.sandbox.deezer import DeezerSimulator
from soulsync.services.automation.watchlist import WatchlistService
from soulsync.services.downloads.service import DownloadService
from soulsync.services.downloads.slskd_port import SlskdPort
from soulsync.services.events import EventBus
from soulsync.services.sync.downloads import QueueDownloads
from soulsync.services.wishlist.service import WishlistService
from soulsync.store import Store


def _new_single(sim: DeezerSimulator, artist_key: str, title: str) -> None:
    key = f"new/{artist_key}/{title}"
    track_key = f"{key}/{title}"
    track = CatTrack(
        key=track_key,
        title=title,
        artist_keys=(artist_key,),
        album_key=key,
        disc_number=1,
        track_number=1,
        duration_ms=199_000,
        isrc=isrc_for(track_key),
        explicit=False,
        spotify_id=spotify_id("track", track_key),
        deezer_id=deezer_id("track", track_key),
    )
    album = CatAlbum(
        key=key,
        title=title,
        artist_keys=(artist_key,),
        album_type="single",
        release_date=date.today().isoformat(),
        total_discs=1,
        track_keys=(track_key,),
        spotify_id=spotify_id("album", key),
        deezer_id=deezer_id("album", key),
        upc="000000000001",
    )
    sim.catalogue = sim.catalogue.with_release(album, [track])


async def test_new_single_is_queued_for_download_once(
    store: Store,
    slskd_client: SlskdClient,
    facade: MetadataService,
    bus: EventBus,
    settings: Settings,
    deezer_sim: DeezerSimulator,
) -> None:
    # Not started: the job is queued and stays queued (no search is run here).
    queue = DownloadService(
        store,
        SlskdPort(slskd_client, search_timeout_ms=1000),
        facade,
        bus,
        settings,
        queue=FAST_QUEUE,
    )
    wishlist = WishlistService(store, None, None)
    watchlist = WatchlistService(
        store, facade, wishlist, downloads=QueueDownloads(queue), default_action="download"
    )
    cat = deezer_sim.catalogue
    artist = next(a for a in cat.artists.values() if cat.albums_of_artist(a.key))
    watch = await watchlist.add(f"deezer:{artist.deezer_id}")
    assert watch.action == "download"
    _new_single(deezer_sim, artist.key, "Fresh Off The Press")
    (release,) = await watchlist.check()
    assert (release.outcome, release.tracks) == ("queued", 1)
    jobs = queue.jobs.active()
    assert [j.title for j in jobs] == [f"{artist.name} - Fresh Off The Press"]
    assert jobs[0].state.value == "queued"
    assert wishlist.entries() == []
    assert await watchlist.check() == []
    assert len(queue.jobs.active()) == 1
