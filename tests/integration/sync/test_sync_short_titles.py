"""Issue 13 "done means": a playlist of tracks titled "7", "u", "X" and "22" syncs.

Soulseek.NET drops one-letter search terms and slskd refuses a search left
without a longer one (400). The sync must find all four on the sandbox's
peers without sending a single search slskd would refuse - against slskd 0.24
and 0.26 behaviour alike.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from soulsync.services.sync.models import RunState

SHORT = ["the-balcony/7", "tpab/u", "restless/X", "red/22"]


@pytest.mark.parametrize("version", ["0.24.1", "0.26.0"], ids=["slskd-0.24", "slskd-0.26"])
async def test_playlist_of_short_titles_is_found_and_filed(sandbox, version: str) -> None:  # type: ignore[no-untyped-def]
    sandbox.slskd_sim.version = version
    pid = sandbox.spotify_sim.add_playlist("Short Titles", SHORT)
    run_id = await sandbox.sync.start_sync(f"spotify:{pid}", download_missing=True)
    run = await sandbox.sync.wait(run_id)
    assert run.state is RunState.COMPLETED, (run.error, run.message)
    assert (run.total, run.downloaded, run.failed, run.wishlisted) == (4, 4, 0, 0)
    assert sandbox.slskd_sim.counters.searches_refused == 0
    tracks = sandbox.sync.status(run_id)["tracks"]
    filed = {Path(t["library_path"]).stem.split(" ", 1)[1] for t in tracks}
    assert filed == {"7", "u", "X", "22"}
