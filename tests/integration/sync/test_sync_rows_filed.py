"""Playlist rows: a missing track filed since the last run (e.g. from a search) says downloaded."""

from __future__ import annotations

from pathlib import Path

from soulsync.services.filed import FiledTracks, filed_row
from soulsync.services.sync.models import RunState, TrackStatus


async def test_a_missing_row_whose_recording_was_filed_since_says_downloaded(  # type: ignore[no-untyped-def]
    sandbox, tmp_path: Path
) -> None:
    ref = sandbox.ref("road-trip")
    run = await sandbox.run(ref)  # no downloads: the missing tracks stay missing
    assert run.state is RunState.COMPLETED
    rows = sandbox.sync.sync_store.run_tracks(run.id)
    missing = [r for r in rows if r.status is TrackStatus.MISSING and r.track is not None]
    assert len(missing) >= 2
    first = missing[0]
    assert first.track is not None
    copy = tmp_path / "filed.flac"
    copy.write_bytes(b"x")
    FiledTracks(sandbox.store).record(filed_row([first.track], str(copy)))

    status = {r["position"]: r["status"] for r in sandbox.sync.playlist_tracks_status(ref)}

    assert status[first.position] == "downloaded"
    assert status[missing[1].position] == "missing"
