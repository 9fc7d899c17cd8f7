from __future__ import annotations

import pytest

from soulsync.domain import Track
from soulsync.services.sync.models import RunState, SyncMode, TrackStatus
from soulsync.services.sync.reports import format_duration, recent_runs, run_report, summary_line
from soulsync.services.sync.store import SyncStore
from soulsync.store import Store


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(None, "-"), (0.25, "250 ms"), (12.34, "12.3 s"), (65, "1 m 05 s"), (3725, "1 h 02 m")],
)
def test_format_duration(seconds: float | None, text: str) -> None:
    assert format_duration(seconds) == text


def _run(ss: SyncStore, **values: object) -> str:
    run_id = ss.create_run(
        playlist_row_id=None,
        playlist_name="Road Trip",
        source="spotify",
        source_id="p1",
        mode=SyncMode.MIRROR,
        download_missing=True,
        dry_run=False,
        media_server="plex",
    )
    ss.update_run(run_id, **values)
    return run_id


def test_run_report_lists_every_left_out_track_with_why(store: Store) -> None:
    ss = SyncStore(store)
    run_id = _run(
        ss,
        state=RunState.COMPLETED,
        total=3,
        owned=1,
        downloaded=1,
        wishlisted=1,
        duration_s=12.5,
        playlist_synced=True,
        in_server_playlist=2,
        snapshot_id="snap-7",
    )
    ss.write_tracks(
        run_id,
        [
            {
                "position": 0,
                "track": Track("A", ("X",)),
                "status": TrackStatus.OWNED,
                "reason": "owned",
            },
            {
                "position": 1,
                "track": Track("B", ("Y",)),
                "status": TrackStatus.DOWNLOADED,
                "reason": "ok",
            },
            {
                "position": 2,
                "track": Track("C", ("Z",)),
                "status": TrackStatus.WISHLISTED,
                "reason": "no acceptable candidate",
            },
        ],
    )
    report = run_report(ss, run_id)
    assert report is not None
    assert report.counts == {"owned": 1, "downloaded": 1, "wishlisted": 1}
    assert [t.position for t in report.left_out] == [2]
    lines = report.lines()
    assert lines[0] == (
        '"Road Trip" completed: 3 tracks, 1 owned, 1 downloaded, 1 wishlisted, 0 failed '
        "in 12.5 s; 2 in the plex playlist, verified"
    )
    assert "source snapshot snap-7" in lines
    assert lines[-2:] == [
        "1 of 3 not in the playlist:",
        "  #3 Z - C: wishlisted (no acceptable candidate)",
    ]
    assert report.as_dict()["left_out"] == [2]
    assert run_report(ss, "nope") is None


def test_summary_line_for_failed_and_unsynced_runs(store: Store) -> None:
    ss = SyncStore(store)
    failed = ss.get_run(_run(ss, state=RunState.FAILED, error="spotify: quota exceeded"))
    assert failed is not None
    assert summary_line(failed).endswith("- spotify: quota exceeded")
    unsynced = ss.get_run(_run(ss, state=RunState.COMPLETED, total=2, missing=2))
    assert unsynced is not None
    assert "2 missing" in summary_line(unsynced) and "plex playlist not synced" in summary_line(
        unsynced
    )
    assert [r.id for r in recent_runs(ss, 1)] == [unsynced.id]
