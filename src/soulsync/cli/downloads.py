"""``soulsync download``, ``soulsync queue …`` and ``soulsync history``.

* ``soulsync download "Artist - Title" [--pick]``: find the track on the
  metadata source, then search Soulseek, rank, download and file it (``--pick``
  shows the ranked files and lets you choose);
* ``soulsync download --folder USER PATH --artist "…" [--album "…"]``: a
  matched album download (one job per file, per-file results);
* ``soulsync queue``: live progress of the queue until it is idle (Ctrl-C only
  stops watching when ``soulsync serve`` does the work); ``soulsync queue
  cancel ID``, ``retry ID``, ``clear``;
* ``soulsync history [--limit N]``: finished jobs, newest first.

The commands use the same services as ``soulsync serve``. If ``serve`` is
running it owns the download queue: the CLI then only queues and watches.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer
from rich.live import Live
from rich.markup import escape
from rich.table import Table

from soulsync.cli.common import CliError, console, err_console, fit_table
from soulsync.cli.runner import run_with_services
from soulsync.domain import Album, Artist, JobState, Track
from soulsync.matching.credits import compare_artists
from soulsync.matching.normalize import ascii_key
from soulsync.matching.queries import query_ladder
from soulsync.matching.rank import RankedFile, rank_soulseek_files
from soulsync.services.container import AppServices
from soulsync.services.downloads.jobs_store import Job
from soulsync.services.downloads.service import DownloadService, JobNotFound

_T = TypeVar("_T")

STATE_STYLE = {
    "queued": "cyan",
    "searching": "cyan",
    "downloading": "blue",
    "processing": "magenta",
    "completed": "green",
    "failed": "red",
    "cancelled": "dim",
}

queue_app = typer.Typer(
    help="The download queue: live progress, cancel, retry, clear.", invoke_without_command=True
)


def register(root: typer.Typer) -> None:
    """Add ``download``, ``queue`` and ``history`` to the root command."""
    root.command("download")(download_command)
    root.add_typer(queue_app, name="queue")
    root.command("history")(history_command)


# -- plumbing -------------------------------------------------------------------------------


def _run(ctx: typer.Context, body: Callable[[AppServices], Awaitable[_T]], *, workers: bool) -> _T:
    return run_with_services(ctx, body, workers=workers)


def _downloads(services: AppServices) -> DownloadService:
    if services.downloads is None:
        reason = services.notes.get("slskd", "slskd is not configured")
        raise CliError(f"downloads are not available: {reason}")
    return services.downloads


def _bar(job: Job, width: int = 20) -> str:
    filled = round(job.percent / 100 * width)
    return "█" * filled + "░" * (width - filled)


def jobs_table(jobs: list[Job], title: str | None = None) -> Table:
    """A table of jobs: id, state, what, progress, result."""
    table = Table(title=title, expand=False)
    table.add_column("id", justify="right")
    table.add_column("state")
    table.add_column("track / file", overflow="fold", max_width=60)
    table.add_column("progress")
    table.add_column("speed", justify="right")
    table.add_column("result", overflow="fold", max_width=60)
    for job in jobs:
        style = STATE_STYLE.get(str(job.state), "white")
        progress = f"{_bar(job)} {job.percent:5.1f}%" if job.state is JobState.DOWNLOADING else ""
        speed = f"{job.speed / 1024:.0f} KB/s" if job.speed and not job.is_final else ""
        result = job.destination or job.local_path or "" if job.is_final else ""
        if job.error and job.state is not JobState.COMPLETED:
            result = job.error
        elif job.result and job.result.startswith("plain"):
            result = f"kept in downloads: {job.local_path}"
        table.add_row(
            str(job.id),
            f"[{style}]{job.state}[/]",
            escape(job.title),
            progress,
            speed,
            escape(result or ""),
        )
    return fit_table(table, console.width)


async def _watch(service: DownloadService, ids: list[int] | None, title: str) -> list[Job]:
    """Live table until the given jobs (or the whole active queue) are finished."""

    def current() -> list[Job]:
        return [service.get(i) for i in ids] if ids is not None else service.list_active()

    with Live(jobs_table(current(), title), console=console, refresh_per_second=4) as live:
        while True:
            jobs = current()
            live.update(jobs_table(jobs, title))
            if all(j.is_final for j in jobs):
                return jobs
            await asyncio.sleep(0.25)


# -- soulsync download ------------------------------------------------------------------------


def _split_query(text: str) -> tuple[str | None, str]:
    if " - " in text:
        artist, title = text.split(" - ", 1)
        return artist.strip() or None, title.strip()
    return None, text.strip()


async def _find_track(services: AppServices, text: str) -> Track:
    artist, title = _split_query(text)
    found = (await services.metadata.search_tracks(f"{artist or ''} {title}".strip(), 10)).value
    for track in found:
        if ascii_key(track.title) != ascii_key(title) and not ascii_key(track.title).startswith(
            ascii_key(title)
        ):
            continue
        if artist and compare_artists([artist], track.artists).similarity < 0.8:
            continue
        return track
    if found and artist is None:
        return found[0]
    raise CliError(f"no track found for {text!r} on the metadata source")


def _ranked_table(ranked: list[RankedFile]) -> Table:
    table = Table(title="Ranked files (best first)")
    table.add_column("#", justify="right")
    table.add_column("user")
    table.add_column("file", overflow="fold", max_width=70)
    table.add_column("quality")
    table.add_column("match", justify="right")
    table.add_column("why", overflow="fold", max_width=50)
    for n, r in enumerate(ranked, 1):
        table.add_row(
            str(n),
            escape(r.file.username),
            escape(r.file.filename),
            r.quality_name,
            f"{r.score.percent}%",
            escape("; ".join(r.reasons[:3])),
        )
    return table


async def _pick(services: AppServices, service: DownloadService, track: Track) -> int:
    failures = service.jobs.peer_failures()
    ranked: list[RankedFile] = []
    for query in query_ladder(track)[: service.queue.search_max_queries]:
        responses = await service.slskd.search(query.text)
        result = rank_soulseek_files(track, responses, service.match, failures)
        ranked = list(result.candidates[:15])
        if ranked:
            break
    if not ranked:
        raise CliError(f"no acceptable file on Soulseek for {track.display_artist} - {track.title}")
    console.print(_ranked_table(ranked))
    choice = typer.prompt("Download which file (number)", default="1")
    if not choice.isdigit() or not 1 <= int(choice) <= len(ranked):
        raise CliError(f"not a number between 1 and {len(ranked)}: {choice!r}")
    index = int(choice) - 1
    ordered = [ranked[index].file, *(r.file for i, r in enumerate(ranked) if i != index)]
    return await service.enqueue_playlist_track(track, candidates=ordered, source="cli:pick")


async def _artist(services: AppServices, name: str) -> Artist:
    found = (await services.metadata.search_artists(name, 5)).value
    for artist in found:
        if compare_artists([name], [artist.name]).similarity >= 0.8:
            return artist
    # Not on the metadata source: still usable as a folder name and for matching.
    return Artist(name)


async def _album(services: AppServices, artist: Artist, title: str) -> Album:
    found = (await services.metadata.search_albums(f"{artist.name} {title}", 10)).value
    for album in found:
        if ascii_key(album.title) == ascii_key(title):
            return album
    raise CliError(f"album {title!r} by {artist.name} not found on the metadata source")


def download_command(
    ctx: typer.Context,
    query: Annotated[
        str | None, typer.Argument(help='"Artist - Title" to search, rank, download and file.')
    ] = None,
    pick: Annotated[
        bool, typer.Option("--pick", help="Show the ranked files and choose one.")
    ] = False,
    folder: Annotated[
        tuple[str, str] | None,
        typer.Option("--folder", help="USER PATH: download a remote folder (matched album)."),
    ] = None,
    artist: Annotated[
        str | None, typer.Option("--artist", help="The folder's artist (for --folder).")
    ] = None,
    album: Annotated[
        str | None, typer.Option("--album", help="The album the folder holds (optional).")
    ] = None,
    no_wait: Annotated[
        bool, typer.Option("--no-wait", help="Queue and return; do not show progress.")
    ] = False,
) -> None:
    """Download a track ("Artist - Title") or a whole remote folder, organised and tagged."""
    if (query is None) == (folder is None):
        raise CliError('give either "Artist - Title" or --folder USER PATH')
    if folder is not None and artist is None and album is not None:
        raise CliError("--album needs --artist")

    async def body(services: AppServices) -> list[Job]:
        service = _downloads(services)
        if folder is not None:
            username, path = folder
            chosen = await _artist(services, artist) if artist else None
            release = await _album(services, chosen, album) if chosen and album else None
            batch = await service.enqueue_matched_album(username, path, chosen, release)
            ids = [j.id for j in service.batch(batch)]
            title = f"{username}: {path}"
        else:
            assert query is not None
            track = await _find_track(services, query)
            console.print(
                f"Found [bold]{escape(track.display_artist)} - {escape(track.title)}[/]"
                f" on {escape(track.album or 'no album')}"
            )
            job_id = (
                await _pick(services, service, track)
                if pick
                else await service.enqueue_playlist_track(track, source="cli")
            )
            ids = [job_id]
            title = f"{track.display_artist} - {track.title}"
        if no_wait:
            console.print(f"queued job(s) {', '.join(map(str, ids))}")
            return []
        return await _watch(service, ids, title)

    jobs = _run(ctx, body, workers=not no_wait)
    failed = [j for j in jobs if j.state is not JobState.COMPLETED]
    if failed:
        raise CliError(f"{len(failed)} of {len(jobs)} download(s) did not complete")


# -- soulsync queue ---------------------------------------------------------------------------


@queue_app.callback()
def queue_command(ctx: typer.Context) -> None:
    """Show live progress of the queue until every job has finished."""
    if ctx.invoked_subcommand is not None:
        return

    async def body(services: AppServices) -> list[Job]:
        service = _downloads(services)
        if not service.list_active():
            console.print("the download queue is empty")
            return []
        return await _watch(service, None, "Download queue")

    try:
        _run(ctx, body, workers=True)
    except KeyboardInterrupt:
        err_console.print("[dim]stopped watching; soulsync serve keeps working the queue[/]")


@queue_app.command("cancel")
def queue_cancel(ctx: typer.Context, job_id: Annotated[int, typer.Argument()]) -> None:
    """Cancel a job (its slskd transfer too); a finished download is kept."""

    async def body(services: AppServices) -> Job:
        return await _downloads(services).cancel(job_id)

    try:
        job = _run(ctx, body, workers=False)
    except (JobNotFound, ValueError) as exc:
        raise CliError(str(exc).strip("'\"")) from exc
    console.print(f"job {job.id}: {job.state}")


@queue_app.command("retry")
def queue_retry(ctx: typer.Context, job_id: Annotated[int, typer.Argument()]) -> None:
    """Put a failed or cancelled job back in the queue."""

    async def body(services: AppServices) -> Job:
        return await _downloads(services).retry(job_id)

    try:
        job = _run(ctx, body, workers=False)
    except (JobNotFound, ValueError) as exc:
        raise CliError(str(exc).strip("'\"")) from exc
    console.print(f"job {job.id}: {job.state} (run `soulsync queue` to follow it)")


@queue_app.command("clear")
def queue_clear(
    ctx: typer.Context,
    everything: Annotated[
        bool, typer.Option("--all", help="Also clear failed and cancelled jobs.")
    ] = False,
) -> None:
    """Clear completed jobs from the queue view (history keeps them) and in slskd."""

    async def body(services: AppServices) -> int:
        return await _downloads(services).clear_completed(include_failed=everything)

    cleared = _run(ctx, body, workers=False)
    kind = "finished" if everything else "completed"
    console.print(f"cleared {cleared} {kind} job{'' if cleared == 1 else 's'}")


# -- soulsync history -------------------------------------------------------------------------


def history_command(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", min=1, help="How many jobs to show.")] = 50,
) -> None:
    """Finished downloads, newest first, with where each file went."""

    async def body(services: AppServices) -> list[Job]:
        return _downloads(services).history(limit)

    jobs = _run(ctx, body, workers=False)
    if not jobs:
        console.print("no finished downloads yet")
        return
    console.print(jobs_table(jobs, "Download history"))
