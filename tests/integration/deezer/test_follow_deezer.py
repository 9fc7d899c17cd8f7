"""Following a pasted Deezer playlist through the sync service, against the Deezer simulator."""

from __future__ import annotations

import pytest

from soulsync.domain import Source
from soulsync.providers.base import ProviderError
from soulsync.providers.deezer import DeezerClient
from soulsync.sandbox.deezer import DeezerSimulator
from soulsync.services.sync.follow import FollowError, follow_playlist
from soulsync.services.sync.service import SyncService
from soulsync.store import Store

EVENING = "48012567"  # "Chill Evening" in the sandbox catalogue


def _sync(store: Store, deezer: DeezerClient | None) -> SyncService:
    sources = {Source.DEEZER: deezer} if deezer is not None else {}
    return SyncService(store, sources=sources, media_server=None, downloads=None)


async def test_a_pasted_deezer_link_is_followed(store: Store, deezer: DeezerClient) -> None:
    sync = _sync(store, deezer)
    record = await follow_playlist(sync, f"https://www.deezer.com/en/playlist/{EVENING}")
    assert (record.source, record.source_id, record.name) == (
        Source.DEEZER,
        EVENING,
        "Chill Evening",
    )
    assert record.selected and record.track_count == 9  # one of its 10 is not on Deezer
    # Followed like the listed playlists: known by name and reference, selected for "sync --all".
    assert sync.find_playlist("Chill Evening").id == record.id
    assert [s.playlist.ref for s in sync.list_playlists(selected_only=True)] == [
        f"deezer:{EVENING}"
    ]
    # Pasting it again changes nothing.
    again = await follow_playlist(sync, f"deezer:{EVENING}")
    assert again.id == record.id and len(sync.list_playlists()) == 1


async def test_a_private_or_unknown_playlist_is_refused_with_deezers_reason(
    store: Store, deezer: DeezerClient, deezer_sim: DeezerSimulator
) -> None:
    sync = _sync(store, deezer)
    deezer_sim.public_playlists.discard(int(EVENING))
    with pytest.raises(ProviderError):
        await follow_playlist(sync, EVENING)
    with pytest.raises(ProviderError):
        await follow_playlist(sync, "999999999")
    assert sync.list_playlists() == []


async def test_deezer_turned_off_says_where_to_turn_it_on(store: Store) -> None:
    with pytest.raises(FollowError, match="Deezer is not set up here: turn it on in Settings"):
        await follow_playlist(_sync(store, None), EVENING)
