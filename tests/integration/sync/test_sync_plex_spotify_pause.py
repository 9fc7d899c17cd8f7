"""Issue 18 item 6: Plex or Spotify going away pauses the run, which resumes when they are back.

The simulators are really stopped (the port is closed: "connection refused")
and started again on the same port, as a restarted service would be. While
they are away the run says "waiting for plex since 14:02, next try in 1 s"
(in the run, the activity feed and ``soulsync report``); nothing fails; when
they answer again the run continues where it stopped. After ``[outages]
max_wait_min`` it gives up with a clear message instead.
"""

from __future__ import annotations

import asyncio
import dataclasses

from soulsync.config_outage import OutageSettings
from soulsync.domain import JobState, Source
from soulsync.services.outage import OutageBook
from soulsync.services.sync.downloads import QueueDownloads
from soulsync.services.sync.models import RunState
from soulsync.services.sync.reports import summary_line
from soulsync.services.sync.service import SyncService


def _feed(sandbox) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(row["message"]) for row in sandbox.store.recent_activity(200)]


async def test_plex_stopped_mid_run_pauses_it_and_the_run_resumes_on_restart(
    sandbox, spotify_titles
) -> None:  # type: ignore[no-untyped-def]
    url = sandbox.plex_sim.url
    run_id = await sandbox.sync.start_sync(sandbox.ref("road-trip"), download_missing=True)
    await sandbox.wait_for(lambda: sandbox.sync.run(run_id).phase == "downloading")
    sandbox.plex_sim.stop()  # mid-run: the rescan and the mirror after the downloads need it
    await sandbox.wait_for(
        lambda: "waiting for plex since" in (sandbox.sync.run(run_id).message or "")
    )
    await asyncio.sleep(2)  # several probes, far longer than one request's retries
    run = sandbox.sync.run(run_id)
    assert run.state is RunState.RUNNING and run.phase == "waiting"
    assert "next try in" in (run.message or "")
    assert "waiting for plex since" in summary_line(run)  # what `soulsync report` prints
    assert any(m.startswith("waiting for plex since") for m in _feed(sandbox))
    outage = OutageBook(sandbox.store).get("plex")
    assert outage is not None and outage.attempts >= 2

    sandbox.plex_sim.start()
    assert sandbox.plex_sim.url == url
    async with asyncio.timeout(60):
        run = await sandbox.sync.wait(run_id)
    assert run.state is RunState.COMPLETED, run.error
    assert (run.failed, run.downloaded, run.wishlisted) == (0, 20, 0)
    assert not sandbox.queue.jobs.in_states([JobState.FAILED])
    assert run.playlist_synced
    upstream = spotify_titles(sandbox.spotify_sim, sandbox.spotify_sim.playlist_id("road-trip"))
    assert await sandbox.plex_titles(run.server_playlist_id) == upstream
    assert OutageBook(sandbox.store).get("plex") is None
    assert "plex is back: the sync continues" in _feed(sandbox)


async def test_spotify_stopped_pauses_the_run_until_it_is_back(sandbox, spotify_titles) -> None:  # type: ignore[no-untyped-def]
    """A first sync (no stored copy of the playlist) waits for Spotify instead of failing."""
    url = sandbox.spotify_sim.url
    ref = sandbox.ref("road-trip")
    sandbox.spotify_sim.stop()
    run_id = await sandbox.sync.start_sync(ref, download_missing=True)
    await sandbox.wait_for(
        lambda: "waiting for spotify since" in (sandbox.sync.run(run_id).message or "")
    )
    await asyncio.sleep(2)
    run = sandbox.sync.run(run_id)
    assert run.state is RunState.RUNNING and run.phase == "waiting"
    assert "waiting for spotify since" in summary_line(run)
    assert any(m.startswith("waiting for spotify since") for m in _feed(sandbox))

    sandbox.spotify_sim.start()
    assert sandbox.spotify_sim.url == url
    async with asyncio.timeout(90):
        run = await sandbox.sync.wait(run_id)
    assert run.state is RunState.COMPLETED, run.error
    assert (run.failed, run.downloaded, run.wishlisted) == (0, 20, 0)
    assert not sandbox.queue.jobs.in_states([JobState.FAILED])
    assert run.playlist_synced
    upstream = spotify_titles(sandbox.spotify_sim, sandbox.spotify_sim.playlist_id("road-trip"))
    assert await sandbox.plex_titles(run.server_playlist_id) == upstream


async def test_spotify_away_longer_than_max_wait_fails_the_run_clearly(sandbox) -> None:  # type: ignore[no-untyped-def]
    short = OutageSettings(max_wait_min=1.5 / 60, first_retry_s=0.2, max_retry_s=0.4)
    sync = SyncService(
        sandbox.store,
        sources={Source.SPOTIFY: sandbox.spotify},
        media_server=sandbox.media,
        downloads=QueueDownloads(sandbox.queue),
        bus=sandbox.bus,
        options=dataclasses.replace(sandbox.options, outages=short),
    )
    ref = sandbox.ref("road-trip")
    sandbox.spotify_sim.stop()
    try:
        run_id = await sync.start_sync(ref, download_missing=True)
        async with asyncio.timeout(30):
            run = await sync.wait(run_id)
    finally:
        await sync.stop()
    assert run.state is RunState.FAILED
    assert "gave up waiting for spotify after 0.025 min" in (run.error or "")
    assert OutageBook(sandbox.store).get("spotify") is None  # the next run starts afresh


async def test_plex_refusing_the_token_is_not_waited_for(sandbox) -> None:  # type: ignore[no-untyped-def]
    """Only an unreachable server is waited out: a rejected token will not heal by waiting."""
    run_id = await sandbox.sync.start_sync(sandbox.ref("road-trip"), download_missing=True)
    await sandbox.wait_for(lambda: sandbox.sync.run(run_id).phase == "downloading")
    sandbox.plex_sim.token = "a-token-plex-no-longer-accepts"
    async with asyncio.timeout(60):
        run = await sandbox.sync.wait(run_id)
    assert run.state is RunState.COMPLETED, run.error
    assert run.downloaded == 20 and not run.playlist_synced
    assert "plex cannot be read: Plex rejected the token" in (run.message or "")
    assert "gave up waiting" not in (run.message or "")
    assert OutageBook(sandbox.store).get("plex") is None
    assert not any(m.startswith("waiting for plex") for m in _feed(sandbox))
