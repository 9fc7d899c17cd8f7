"""Sync run reports: what a run did, in numbers and per track, as data and as text.

Every run is stored (``sync_runs`` and ``sync_run_tracks``): when, the source
snapshot, totals, duration, the per-track outcome and why. This module reads
them back for ``soulsync report``, the web UI and the activity feed, and
renders the plain-text forms (the CLI adds colour on top).
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from soulsync.services.sync.models import RunState, TrackStatus
from soulsync.services.sync.run_rows import RunRecord, RunTrack
from soulsync.services.sync.store import SyncStore

__all__ = [
    "RunReport",
    "format_duration",
    "recent_runs",
    "run_report",
    "summary_line",
]


def format_duration(seconds: float | None) -> str:
    """``850 ms``, ``12.3 s``, ``4 m 05 s`` or ``1 h 02 m``; ``-`` when unknown."""
    if seconds is None:
        return "-"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} m {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} m"


def summary_line(run: RunRecord) -> str:
    """One line: playlist, state, counters, duration and whether the server playlist is in sync."""
    parts = [
        f"{run.total} tracks",
        f"{run.owned} owned",
        f"{run.downloaded} downloaded",
        f"{run.wishlisted} wishlisted",
        f"{run.failed} failed",
    ]
    if run.missing:
        parts.append(f"{run.missing} missing")
    if run.uncertain:
        parts.append(f"{run.uncertain} uncertain")
    if run.unavailable:
        parts.append(f"{run.unavailable} unavailable")
    head = f'"{run.playlist_name}" {run.state.value}'
    if run.dry_run:
        head += " (dry run)"
    text = f"{head}: {', '.join(parts)} in {format_duration(run.duration_s)}"
    if run.state is RunState.COMPLETED and not run.dry_run:
        if run.playlist_synced:
            text += f"; {run.in_server_playlist} in the {run.media_server} playlist, verified"
        elif run.media_server:
            text += f"; {run.media_server} playlist not synced"
    if run.state is RunState.RUNNING and run.phase == "waiting" and run.message:
        # Paused for a service: "waiting for plex since 14:02, next try in 30 s".
        text += f" - {run.message}"
    if run.error:
        text += f" - {run.error}"
    return text


@dataclass(frozen=True, slots=True)
class RunReport:
    """A run with its per-track outcomes."""

    run: RunRecord
    tracks: tuple[RunTrack, ...]

    @property
    def counts(self) -> dict[str, int]:
        """How many positions ended in each status."""
        return dict(Counter(t.status.value for t in self.tracks))

    @property
    def left_out(self) -> list[RunTrack]:
        """Positions not in the media-server playlist (not owned, not downloaded)."""
        return [t for t in self.tracks if not t.status.is_owned]

    def lines(self) -> list[str]:
        """The report as plain text: summary, when, snapshot, then every left-out track."""
        run = self.run
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(run.started_at))
        out = [summary_line(run), f"run {run.id} started {when}, source {run.ref}"]
        if run.snapshot_id:
            out.append(f"source snapshot {run.snapshot_id}")
        left = self.left_out
        if left:
            out.append(f"{len(left)} of {run.total} not in the playlist:")
            out.extend(
                f"  #{t.position + 1} {t.artist or ''} - {t.title or ''}: "
                f"{t.status.value} ({t.reason or 'no reason recorded'})"
                for t in left
            )
        return out

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready view: the run, per-status counts, and every track."""
        return {
            "run": self.run.as_dict(),
            "counts": self.counts,
            "tracks": [t.as_dict() for t in self.tracks],
            "left_out": [t.position for t in self.left_out],
        }


def run_report(store: SyncStore, run_id: str) -> RunReport | None:
    """The report of one run, or None for an unknown id."""
    run = store.get_run(run_id)
    if run is None:
        return None
    return RunReport(run, tuple(store.run_tracks(run_id)))


def recent_runs(store: SyncStore, limit: int = 10) -> list[RunRecord]:
    """The newest runs first."""
    return store.runs(limit=limit)


def status_counts(tracks: list[RunTrack]) -> dict[TrackStatus, int]:
    """Per-status counts of some tracks (every status present, zero if none)."""
    found = Counter(t.status for t in tracks)
    return {s: found.get(s, 0) for s in TrackStatus}
