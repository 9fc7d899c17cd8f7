"""The queue's album rows: an album download's jobs shown as one expandable row.

An album download (a matched album, or a remote folder downloaded as is) is
one batch of jobs, one per file. The queue page shows such a batch as one
row with counts, overall progress and group actions (cancel all, retry the
failed, remove); the rows of its tracks are inside it. Other jobs, and a
batch with a single job in the tab, stay rows of their own.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from soulsync.domain import JobKind
from soulsync.services.downloads.jobs_store import Job

__all__ = ["ALBUM_KINDS", "album_title", "group_rows", "is_album_job", "summary"]

ALBUM_KINDS = (JobKind.MATCHED_ALBUM, JobKind.PLAIN)
# The order states are listed in a group's summary.
STATE_ORDER = ("downloading", "processing", "searching", "queued", "failed", "cancelled")


def is_album_job(job: Job) -> bool:
    """True for a job that belongs to an album download (a batch of one folder)."""
    if job.batch_id is None or job.kind not in ALBUM_KINDS:
        return False
    return job.kind is JobKind.MATCHED_ALBUM or bool(job.extra.get("folder"))


def album_title(job: Job) -> tuple[str, str]:
    """The album row's title and artist line for a job of the batch."""
    folder = str(job.extra.get("folder") or "")
    folder_name = folder.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1] or "album"
    if job.kind is JobKind.MATCHED_ALBUM and job.album is not None:
        artist = job.artist.name if job.artist is not None else ", ".join(job.album.artists)
        return job.album.title, artist
    if job.kind is JobKind.MATCHED_ALBUM and job.artist is not None:
        return folder_name, job.artist.name
    return folder_name, f"from {job.file.username}" if job.file else ""


def summary(jobs: Sequence[Job]) -> str:
    """ "2 of 3 done · 1 downloading": how the album download goes."""
    states = Counter(str(j.state) for j in jobs)
    parts = [f"{states.get('completed', 0)} of {len(jobs)} done"]
    parts += [f"{states[s]} {s}" for s in STATE_ORDER if states.get(s)]
    return " · ".join(parts)


def group_rows(
    rows: Sequence[dict[str, Any]], batch_jobs: dict[str, list[Job]]
) -> list[dict[str, Any]]:
    """The tab's entries: album groups (``"group": True``) and single job rows, in order.

    ``rows`` are the tab's job rows (each with its ``job``); ``batch_jobs`` every
    listed job of each batch, both tabs, for the counts.
    """
    by_batch: dict[str, list[dict[str, Any]]] = {}
    for item in rows:
        job: Job = item["job"]
        if is_album_job(job):
            by_batch.setdefault(str(job.batch_id), []).append(item)
    entries: list[dict[str, Any]] = []
    placed: set[str] = set()
    for item in rows:
        job = item["job"]
        batch = str(job.batch_id)
        members = by_batch.get(batch) if is_album_job(job) else None
        if members is None or len(members) < 2:
            entries.append(item)
            continue
        if batch in placed:
            continue
        placed.add(batch)
        entries.append(_group(batch, members, batch_jobs.get(batch, [m["job"] for m in members])))
    return entries


def _group(batch: str, members: list[dict[str, Any]], every: list[Job]) -> dict[str, Any]:
    title, artist = album_title(members[0]["job"])
    size = sum(m["size"] or 0 for m in members)
    done = sum(
        (m["size"] or 0) if m["state"] == "completed" else (m["bytes_done"] or 0) for m in members
    )
    finished = [m["finished_at"] for m in members if m["finished_at"]]
    states = {m["state"] for m in members}
    return {
        "group": True,
        "batch": batch,
        "title": title,
        "artist": artist,
        "art": next((m["art"] for m in members if m["art"]), None),
        "rows": members,
        "count": len(members),
        "summary": summary(every),
        "percent": 100.0 * done / size if size else 0.0,
        "finished_at": max(finished) if finished else None,
        "finished_title": next(
            (m["finished_title"] for m in members if m["finished_at"] == max(finished, default=0)),
            None,
        ),
        "retryable": bool(states & {"failed", "cancelled"}),
        "state": _headline(states),
    }


# The state that colours an album row: the most pressing one among its tracks.
_HEADLINE = ("failed", "cancelled", "downloading", "processing", "searching", "queued")


def _headline(states: set[str]) -> str:
    return next((s for s in _HEADLINE if s in states), "completed")
