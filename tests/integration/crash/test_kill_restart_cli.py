"""Issue 18 item 1: a CLI sync SIGKILLed right after its first download was filed,
restarted with that download's peer gone, does no work twice.

Before the fix the restarted CLI created a new run, did not count the completed
job as owned, downloaded the track again from another peer and filed
``03 Digital Love (2).flac``; the Plex playlist got 33 tracks.
"""

from __future__ import annotations

import json

import pytest
from cli_world import CliWorld, numbered_copies, road_trip_ref

pytestmark = pytest.mark.slow


def test_kill_after_first_completed_job_then_restart_with_its_peer_gone(world: CliWorld) -> None:
    ref = road_trip_ref()
    first = world.spawn("sync", ref, "--download-missing", "--json")
    world.kill_when(first, lambda: world.completed_playlist_jobs() >= 1)
    done = world.query(
        "select username from jobs where kind = 'playlist_track' and state = 'completed'"
    )
    assert done, "the kill came before any job completed"
    # The peer that sent the finished file is gone when the CLI comes back.
    for (username,) in done:
        world.demo.sandbox.slskd.set_peer(str(username), behaviour="offline")

    second = world.spawn("sync", ref, "--download-missing", "--json")
    code, out, err = world.finish(second)
    assert code == 0, f"{out}\n{err}"
    record = json.loads(out.strip().splitlines()[-1])

    # The restarted CLI went on with its own interrupted run.
    runs = world.query("select id, state from sync_runs")
    assert runs == [(record["id"], "completed")]
    assert (record["owned"], record["downloaded"], record["failed"]) == (10, 20, 0)
    # Exactly once: 20 jobs, 20 Soulseek downloads, 20 files, no numbered copies.
    jobs = world.query("select state from jobs where kind = 'playlist_track'")
    assert [s for (s,) in jobs] == ["completed"] * 20
    # (Enqueues may exceed 20: sandbox peers that stall or fail make a job try its
    # next candidate; a finished transfer is a real download.)
    assert world.demo.sandbox.slskd.counters.transfers_completed == 20
    files = world.filed_audio()
    assert len(files) == 20 and numbered_copies(files) == []
    # Every filed file is in SoulSync's own record, with its Spotify id.
    filed = world.query("select path, spotify_id from filed_tracks")
    assert sorted(p for p, _ in filed) == sorted(str(f) for f in files)
    assert all(sid for _, sid in filed)
    # One server playlist, all 30 tracks.
    assert world.server_playlists("Road Trip") == [30]


def test_a_killed_run_is_reported_interrupted_not_running(world: CliWorld) -> None:
    """Issue 18 item 4: runs killed mid-way stayed "running" forever in ``soulsync report``."""
    proc = world.spawn("sync", road_trip_ref(), "--download-missing", "--json")
    world.kill_when(
        proc, lambda: bool(world.scalar("select count(*) from jobs where state = 'downloading'"))
    )
    assert world.query("select state from sync_runs") == [("running",)]
    code, out, err = world.finish(world.spawn("report", "--json"))
    assert code == 0, f"{out}\n{err}"
    run = json.loads(out.strip().splitlines()[0])
    assert run["state"] == "interrupted"
    assert "interrupted" in (run["message"] or "")
    # A later sync of the same playlist picks it up again and finishes it.
    code, out, err = world.finish(
        world.spawn("sync", road_trip_ref(), "--download-missing", "--json")
    )
    assert code == 0, f"{out}\n{err}"
    assert json.loads(out.strip().splitlines()[-1])["id"] == run["id"]
    assert world.query("select state from sync_runs") == [("completed",)]
