"""Issue 18 item 3: a kill right after Plex created the playlist leaves one playlist, not two.

Before the fix a kill 10-20 ms into the first mirror left two "Road Trip"
playlists on Plex: the id of the first was never stored, and the resumed run
created another.
"""

from __future__ import annotations

import json

import pytest
from cli_world import CliWorld, road_trip_ref

pytestmark = pytest.mark.slow


def test_kill_right_after_the_playlist_create_then_resume(world: CliWorld) -> None:
    plex = world.demo.sandbox.plex
    proc = world.spawn("sync", road_trip_ref(), "--download-missing", "--json")
    # Killed as soon as Plex answered the create (before the id reaches the database).
    world.kill_when(proc, lambda: plex.count("POST", "/playlists") >= 1, within_s=60)
    assert world.server_playlists("Road Trip") == [10]
    assert world.scalar("select server_playlist_id from sync_playlists") is None
    assert world.scalar("select server_playlist_intent from sync_playlists") is not None

    code, out, err = world.finish(
        world.spawn("sync", road_trip_ref(), "--download-missing", "--json")
    )
    assert code == 0, f"{out}\n{err}"
    record = json.loads(out.strip().splitlines()[-1])
    assert record["playlist_synced"] and record["in_server_playlist"] == 30
    assert world.server_playlists("Road Trip") == [30]
    assert plex.count("POST", "/playlists") == 1
    stored = world.scalar("select server_playlist_id from sync_playlists")
    assert stored == record["server_playlist_id"]
    assert world.scalar("select server_playlist_intent from sync_playlists") is None
