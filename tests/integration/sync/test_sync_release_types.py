"""The sync's library check asks the release-type service (MusicBrainz simulator).

Issue 17: a track owned only from a live album whose name never says "live"
("Go Your Own Way" from Fleetwood Mac's "The Dance") is not the studio
recording the playlist wants: the same rule as for Soulseek folders.
"""

from __future__ import annotations

import dataclasses

import pytest

from soulsync.domain import Source
from soulsync.providers.metadata import MetadataService
from soulsync.providers.musicbrainz import MusicBrainzClient
from soulsync.sandbox.library_seed import library_seed_tracks, relative_path, write_seed_file
from soulsync.services.link_badges import Badge, track_badges
from soulsync.services.release_types import ReleaseTypeService
from soulsync.services.sync.downloads import QueueDownloads
from soulsync.services.sync.models import RunState, TrackStatus
from soulsync.services.sync.service import SyncService

UA = "SoulSyncTests/1.0 ( https://example.org/soulsync-tests )"
WANTED = "rumours/Go Your Own Way"


@pytest.fixture()
def media_kind() -> str:
    """A folder library: the test edits its files and every run rescans it."""
    return "folder"


def _own_it_only_live(sandbox, audio_cache) -> None:  # type: ignore[no-untyped-def]
    """Replace the library's studio "Go Your Own Way" by its copy from "The Dance"."""
    studio = next(s for s in library_seed_tracks() if s.key == WANTED)
    (sandbox.library_dir / studio.relpath).unlink()
    live = dataclasses.replace(
        studio,
        album="The Dance",
        date="1997-08-19",
        isrc=None,  # a rip without identifiers: only the album tells
        track_number=9,
        relpath=relative_path("Fleetwood Mac", "The Dance", 1, 1, 9, studio.title),
    )
    write_seed_file(sandbox.library_dir, live, audio_cache)


def _release_aware_sync(sandbox, releases: ReleaseTypeService) -> SyncService:  # type: ignore[no-untyped-def]
    """The sandbox's sync service, with the release-type service (the sandbox runs it without)."""
    aware = SyncService(
        sandbox.store,
        sources={Source.SPOTIFY: sandbox.spotify},
        media_server=sandbox.media,
        downloads=QueueDownloads(sandbox.queue),
        bus=sandbox.bus,
        options=sandbox.options,
        releases=releases,
    )
    sandbox.extra_services.append(aware)
    return aware


async def test_a_track_owned_only_from_a_live_album_is_missing_then_downloaded(
    sandbox, audio_cache, live_album_mb_sim
) -> None:  # type: ignore[no-untyped-def]
    _own_it_only_live(sandbox, audio_cache)
    pid = sandbox.spotify_sim.add_playlist(
        "Release facts", [WANTED, "nevermind/Smells Like Teen Spirit"]
    )
    ref = f"spotify:{pid}"

    # Without release knowledge nothing in "The Dance" says live: owned.
    plain = await sandbox.run(ref, dry_run=True)
    rows = {r.title: r for r in sandbox.sync.sync_store.run_tracks(plain.id)}
    assert rows["Go Your Own Way"].status is TrackStatus.OWNED
    assert "The Dance" in (rows["Go Your Own Way"].library_path or "")

    async with MusicBrainzClient(
        sandbox.store, api_base=live_album_mb_sim.url, user_agent=UA, timeout_s=2.0
    ) as client:
        releases = ReleaseTypeService(sandbox.store, MetadataService(musicbrainz=client))
        aware = _release_aware_sync(sandbox, releases)
        checked = await sandbox.run(ref, dry_run=True, service=aware)
        assert checked.state is RunState.COMPLETED, checked.error
        rows = {r.title: r for r in aware.sync_store.run_tracks(checked.id)}
        live = rows["Go Your Own Way"]
        assert live.status is TrackStatus.MISSING, live.reason
        assert "(MusicBrainz: Album, Live)" in (live.reason or "")
        # Owned from its own album: nothing to ask about.
        assert rows["Smells Like Teen Spirit"].status is TrackStatus.OWNED
        # Only the two albums that decide a verdict were looked up.
        assert live_album_mb_sim.requests == 2 and releases.lookups == 2

        synced = await sandbox.run(ref, download_missing=True, service=aware)
        assert synced.state is RunState.COMPLETED, synced.error
        rows = {r.title: r for r in aware.sync_store.run_tracks(synced.id)}
        fetched = rows["Go Your Own Way"]
        assert fetched.status is TrackStatus.DOWNLOADED, fetched.reason
        # The studio file now in the library is the one the playlist points at.
        assert "The Dance" not in (fetched.library_path or ""), fetched.library_path
        assert live_album_mb_sim.requests == 2  # the re-check after the download used the cache


async def test_every_library_check_uses_the_release_types(
    sandbox, audio_cache, live_album_mb_sim
) -> None:  # type: ignore[no-untyped-def]
    """The "fix this match" list and the link badges apply the sync's release rule.

    Before, both asked the library index without release facts, so a song
    owned only from "The Dance" was offered as the match and badged "owned"
    while the sync said it was missing.
    """
    _own_it_only_live(sandbox, audio_cache)
    pid = sandbox.spotify_sim.add_playlist("Fix list", [WANTED])
    ref = f"spotify:{pid}"
    plain = await sandbox.run(ref, dry_run=True)
    assert plain.state is RunState.COMPLETED, plain.error

    # Without release knowledge the live copy is offered as a sure match.
    offered = await sandbox.sync.library_candidates(ref, 0)
    assert "The Dance" in offered[0]["path"]
    assert offered[0]["score"] >= sandbox.options.match.owned_threshold
    assert not any("Live" in r for r in offered[0]["reasons"])

    async with MusicBrainzClient(
        sandbox.store, api_base=live_album_mb_sim.url, user_agent=UA, timeout_s=2.0
    ) as client:
        releases = ReleaseTypeService(sandbox.store, MetadataService(musicbrainz=client))
        aware = _release_aware_sync(sandbox, releases)

        offered = await aware.library_candidates(ref, 0)
        live = next(c for c in offered if "The Dance" in c["path"])
        assert live["score"] < sandbox.options.match.owned_threshold, live
        assert any("(MusicBrainz: Album, Live)" in r for r in live["reasons"]), live["reasons"]

        snapshot, why = await aware.library.get()
        assert snapshot is not None, why
        row = next(r for r in aware.sync_store.run_tracks(plain.id) if r.position == 0)
        assert row.track is not None
        wanted = [row.track]
        assert track_badges(wanted, library=snapshot, jobs=[]) == [Badge.OWNED]
        facts = await releases.facts_for_library(snapshot.index, wanted)
        assert facts is not None
        assert track_badges(wanted, library=snapshot, jobs=[], releases=facts) == [None]
        # Both albums were asked once; the badge check came from the cache.
        assert live_album_mb_sim.requests == 2
