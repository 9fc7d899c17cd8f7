"""The SyncService API the web UI calls: playlists with counters, per-track status,
match decisions by hand, ``sync --all``, and refusing a second run of the same playlist."""

from __future__ import annotations

import pytest

from soulsync.services.sync.models import RunState, TrackStatus
from soulsync.services.sync.service import SyncError


async def test_playlists_counters_and_live_track_status(sandbox) -> None:  # type: ignore[no-untyped-def]
    known = await sandbox.sync.refresh_playlists()
    names = {p.name for p in known}
    assert {"Road Trip", "Versions & Remixes", "Today's Top Hits"} <= names
    ref = sandbox.ref("road-trip")
    assert sandbox.sync.playlist_tracks_status(ref) == []  # never read: no tracks known yet

    sandbox.slskd_sim.time_scale = 2  # slow transfers so the downloads can be watched
    run_id = await sandbox.sync.start_sync(ref, download_missing=True)
    assert await sandbox.sync.start_sync(ref, download_missing=True) == run_id  # same run
    await sandbox.wait_for(
        lambda: any(t["status"] == "downloading" for t in sandbox.sync.playlist_tracks_status(ref))
    )
    live = sandbox.sync.playlist_tracks_status(ref)
    assert len(live) == 30
    assert {t["status"] for t in live[:10]} == {"owned"}
    downloading = [t for t in live if t["status"] == "downloading"]
    assert all("percent" in t for t in downloading)
    running = [s for s in sandbox.sync.list_playlists() if s.running_run_id == run_id]
    assert len(running) == 1
    sandbox.slskd_sim.time_scale = 50
    run = await sandbox.sync.wait(run_id)
    assert run.state is RunState.COMPLETED

    status = next(s for s in sandbox.sync.list_playlists() if s.playlist.ref == ref)
    data = status.as_dict()
    assert data["counts"]["owned"] == run.owned + run.downloaded
    assert data["playlist_synced"] and data["running_run_id"] is None
    final = sandbox.sync.playlist_tracks_status(ref)
    assert {t["status"] for t in final} <= {"owned", "downloaded", "wishlisted"}
    details = sandbox.sync.status(run_id)
    assert details["run"]["id"] == run_id and len(details["tracks"]) == 30
    assert [t["position"] for t in details["left_out"]] == [
        t["position"] for t in final if t["status"] == "wishlisted"
    ]


async def test_reject_and_correct_a_match_by_hand(sandbox) -> None:  # type: ignore[no-untyped-def]
    ref = sandbox.ref("road-trip")
    first = await sandbox.run(ref)  # analysis and mirror only
    assert first.owned == 10 and first.missing == 20
    row = sandbox.sync.sync_store.run_tracks(first.id)[0]
    assert row.status is TrackStatus.OWNED and row.library_id

    # "That is not the song": it is never matched to that file again.
    sandbox.sync.reject_match(ref, 0)
    second = await sandbox.run(ref)
    again = sandbox.sync.sync_store.run_tracks(second.id)[0]
    assert again.status is not TrackStatus.OWNED or again.library_id != row.library_id
    assert second.owned == 9

    # Corrected by hand to a library track: it stays matched on every run.
    offered = await sandbox.sync.library_candidates(ref, 0)
    assert offered and offered[0]["library_id"] == row.library_id and offered[0]["reasons"]
    pick = await sandbox.sync.correct_match(ref, 0, row.library_id)
    with pytest.raises(SyncError, match="no library track with id"):
        await sandbox.sync.correct_match(ref, 0, "nope")
    third = await sandbox.run(ref)
    fixed = sandbox.sync.sync_store.run_tracks(third.id)[0]
    assert fixed.status is TrackStatus.OWNED and fixed.library_id == pick.id
    assert "corrected by you" in (fixed.reason or "")
    assert third.owned == 10

    with pytest.raises(SyncError, match="no library match to confirm"):
        sandbox.sync.confirm_match(ref, 12)
    with pytest.raises(SyncError, match="has no position 99"):
        sandbox.sync.reject_match(ref, 98)


async def test_sync_all_runs_the_selected_playlists_one_after_another(sandbox) -> None:  # type: ignore[no-untyped-def]
    await sandbox.sync.refresh_playlists()
    sandbox.sync.select("Road Trip")
    sandbox.sync.select("Chill Evening")
    run_ids = await sandbox.sync.sync_all()
    assert len(run_ids) == 2
    runs = [await sandbox.sync.wait(r) for r in run_ids]
    assert [r.state for r in runs] == [RunState.COMPLETED, RunState.COMPLETED]
    assert sorted(r.playlist_name for r in runs) == ["Chill Evening", "Road Trip"]
    first, second = sorted(runs, key=lambda r: r.started_at)
    assert first.finished_at is not None and second.finished_at is not None
    # One at a time: the later one finished after the earlier one.
    assert second.finished_at >= first.finished_at
    evening = next(r for r in runs if r.playlist_name == "Chill Evening")
    # The local file of that playlist is listed as unavailable with the reason, not dropped.
    rows = sandbox.sync.sync_store.run_tracks(evening.id)
    local = [r for r in rows if r.status is TrackStatus.UNAVAILABLE]
    assert evening.unavailable == len(local) >= 1
    assert any("local file" in (r.reason or "") for r in local)
    assert evening.total == 10
    with pytest.raises(SyncError, match=r"no known playlist"):
        sandbox.sync.find_playlist("Nope")
