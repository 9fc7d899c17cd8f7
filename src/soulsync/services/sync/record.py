"""The record of one sync run as it goes: per-position slots, counters, events, the end.

:class:`RunRecorder` is the base of :class:`~soulsync.services.sync.run.RunExecutor`:
it owns the live per-track state, writes every change to the store first and
then announces it on the bus (``sync.state``, ``sync.track``, ``sync.progress``),
and records the run's end (totals, duration, message, activity feed entry).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from soulsync.domain import Playlist
from soulsync.services.events import EventBus
from soulsync.services.sync.analysis import TrackVerdict
from soulsync.services.sync.mirror import MirrorResult
from soulsync.services.sync.models import RunState, SyncTotals, TrackStatus
from soulsync.services.sync.reports import summary_line
from soulsync.services.sync.store import SyncStore
from soulsync.store import Store

__all__ = ["KEEP_TRACK_ROWS", "RunRecorder", "Slot"]

# Per-track rows are kept for this many newest runs of each playlist (totals forever).
KEEP_TRACK_ROWS = 30


@dataclass(slots=True)
class Slot:
    """The live state of one playlist position during a run."""

    verdict: TrackVerdict
    status: TrackStatus
    reason: str
    job_id: int | None = None
    destination: str | None = None


class RunRecorder:
    """Live state of a run and its persistence; see the module docstring."""

    def __init__(
        self, *, run_id: str, store: Store, sync_store: SyncStore, bus: EventBus | None
    ) -> None:
        self.run_id = run_id
        self.store = store
        self.ss = sync_store
        self.bus = bus
        self.slots: list[Slot] = []
        self.created_jobs: list[int] = []
        self.playlist: Playlist | None = None
        self.started = time.monotonic()
        self.mirror: MirrorResult | None = None
        self.notes: list[str] = []
        self.wishlisted: dict[str, str] = {}  # track key -> reason, within this run

    # -- events and persistence ---------------------------------------------------------------

    def _publish(self, topic: str, **data: object) -> None:
        if self.bus is not None:
            self.bus.publish(topic, run_id=self.run_id, **data)

    def _phase(self, phase: str, message: str | None = None) -> None:
        values: dict[str, object] = {"phase": phase, "state": RunState.RUNNING}
        if message is not None:
            values["message"] = message
        self.ss.update_run(self.run_id, **values)
        self._publish("sync.state", state=RunState.RUNNING.value, phase=phase, message=message)

    def totals(self) -> SyncTotals:
        """The counters from the current per-track statuses."""
        t = SyncTotals(total=len(self.slots))
        for slot in self.slots:
            s = slot.status
            if s is TrackStatus.OWNED:
                t.owned += 1
            elif s is TrackStatus.UNCERTAIN:
                t.uncertain += 1
            elif s in (TrackStatus.MISSING, TrackStatus.QUEUED):
                t.missing += 1
            elif s is TrackStatus.DOWNLOADED:
                t.downloaded += 1
            elif s in (TrackStatus.WISHLISTED, TrackStatus.SKIPPED):
                # Ignored entries are still on the wishlist (the counters add up to total).
                t.wishlisted += 1
            elif s is TrackStatus.FAILED:
                t.failed += 1
            elif s is TrackStatus.UNAVAILABLE:
                t.unavailable += 1
        if self.mirror is not None and not self.mirror.error:
            t.in_server_playlist = self.mirror.placed
        return t

    def _progress(self, done: int | None = None) -> None:
        totals = self.totals()
        self._publish(
            "sync.progress",
            done=done if done is not None else totals.total,
            total=totals.total,
            totals=totals.as_dict(),
        )

    def _track_event(self, slot: Slot) -> None:
        v = slot.verdict
        self._publish(
            "sync.track",
            position=v.position,
            status=slot.status.value,
            title=v.track.title if v.track else None,
            artist=v.track.display_artist if v.track else None,
            confidence=v.confidence,
            reason=slot.reason,
            job_id=slot.job_id,
            library_path=v.library.path if v.library else None,
        )

    def _set(self, slot: Slot, status: TrackStatus, reason: str, **extra: object) -> None:
        slot.status, slot.reason = status, reason
        if "job_id" in extra:
            slot.job_id = extra["job_id"]  # type: ignore[assignment]
        library = slot.verdict.library
        self.ss.update_track(
            self.run_id,
            slot.verdict.position,
            status=status,
            reason=reason,
            job_id=slot.job_id,
            confidence=slot.verdict.confidence,
            library_id=library.id if library else None,
            library_path=library.path if library else None,
        )
        self._track_event(slot)
        self._progress()

    def _save_resume(self) -> None:
        self.ss.update_run(self.run_id, resume_json=json.dumps({"created_jobs": self.created_jobs}))

    def _write_all_tracks(self) -> None:
        self.ss.write_tracks(
            self.run_id,
            [
                {
                    "position": s.verdict.position,
                    "track": s.verdict.track,
                    "title": None if s.verdict.track else "(unavailable)",
                    "status": s.status,
                    "confidence": s.verdict.confidence,
                    "reason": s.reason,
                    "library_id": s.verdict.library.id if s.verdict.library else None,
                    "library_path": s.verdict.library.path if s.verdict.library else None,
                    "job_id": s.job_id,
                }
                for s in self.slots
            ],
        )

    # -- the run -----------------------------------------------------------------------------------

    def _finish(self, state: RunState, *, error: str | None = None) -> None:
        totals = self.totals()
        lines: list[str] = []
        if self.mirror is not None:
            # "156 of 160 ...: these 4 are not in it:" followed by one line each, with why.
            lines.extend(self.mirror.lines())
        lines.extend(self.notes)
        message = "\n".join(lines) if lines else None
        run = self.ss.get_run(self.run_id)
        now = time.time()
        # Wall time since the run was started (a resumed run includes the restart).
        duration = now - run.started_at if run else time.monotonic() - self.started
        self.ss.update_run(
            self.run_id,
            state=state,
            phase="done",
            finished_at=now,
            duration_s=round(duration, 3),
            error=error,
            message=message,
            **totals.as_dict(),
        )
        if self.playlist is not None and state is RunState.COMPLETED and not (run and run.dry_run):
            # An analysis (dry run) changes nothing on the server: not "synced".
            row = self.ss.find_playlist(self.playlist.source, self.playlist.id)
            if row is not None:
                self.ss.update_playlist(row.id, last_synced_at=time.time())
        self._publish(
            "sync.state",
            state=state.value,
            phase="done",
            message=message,
            error=error,
            totals=totals.as_dict(),
        )
        final = self.ss.get_run(self.run_id)
        if final is not None:
            # The dashboard's activity feed, and bounded history of per-track rows.
            self.store.add_activity(
                "sync", summary_line(final), {"run_id": self.run_id, "state": state.value}
            )
            if final.playlist_row_id is not None:
                self.ss.prune_track_rows(final.playlist_row_id, keep_runs=KEEP_TRACK_ROWS)
