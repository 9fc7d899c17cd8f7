"""The download half of a sync run: queue the missing tracks once, follow them to the end.

Mixed into :class:`~soulsync.services.sync.run.RunExecutor`. Before anything
is queued the write folders are checked (a read-only Transfer folder stops the
run, not 20 jobs later). A track whose recording already has a job (another
run, another process, or a download completed before a crash) follows that
job instead of queueing a second one. While the jobs run, an slskd outage or a
used-up search budget is shown on the run ("waiting for slskd since 14:02,
next try in 30 s", "search budget: next search in 2 min 40 s").
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from soulsync.domain import Playlist
from soulsync.library.folder_checks import check_folder
from soulsync.services.outage import OutageBook, search_budget_wait
from soulsync.services.sync.library import SyncError, SyncOptions
from soulsync.services.sync.models import TrackStatus, track_key
from soulsync.services.sync.outage_wait import RunWaits
from soulsync.services.sync.ports import DownloadPort, JobOutcome, JobReport
from soulsync.services.sync.record import Slot
from soulsync.services.sync.store import DecisionKind
from soulsync.services.wishlist.service import WishlistService

__all__ = ["RunDownloads"]


class RunDownloads(RunWaits):
    """Queueing and following a run's downloads (needs the executor's attributes)."""

    downloads: DownloadPort | None
    wishlist: WishlistService
    options: SyncOptions

    async def _download_missing(self, playlist: Playlist) -> None:
        missing = [s for s in self.slots if s.status is TrackStatus.MISSING]
        if not missing:
            return
        port = self.downloads
        if port is None:
            self.notes.append("no download source is configured: missing tracks were not fetched")
            for slot in missing:
                self._set(
                    slot, TrackStatus.MISSING, slot.reason + "; no download source configured"
                )
            return
        problems = [
            why
            for label, folder in self.options.write_folders
            if (why := await asyncio.to_thread(check_folder, Path(folder), label)) is not None
        ]
        if problems:
            # Pre-flight: a folder that cannot be written fails the run now, not 20 jobs later.
            raise SyncError(f"nothing was downloaded: {'; '.join(problems)}")
        self._phase("queueing", f"queueing {len(missing)} missing tracks")
        tracks = [s.verdict.track for s in missing if s.verdict.track is not None]
        active = self.ss.active_jobs_for([track_key(t) for t in tracks])
        wished = self.wishlist.find_many(tracks)
        ref = f"{playlist.source.value}:{playlist.id}"
        now = time.time()
        for slot in missing:
            track = slot.verdict.track
            assert track is not None
            key = track_key(track)
            entry = wished.get(key)
            if slot.job_id is not None:
                active.setdefault(key, slot.job_id)
                self._set(slot, TrackStatus.QUEUED, "download queued (resumed)")
                continue
            if key in active:
                # Queued by an earlier run, or twice in this playlist: one download serves all.
                self._set(
                    slot,
                    TrackStatus.QUEUED,
                    f"already queued (job {active[key]})",
                    job_id=active[key],
                )
                continue
            if entry is not None and entry.state == "queued" and entry.job_id is not None:
                self._set(
                    slot,
                    TrackStatus.QUEUED,
                    f"being fetched for the wishlist (job {entry.job_id})",
                    job_id=entry.job_id,
                )
                continue
            if entry is not None and entry.ignored:
                self._set(slot, TrackStatus.SKIPPED, "ignored in the wishlist")
                continue
            if entry is not None and entry.in_cooldown(now):
                when = time.strftime("%Y-%m-%d %H:%M", time.localtime(entry.next_retry_at or now))
                self._set(
                    slot,
                    TrackStatus.WISHLISTED,
                    f"in the wishlist until {when}: {entry.reason}",
                )
                continue
            batch = f"sync:{self.run_id}"
            job_id = await port.enqueue_playlist_track(
                track, batch_id=batch, playlist_name=playlist.name
            )
            active[key] = job_id
            report = port.report(job_id)
            if report is not None and report.batch_id != batch:
                # The recording already had a job (another run or process queued it,
                # or it completed before a crash): follow that one, do not own it.
                self._set(slot, TrackStatus.QUEUED, f"already queued (job {job_id})", job_id=job_id)
                continue
            self.created_jobs.append(job_id)
            self._save_resume()
            if entry is not None:
                self.wishlist.mark_queued(entry.id, job_id)
            self._set(slot, TrackStatus.QUEUED, "download queued", job_id=job_id)
        await self._wait_for_jobs(port, ref)

    async def _wait_for_jobs(self, port: DownloadPort, ref: str) -> None:
        waiting: dict[int, list[Slot]] = {}
        for slot in self.slots:
            if slot.status is TrackStatus.QUEUED and slot.job_id is not None:
                waiting.setdefault(slot.job_id, []).append(slot)
        if not waiting:
            return
        self._phase("downloading", f"downloading {len(waiting)} tracks")
        last_percent: dict[int, float] = {}
        outages = OutageBook(self.store, self.options.outages)
        shown: str | None = None
        while waiting:
            # A service outage pauses the queue: say so on the run, live.
            outage = await asyncio.to_thread(outages.get, "slskd")
            budget = await asyncio.to_thread(search_budget_wait, self.store)
            say = outage.describe() if outage is not None else budget
            if say is not None and say != shown:
                shown = say
                self._phase("waiting", say)
            elif say is None and shown is not None:
                shown = None
                self._phase("downloading", f"downloading {len(waiting)} tracks")
            reports = port.reports(list(waiting))
            for job_id, slots in list(waiting.items()):
                report = reports.get(job_id)
                if report is not None and report.outcome is JobOutcome.PENDING:
                    if abs(report.percent - last_percent.get(job_id, -1.0)) >= 5:
                        last_percent[job_id] = report.percent
                        for slot in slots:
                            self._publish(
                                "sync.download",
                                position=slot.verdict.position,
                                job_id=job_id,
                                state=report.state,
                                percent=round(report.percent, 1),
                            )
                    continue
                del waiting[job_id]
                for slot in slots:
                    self._job_finished(slot, report, ref)
            if waiting:
                await asyncio.sleep(self.options.poll_interval_s)

    def _job_finished(self, slot: Slot, report: JobReport | None, ref: str) -> None:
        track = slot.verdict.track
        assert track is not None
        if report is not None and report.outcome is JobOutcome.DOWNLOADED:
            slot.destination = report.destination
            # Remember the file at once: if the process stops before the library
            # lists it, the next run waits for the scan instead of fetching it again.
            self.ss.remember(
                track, DecisionKind.OWNED, library_id=None, library_path=report.destination
            )
            self.wishlist.resolve(track)
            self._set(slot, TrackStatus.DOWNLOADED, f"downloaded to {report.destination}")
            return
        if report is None:
            reason = f"download job {slot.job_id} disappeared"
        elif report.outcome is JobOutcome.CANCELLED:
            self._set(slot, TrackStatus.FAILED, "download cancelled")
            return
        elif report.outcome is JobOutcome.NO_CANDIDATE:
            reason = report.reason or "no acceptable candidate"
        else:
            reason = f"every download failed: {report.reason or report.state}"
        queries = report.queries if report is not None else ()
        key = track_key(track)
        if key in self.wishlisted:
            # The same track twice in the playlist: one wishlist entry, one attempt.
            self._set(slot, TrackStatus.WISHLISTED, self.wishlisted[key])
            return
        entry = self.wishlist.add(track, reason, queries=queries, playlist_ref=ref)
        tried = f"; searched {' | '.join(repr(q) for q in queries)}" if queries else ""
        self.wishlisted[key] = f"wishlist #{entry.id}: {reason}{tried}"
        self._set(slot, TrackStatus.WISHLISTED, self.wishlisted[key])
