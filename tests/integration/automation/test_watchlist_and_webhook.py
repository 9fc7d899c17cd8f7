"""A watched artist's new single reaches the wishlist once; webhooks reach a local receiver."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import date, timedelta
from typing import TYPE_CHECKING

import pytest

from soulsync.providers.deezer import DeezerClient
from soulsync.providers.metadata import MetadataService
from soulsync.sandbox.catalogue import build_catalogue
from soulsync.sandbox.catalogue_model import (
    CatAlbum,
    CatArtist,
    CatTrack,
    deezer_id,
    isrc_for,
    spotify_id,
)
from soulsync.sandbox.deezer import DeezerSimulator
from soulsync.services.automation.notify import Notification, WebhookNotifier
from soulsync.services.automation.watchlist import WatchError, WatchlistService
from soulsync.services.wishlist.service import WishlistService
from soulsync.store import Store

if TYPE_CHECKING:
    from tests.integration.automation.conftest import Receiver


async def _no_sleep(_seconds: float) -> None:
    await asyncio.sleep(0)


NOTE = Notification("sync.finished", "Sync finished: Road Trip", "18 of 20 tracks", {"n": 18})


async def test_webhook_json_body(receiver: Receiver) -> None:
    notifier = WebhookNotifier(f"{receiver.url}/hooks/soulsync-secret-token-123", sleep=_no_sleep)
    delivery = await notifier.notify(NOTE)
    assert delivery is not None and delivery.ok and delivery.attempts == 1
    (body,) = receiver.bodies
    assert body["event"] == "sync.finished" and body["data"] == {"n": 18}
    assert receiver.paths == ["/hooks/soulsync-secret-token-123"]
    assert "secret-token" not in repr(notifier)


async def test_webhook_retries_with_backoff_then_delivers(receiver: Receiver) -> None:
    receiver.fail_first = 2
    waits: list[float] = []

    async def record(seconds: float) -> None:
        waits.append(seconds)

    notifier = WebhookNotifier(receiver.url, fmt="discord", retries=3, sleep=record)
    delivery = await notifier.notify(NOTE)
    assert delivery is not None and delivery.ok and delivery.attempts == 3
    assert receiver.bodies == [{"content": "**Sync finished: Road Trip**\n18 of 20 tracks"}]
    assert len(waits) == 2 and waits[1] > waits[0] * 0.5  # exponential with jitter


async def test_webhook_gives_up_without_raising(
    receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    receiver.fail_first = 10
    secret_url = f"{receiver.url}/secret-path-abcdef"
    notifier = WebhookNotifier(secret_url, retries=2, sleep=_no_sleep)
    delivery = await notifier.notify(NOTE)
    assert delivery is not None and not delivery.ok and delivery.attempts == 3
    assert "secret-path" not in caplog.text and "not delivered" in caplog.text
    # A 4xx other than 429 is final: no retry.
    receiver.fail_first, receiver.status_when_failing, receiver.attempts = 10, 400, 0
    refused = await notifier.notify(NOTE)
    assert refused is not None and refused.attempts == 1 and receiver.attempts == 1


async def test_ntfy_body_goes_to_the_server_root(receiver: Receiver) -> None:
    notifier = WebhookNotifier(f"{receiver.url}/soulsync-alerts", fmt="ntfy", sleep=_no_sleep)
    await notifier.notify(Notification("sync.failed", "Sync failed", "slskd is down"))
    assert receiver.paths == ["/"]
    assert receiver.bodies == [
        {
            "topic": "soulsync-alerts",
            "title": "Sync failed",
            "message": "slskd is down",
            "tags": ["warning"],
        }
    ]


async def test_unwanted_events_are_not_sent(receiver: Receiver) -> None:
    notifier = WebhookNotifier(receiver.url, events=["sync.failed"], sleep=_no_sleep)
    assert await notifier.notify(NOTE) is None
    assert receiver.attempts == 0


# -- the watchlist ----------------------------------------------------------------------------


@pytest.fixture()
def deezer_sim() -> Iterator[DeezerSimulator]:
    sim = DeezerSimulator(build_catalogue())
    sim.start()
    yield sim
    sim.stop()


@pytest.fixture()
async def metadata(deezer_sim: DeezerSimulator, store: Store) -> AsyncIterator[MetadataService]:
    client = DeezerClient(store, api_base=deezer_sim.url)
    yield MetadataService(deezer=client)
    await client.aclose()


def _artist(sim: DeezerSimulator) -> CatArtist:
    cat = sim.catalogue
    return next(a for a in cat.artists.values() if cat.albums_of_artist(a.key))


def _release(
    sim: DeezerSimulator, artist: CatArtist, title: str, kind: str, day: str, edition: str = ""
) -> CatAlbum:
    key = f"new/{artist.key}/{title}{edition}"
    track_key = f"{key}/{title}"
    track = CatTrack(
        key=track_key,
        title=title,
        artist_keys=(artist.key,),
        album_key=key,
        disc_number=1,
        track_number=1,
        duration_ms=201_000,
        isrc=isrc_for(track_key),
        explicit=False,
        spotify_id=spotify_id("track", track_key),
        deezer_id=deezer_id("track", track_key),
    )
    album = CatAlbum(
        key=key,
        title=title,
        artist_keys=(artist.key,),
        album_type=kind,
        release_date=day,
        total_discs=1,
        track_keys=(track_key,),
        spotify_id=spotify_id("album", key),
        deezer_id=deezer_id("album", key),
        upc="000000000000",
    )
    sim.catalogue = sim.catalogue.with_release(album, [track])
    return album


async def test_new_single_arrives_in_the_wishlist_once(
    deezer_sim: DeezerSimulator, metadata: MetadataService, store: Store, receiver: Receiver
) -> None:
    wishlist = WishlistService(store, None, None)
    notifier = WebhookNotifier(receiver.url, sleep=_no_sleep)
    watchlist = WatchlistService(store, metadata, wishlist, notify=notifier.notify)
    artist = _artist(deezer_sim)
    today = date.today()
    watch = await watchlist.add(f"deezer:{artist.deezer_id}", since=today.isoformat())
    assert watch.artist_name == artist.name and watch.types == ("album", "single", "ep")
    with pytest.raises(WatchError, match="already watched"):
        await watchlist.add(artist.name)

    # The back catalogue predates the watch: nothing is new.
    assert await watchlist.check() == []

    day = today.isoformat()
    _release(deezer_sim, artist, "Brand New Single", "single", day)
    _release(deezer_sim, artist, "Live at the Sandbox Arena", "album", day)
    _release(deezer_sim, artist, "Old Single", "single", (today - timedelta(days=3)).isoformat())
    found = await watchlist.check()
    assert [(r.title, r.outcome, r.tracks) for r in found] == [
        ("Brand New Single", "wishlisted", 1)
    ]
    entries = wishlist.entries()
    assert [e.track.title for e in entries] == ["Brand New Single"]
    assert entries[0].reason == f"new single by {artist.name}" and entries[0].attempts == 0
    assert any(
        a["kind"] == "watch.new_release" and "Brand New Single" in a["message"]
        for a in store.recent_activity(10)
    )
    assert [b["event"] for b in receiver.bodies] == ["watch.new_release"]

    # Checked again (even announced again under a new id): not added a second time.
    assert await watchlist.check() == []
    again = _release(deezer_sim, artist, "Brand New Single", "single", day, edition="#2")
    assert (
        again.deezer_id
        != deezer_sim.catalogue.albums[f"new/{artist.key}/Brand New Single"].deezer_id
    )
    assert await watchlist.check(artist.name) == []
    assert len(wishlist.entries()) == 1
    assert len(watchlist.releases(watch.id)) == 1
    assert len(receiver.bodies) == 1


async def test_watch_filters_are_checked(metadata: MetadataService, store: Store) -> None:
    watchlist = WatchlistService(store, metadata, WishlistService(store, None, None))
    with pytest.raises(WatchError, match="unknown release type"):
        await watchlist.add("deezer:1", types=["bootleg"])
    with pytest.raises(WatchError, match="not a date"):
        await watchlist.add("deezer:1", since="yesterday")
