"""The download queue: Active / Finished tabs, live progress, cancel, retry, clear."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from fastapi.responses import Response

from soulsync.domain import JobState
from soulsync.services.downloads.service import Job, JobNotFound
from soulsync.web.formatting import plural
from soulsync.web.queue_groups import album_title, group_rows
from soulsync.web.templating import render
from soulsync.web.ui import RowId, error_response, services_of, with_toast

router = APIRouter()

TABS = ("active", "finished")


def artwork(job: Job) -> str | None:
    """The best cover for a job row (the resolved track, the album, the wanted track)."""
    for candidate in (job.track, job.wanted):
        if candidate is not None and candidate.cover_url:
            return candidate.cover_url
    if job.album is not None and job.album.cover_url:
        return job.album.cover_url
    if job.artist is not None and job.artist.image_url:
        return job.artist.image_url
    return None


def row(job: Job, *, stalled_s: float | None = None, retries: int | None = None) -> dict[str, Any]:
    """What the template shows for one job (``stalled_s``: seconds without data, if stalled)."""
    track = job.track or job.wanted
    title = (
        track.title if track is not None else (job.file.basename if job.file else f"job {job.id}")
    )
    if track is not None:
        artist = track.display_artist
    elif job.artist is not None:
        artist = job.artist.name
    else:
        artist = job.file.username if job.file else ""
    album = (job.album.title if job.album else None) or (track.album if track else None)
    size = job.file.size if job.file else None
    return {
        "job": job,
        "id": job.id,
        "title": title,
        "artist": artist,
        "album": album,
        "kind": str(job.kind).replace("_", " "),
        "state": str(job.state),
        "art": artwork(job),
        "size": size,
        "percent": job.percent,
        "speed": job.speed,
        "bytes_done": job.bytes_done,
        "error": job.error or job.result,
        "path": job.destination or job.local_path,
        "source": f"{job.file.username}" if job.file else None,
        "note": attempt_note(job, retries),
        "candidate": candidate_line(job),
        "stalled_s": stalled_s,
        "finished_at": job.finished_at,
        "finished_title": exact_time(job.finished_at),
    }


def exact_time(timestamp: float | None) -> str | None:
    """The absolute time beside a relative "5 min ago" (in a title attribute)."""
    if not timestamp:
        return None
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(timestamp))


PREVIOUS = "previous candidate failed: "


def attempt_note(job: Job, retries: int | None = None) -> str | None:
    """Why the last peer was left and which attempt this is, in words.

    "stalled: no data for 60s … — trying the next peer (2/3)" instead of a
    bare QUEUED flipping with DOWNLOADING; queue retries say "attempt 2 of 4"
    (``retries`` is the queue's retry budget; None when unknown).
    """
    if job.is_final:
        return None
    total = len(job.candidates)
    parts: list[str] = []
    if job.error and job.error.startswith(PREVIOUS):
        reason = job.error.removeprefix(PREVIOUS)
        if total > 1:
            reason += f" — trying the next peer ({job.candidate_index + 1}/{total})"
        parts.append(reason)
    elif job.error:
        parts.append(job.error)  # e.g. "all candidates failed; …; retry 1/3 in 60s"
    if job.attempts > 0 and not (job.error and "retry" in job.error):
        of = f" of {retries + 1}" if retries is not None else ""
        parts.append(f"attempt {job.attempts + 1}{of}")
    return "; ".join(parts) or None


def candidate_line(job: Job) -> str | None:
    """The candidate being tried: "peer 2 of 3: bob — 01 Song.flac"."""
    if job.is_final or job.file is None or job.state is JobState.PROCESSING:
        return None
    where = f"{job.file.username} — {job.file.basename}"
    total = len(job.candidates)
    if total > 1:
        return f"peer {job.candidate_index + 1} of {total}: {where}"
    return f"from {where}"


def short_path(path: str | None, transfer: Path, downloads: Path | None = None) -> str | None:
    """``Transfer/Artist/Album/01 Title.flac``: a path for the page, never an absolute one.

    A file under the transfer folder is shown from that folder's name, one
    under slskd's downloads folder (a plain download) from that one's, any
    other by its file name alone.
    """
    if not path:
        return None
    for root in (transfer, downloads):
        if root is None:
            continue
        try:
            return str(Path(root.name) / Path(path).relative_to(root))
        except ValueError:
            continue
    return Path(path).name


def _lists(services: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[Job]]:
    jobs = services.downloads.list_active()
    settings = services.settings
    steps = services.downloads.steps
    retries = services.downloads.queue.retries
    active = [
        row(j, stalled_s=steps.stalls.stalled_for(j.id), retries=retries)
        for j in jobs
        if not j.is_final
    ]
    processing = getattr(getattr(services.downloads, "organiser", None), "processing", None)
    if processing is not None:
        for item in active:
            stage = processing.stage_of(item["id"])
            if stage is not None:
                item["stage"], item["stage_percent"] = stage
    finished = [row(j) for j in reversed(jobs) if j.is_final]
    for item in finished:
        item["short"] = short_path(
            item["path"], settings.transfer_dir, settings.slskd_downloads_dir
        )
    return active, finished, jobs


def _context(request: Request, tab: str) -> dict[str, Any]:
    services = services_of(request)
    if services is None or services.downloads is None:
        why = "the services are not running" if services is None else services.notes.get("slskd")
        return {
            "why": why or "slskd is not configured",
            "tab": tab,
            "active": [],
            "finished": [],
            "entries": [],
        }
    active, finished, jobs = _lists(services)
    batches: dict[str, list[Job]] = {}
    for job in jobs:
        if job.batch_id is not None:
            batches.setdefault(job.batch_id, []).append(job)
    entries = group_rows(active if tab == "active" else finished, batches)
    return {"why": None, "tab": tab, "active": active, "finished": finished, "entries": entries}


@router.get("/queue", include_in_schema=False)
async def queue_page(request: Request, tab: str = "active") -> Response:
    """The queue page."""
    tab = tab if tab in TABS else "active"
    return render(request, "queue.html", _context(request, tab))


@router.get("/partials/queue", include_in_schema=False)
async def queue_partial(request: Request, tab: str = "active") -> Response:
    """The job list of one tab (refreshed live)."""
    tab = tab if tab in TABS else "active"
    return render(request, "partials/queue_list.html", _context(request, tab))


@router.post("/queue/{job_id}/cancel", include_in_schema=False)
async def cancel(request: Request, job_id: RowId) -> Response:
    """Cancel a job."""
    services = services_of(request)
    if services is None or services.downloads is None:
        return error_response(request, "downloads are not available", 503)
    try:
        job = await services.downloads.cancel(job_id)
    except (JobNotFound, ValueError) as exc:
        return error_response(request, str(exc).strip("'\""), 409)
    response = render(request, "partials/queue_list.html", _context(request, "active"))
    return with_toast(response, f"Cancelled {row(job)['title']}", "ok")


@router.post("/queue/{job_id}/retry", include_in_schema=False)
async def retry(request: Request, job_id: RowId) -> Response:
    """Put a failed or cancelled job back in the queue."""
    services = services_of(request)
    if services is None or services.downloads is None:
        return error_response(request, "downloads are not available", 503)
    try:
        job = await services.downloads.retry(job_id)
    except (JobNotFound, ValueError) as exc:
        return error_response(request, str(exc).strip("'\""), 409)
    response = render(request, "partials/queue_list.html", _context(request, "finished"))
    return with_toast(response, f"Retrying {row(job)['title']}", "ok")


@router.post("/queue/{job_id}/remove", include_in_schema=False)
async def remove(request: Request, job_id: RowId) -> Response:
    """Take one finished job off the list (history keeps it)."""
    services = services_of(request)
    if services is None or services.downloads is None:
        return error_response(request, "downloads are not available", 503)
    try:
        job = services.downloads.remove_finished(job_id)
    except (JobNotFound, ValueError) as exc:
        return error_response(request, str(exc).strip("'\""), 409)
    response = render(request, "partials/queue_list.html", _context(request, "finished"))
    return with_toast(response, f"Removed {row(job)['title']} from the list", "ok")


BatchId = Annotated[str, PathParam(pattern=r"^[0-9A-Za-z_-]{1,64}$")]


async def _batch_action(request: Request, batch: str, action: str) -> Response:
    """Cancel, retry or remove every job of an album download that the action fits."""
    services = services_of(request)
    if services is None or services.downloads is None:
        return error_response(request, "downloads are not available", 503)
    downloads = services.downloads
    jobs = [j for j in downloads.batch(batch) if not j.cleared]
    if not jobs:
        return error_response(request, "this album download is no longer listed", 404)
    title = album_title(jobs[0])[0]
    done = 0
    for job in jobs:
        try:
            if action == "cancel" and not job.is_final:
                await downloads.cancel(job.id)
            elif action == "retry" and job.state in (JobState.FAILED, JobState.CANCELLED):
                await downloads.retry(job.id)
            elif action == "remove" and job.is_final:
                downloads.remove_finished(job.id)
            else:
                continue
        except (JobNotFound, ValueError):
            continue  # it finished or changed meanwhile: nothing to do for it
        done += 1
    tab = "active" if action == "cancel" else "finished"  # the tab the button is on
    response = render(request, "partials/queue_list.html", _context(request, tab))
    verb = {"cancel": "Cancelled", "retry": "Retrying", "remove": "Removed"}[action]
    return with_toast(response, f"{verb} {plural(done, 'track')} of {title}", "ok")


@router.post("/queue/batch/{batch}/cancel", include_in_schema=False)
async def cancel_batch(request: Request, batch: BatchId) -> Response:
    """Cancel every unfinished job of an album download."""
    return await _batch_action(request, batch, "cancel")


@router.post("/queue/batch/{batch}/retry", include_in_schema=False)
async def retry_batch(request: Request, batch: BatchId) -> Response:
    """Retry every failed or cancelled job of an album download."""
    return await _batch_action(request, batch, "retry")


@router.post("/queue/batch/{batch}/remove", include_in_schema=False)
async def remove_batch(request: Request, batch: BatchId) -> Response:
    """Take an album download's finished jobs off the list (history keeps them)."""
    return await _batch_action(request, batch, "remove")


@router.post("/queue/clear", include_in_schema=False)
async def clear(request: Request) -> Response:
    """Hide completed jobs from the queue (history keeps them).

    Failed and cancelled jobs keep their Retry buttons unless the form says
    ``scope=all`` (the "Clear all finished" button, which asks first).
    """
    services = services_of(request)
    if services is None or services.downloads is None:
        return error_response(request, "downloads are not available", 503)
    form = await request.form()
    everything = form.get("scope") == "all"
    count = await services.downloads.clear_completed(include_failed=everything)
    tab = form.get("tab")
    tab = tab if isinstance(tab, str) and tab in TABS else "finished"
    context = _context(request, tab)
    response = render(request, "partials/queue_list.html", context)
    noun = "finished download" if everything else "completed download"
    message = f"Cleared {plural(count, noun)}"
    kept = sum(1 for job in context["finished"] if job["state"] in ("failed", "cancelled"))
    if kept and not everything:
        message += f"; {plural(kept, 'failed or cancelled download')} kept for retry"
    return with_toast(response, message, "ok")
