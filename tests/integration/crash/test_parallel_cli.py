"""Issue 18 item 2: two CLI syncs of one playlist, started together, download each track once.

Before the fix the "already queued?" check and the insert were two steps, and
two processes made 23 jobs for 20 tracks. The second CLI also said "soulsync
serve is working the download queue" with no serve running.
"""

from __future__ import annotations

import json
import re

import pytest
from cli_world import CliWorld, numbered_copies, road_trip_ref

pytestmark = pytest.mark.slow


def test_two_parallel_syncs_download_each_track_once(world: CliWorld) -> None:
    ref = road_trip_ref()
    first = world.spawn("sync", ref, "--download-missing", "--json")
    second = world.spawn("sync", ref, "--download-missing", "--json")
    results = [world.finish(first), world.finish(second)]
    for code, out, err in results:
        assert code == 0, f"{out}\n{err}"
    records = [json.loads(out.strip().splitlines()[-1]) for _c, out, _e in results]
    for record in records:
        assert record["state"] == "completed"
        assert record["owned"] + record["downloaded"] == 30, record
    jobs = world.query("select wanted_key, state from jobs where kind = 'playlist_track'")
    assert len(jobs) == 20 and {s for _k, s in jobs} == {"completed"}
    assert len({k for k, _s in jobs}) == 20
    assert world.demo.sandbox.slskd.counters.transfers_completed == 20
    files = world.filed_audio()
    assert len(files) == 20 and numbered_copies(files) == []
    assert world.server_playlists("Road Trip") == [30]
    # Whichever CLI did not get the queue says who has it (no serve is running).
    errors = " ".join(err for _c, _o, err in results)
    assert "soulsync serve" not in errors
    busy = re.search(r"soulsync sync.*\(process (\d+)\) is working the download queue", errors)
    assert busy is not None, errors
    assert int(busy.group(1)) in (first.pid, second.pid)
