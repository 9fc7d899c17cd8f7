"""Issue 18 item 12: waits and fallbacks are said, not silent.

* the Soulseek search budget: "search budget: next search in 2 min 40 s" in the
  run and the activity feed (it was a silent stall of ~3 minutes);
* a stored copy of the playlist used because Spotify is down: in the run's
  summary (it was only an INFO log line).
"""

from __future__ import annotations

import asyncio
import dataclasses

from soulsync.services.outage import note_search_wait
from soulsync.services.sync.models import RunState


async def test_search_budget_wait_is_shown_on_the_run_and_in_the_feed(sandbox) -> None:  # type: ignore[no-untyped-def]
    pacer = sandbox.slskd_client.pacer
    pacer.settings = dataclasses.replace(pacer.settings, max_per_window=2, window_s=3.0)
    pacer.on_wait = lambda seconds: note_search_wait(sandbox.store, seconds)
    run_id = await sandbox.sync.start_sync(sandbox.ref("road-trip"), download_missing=True)
    seen: list[str] = []

    def waiting() -> bool:
        run = sandbox.sync.run(run_id)
        if run.phase == "waiting" and run.message:
            seen.append(run.message)
        return bool(seen)

    await sandbox.wait_for(waiting, within_s=60)
    assert seen[0].startswith("search budget: next search in ") and seen[0].endswith(" s")
    feed = [e["message"] for e in sandbox.store.recent_activity(200)]
    assert any(m.startswith("search budget: next search in") for m in feed)
    pacer.settings = dataclasses.replace(pacer.settings, max_per_window=34)
    async with asyncio.timeout(120):
        run = await sandbox.sync.wait(run_id)
    assert run.state is RunState.COMPLETED and run.failed == 0


async def test_a_stored_playlist_copy_used_while_spotify_is_down_is_in_the_summary(sandbox) -> None:  # type: ignore[no-untyped-def]
    ref = sandbox.ref("road-trip")
    first = await sandbox.run(ref)
    assert first.state is RunState.COMPLETED
    sandbox.spotify_sim.fail_next(503, count=200)
    second = await sandbox.run(ref)
    assert second.state is RunState.COMPLETED
    assert "spotify was not reachable: used the copy of the playlist read earlier" in (
        second.message or ""
    )
