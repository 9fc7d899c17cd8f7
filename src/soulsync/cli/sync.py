"""``soulsync sync``, ``soulsync wishlist …`` and ``soulsync report``.

* ``soulsync sync PLAYLIST [--download-missing] [--dry-run] [--mode mirror|append]``
  syncs one playlist (``spotify:ID``, ``deezer:ID``, a URL, or a name) with a
  live view, then prints a final table of what is not in the server playlist
  and why; ``soulsync sync --all`` syncs every selected playlist in turn.
* ``soulsync wishlist [show]``, ``retry [ID]``, ``ignore ID [--undo]``,
  ``search ID [--query TEXT]`` (ranked candidates with reasons), ``pick ID N``.
* ``soulsync report [RUN_ID] [--limit N]`` prints the last runs, or one run per track.

Commands use the same services as ``soulsync serve``. If ``serve`` is running
it owns the download queue: the CLI then only queues, and ``serve`` downloads.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import Annotated, Any, TypeVar

import typer
from rich.live import Live
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from soulsync.cli.common import CliError, console
from soulsync.cli.runner import run_with_services
from soulsync.services.container import AppServices
from soulsync.services.sync.models import PlaylistRefError, RunState, SyncMode
from soulsync.services.sync.reports import format_duration, recent_runs, run_report, summary_line
from soulsync.services.sync.run_rows import RunRecord
from soulsync.services.sync.service import SyncError, SyncService
from soulsync.services.wishlist.service import WishlistError
from soulsync.store.processing_log import ProcessingLog

_T = TypeVar("_T")

STATUS_STYLE = {
    "owned": "green",
    "downloaded": "bold green",
    "queued": "cyan",
    "missing": "yellow",
    "uncertain": "magenta",
    "wishlisted": "yellow",
    "failed": "red",
    "unavailable": "dim",
    "skipped": "dim",
}

wishlist_app = typer.Typer(
    help="Tracks a sync could not get: show, retry, search by hand, pick, ignore.",
    invoke_without_command=True,
)


def register(root: typer.Typer) -> None:
    """Add ``sync``, ``wishlist`` and ``report`` to the root command."""
    root.command("sync")(sync_command)
    root.add_typer(wishlist_app, name="wishlist")
    root.command("report")(report_command)


# -- plumbing -----------------------------------------------------------------------------


def _run(ctx: typer.Context, body: Callable[[AppServices], Awaitable[_T]], *, workers: bool) -> _T:
    return run_with_services(
        ctx, body, workers=workers, user_errors=(SyncError, PlaylistRefError, WishlistError)
    )


def _style(status: str) -> str:
    return STATUS_STYLE.get(status, "white")


# -- soulsync sync -------------------------------------------------------------------------


def sync_command(
    ctx: typer.Context,
    playlist: Annotated[
        str | None,
        typer.Argument(help="spotify:ID, deezer:ID, file:PATH, a playlist URL, or its name."),
    ] = None,
    all_selected: Annotated[
        bool, typer.Option("--all", help="Sync every selected playlist, one after another.")
    ] = False,
    download_missing: Annotated[
        bool, typer.Option("--download-missing", help="Download what the library lacks.")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only analyse: no downloads, no playlist changes.")
    ] = False,
    mode: Annotated[
        str | None,
        typer.Option("--mode", help="mirror (exact source order) or append (only add)."),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the run(s) as JSON lines.")
    ] = False,
) -> None:
    """Sync a playlist to the library and the media server (live view, then a final table)."""
    if all_selected == (playlist is not None):
        raise CliError("give a PLAYLIST or --all (not both)", exit_code=2)
    chosen: SyncMode | None = None
    if mode is not None:
        try:
            chosen = SyncMode(mode.strip().lower())
        except ValueError as exc:
            raise CliError(f"--mode must be mirror or append, not {mode!r}", exit_code=2) from exc

    async def body(services: AppServices) -> list[RunRecord]:
        sync = services.sync
        if all_selected:
            run_ids = await sync.sync_all(download_missing=download_missing, dry_run=dry_run)
            if not run_ids:
                raise CliError(
                    "no playlist is selected; select some in the web UI or sync them one by one"
                )
        else:
            assert playlist is not None
            run_ids = [
                await sync.start_sync(
                    playlist, download_missing=download_missing, dry_run=dry_run, mode=chosen
                )
            ]
        records = []
        for run_id in run_ids:
            if as_json:
                record = await sync.wait(run_id)
            else:
                record = await _live(services, run_id)
            records.append(record)
        return records

    records = _run(ctx, body, workers=download_missing and not dry_run)
    for record in records:
        if as_json:
            typer.echo(json.dumps(record.as_dict()))
    failed = [r for r in records if r.state is not RunState.COMPLETED]
    if failed:
        raise typer.Exit(1)


async def _live(services: AppServices, run_id: str) -> RunRecord:
    """Follow a run on the bus with a live panel; then print the final table."""
    sync = services.sync
    state: dict[str, Any] = {"phase": "starting", "done": 0, "total": 0, "totals": {}, "last": ""}
    started = time.monotonic()

    def view() -> Table:
        totals = state["totals"]
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold")
        grid.add_column()
        grid.add_row("playlist", escape(sync.run(run_id).playlist_name))
        grid.add_row("phase", state["phase"])
        if state["total"]:
            grid.add_row("tracks", f"{state['done']} / {state['total']}")
        if totals:
            grid.add_row(
                "status",
                ", ".join(f"{k} {v}" for k, v in totals.items() if v and k != "total"),
            )
        grid.add_row("elapsed", format_duration(time.monotonic() - started))
        if state["last"]:
            grid.add_row("last", Text(state["last"], overflow="ellipsis", no_wrap=True))
        return grid

    async def follow(live: Live) -> None:
        async for event in services.bus.subscribe(["sync."]):
            if event.data.get("run_id") != run_id:
                continue
            data = event.data
            if event.topic == "sync.state":
                state["phase"] = data.get("phase") or state["phase"]
                if data.get("totals"):
                    state["totals"] = data["totals"]
            elif event.topic == "sync.progress":
                state["done"] = data.get("done", state["done"])
                state["total"] = data.get("total", state["total"])
                if data.get("totals"):
                    state["totals"] = data["totals"]
            elif event.topic == "sync.track":
                state["last"] = (
                    f"#{data['position'] + 1} {data.get('artist') or ''} - "
                    f"{data.get('title') or ''}: {data['status']}"
                )
            live.update(view())

    with Live(view(), console=console, refresh_per_second=8, transient=True) as live:
        follower = asyncio.create_task(follow(live))
        try:
            record = await sync.wait(run_id)
        finally:
            follower.cancel()
            with suppress(asyncio.CancelledError):
                await follower
    _print_final(sync, record)
    return record


def _print_final(sync: SyncService, record: RunRecord) -> None:
    report = run_report(sync.sync_store, record.id)
    assert report is not None
    style = "green" if record.state is RunState.COMPLETED else "red"
    console.print(Text(summary_line(record), style=style))
    counts = Table(title="Totals", show_edge=False)
    for name in ("total", "owned", "downloaded", "wishlisted", "failed", "missing", "uncertain"):
        counts.add_column(name, justify="right")
    counts.add_row(
        *(
            str(getattr(record, n))
            for n in (
                "total",
                "owned",
                "downloaded",
                "wishlisted",
                "failed",
                "missing",
                "uncertain",
            )
        )
    )
    console.print(counts)
    left = report.left_out
    if left:
        table = Table(title=f"{len(left)} of {record.total} not in the playlist", show_lines=False)
        table.add_column("#", justify="right")
        table.add_column("track")
        table.add_column("status")
        table.add_column("why")
        for t in left:
            table.add_row(
                str(t.position + 1),
                escape(f"{t.artist or ''} - {t.title or ''}"),
                Text(t.status.value, style=_style(t.status.value)),
                escape(t.reason or ""),
            )
        console.print(table)
    if record.message:
        for line in record.message.splitlines()[1:] if left else record.message.splitlines():
            if not line.startswith("  #"):
                console.print(escape(line), style="dim")


# -- soulsync wishlist -----------------------------------------------------------------------


def _wishlist_table(services: AppServices, include_ignored: bool) -> Table:
    table = Table(title="Wishlist")
    for name, justify in (("id", "right"), ("track", "left"), ("state", "left")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    table.add_column("tries", justify="right")
    table.add_column("next retry")
    table.add_column("reason")
    for e in services.sync.wishlist.entries(include_ignored=include_ignored):
        state = "ignored" if e.ignored else e.state
        when = (
            time.strftime("%m-%d %H:%M", time.localtime(e.next_retry_at))
            if e.next_retry_at and e.state == "waiting" and not e.ignored
            else "-"
        )
        table.add_row(
            str(e.id),
            escape(f"{e.track.display_artist} - {e.track.title}"),
            state,
            str(e.attempts),
            when,
            escape(e.reason),
        )
    return table


@wishlist_app.callback()
def wishlist_default(ctx: typer.Context) -> None:
    """With no subcommand: show the wishlist."""
    if ctx.invoked_subcommand is None:
        wishlist_show(ctx)


@wishlist_app.command("show")
def wishlist_show(
    ctx: typer.Context,
    include_ignored: Annotated[bool, typer.Option("--ignored/--no-ignored")] = True,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """List the wishlist: what could not be found, why, and when it is retried."""

    async def body(services: AppServices) -> None:
        if as_json:
            for e in services.sync.wishlist.entries(include_ignored=include_ignored):
                typer.echo(json.dumps(e.as_dict()))
            return
        entries = services.sync.wishlist.entries(include_ignored=include_ignored)
        if not entries:
            console.print("The wishlist is empty.")
            return
        console.print(_wishlist_table(services, include_ignored))

    _run(ctx, body, workers=False)


@wishlist_app.command("retry")
def wishlist_retry(
    ctx: typer.Context,
    entry_id: Annotated[
        int | None, typer.Argument(help="One entry (default: all waiting).")
    ] = None,
    wait: Annotated[bool, typer.Option("--wait/--no-wait", help="Wait for the downloads.")] = True,
) -> None:
    """Search again now for one entry or for every waiting one."""

    async def body(services: AppServices) -> None:
        wishlist = services.sync.wishlist
        job_ids = await wishlist.retry(entry_id)
        if not job_ids:
            console.print("Nothing to retry.")
            return
        console.print(f"Queued {len(job_ids)} download(s): jobs {', '.join(map(str, job_ids))}.")
        queue = services.downloads
        if not wait or queue is None or not queue.running:
            return
        with console.status("downloading…"):
            for job_id in job_ids:
                await queue.wait_job(job_id)
        await wishlist.reconcile()
        console.print(_wishlist_table(services, include_ignored=False))

    _run(ctx, body, workers=True)


@wishlist_app.command("ignore")
def wishlist_ignore(
    ctx: typer.Context,
    entry_id: Annotated[int, typer.Argument()],
    undo: Annotated[bool, typer.Option("--undo", help="Take the ignore mark off.")] = False,
) -> None:
    """Never search for an entry again (or, with --undo, again)."""

    async def body(services: AppServices) -> None:
        entry = services.sync.wishlist.ignore(entry_id, not undo)
        verb = "ignored" if entry.ignored else "no longer ignored"
        console.print(
            f"{escape(entry.track.display_artist)} - {escape(entry.track.title)}: {verb}."
        )

    _run(ctx, body, workers=False)


@wishlist_app.command("search")
def wishlist_search(
    ctx: typer.Context,
    entry_id: Annotated[int, typer.Argument()],
    query: Annotated[
        str | None, typer.Option("--query", "-q", help="Your own search text.")
    ] = None,
) -> None:
    """Search now for an entry and list ranked candidates with the engine's reasons."""

    async def body(services: AppServices) -> None:
        found = await services.sync.wishlist.candidates(entry_id, query)
        if not found:
            console.print("No files found; try --query with other words.")
            return
        table = Table(title="Candidates (pick one with: soulsync wishlist pick ID N)")
        table.add_column("N", justify="right")
        table.add_column("score", justify="right")
        table.add_column("ok")
        table.add_column("quality")
        table.add_column("file")
        table.add_column("why")
        for n, c in enumerate(found, start=1):
            table.add_row(
                str(n),
                f"{c.score:.2f}",
                "yes" if c.accepted else "no",
                c.quality or "",
                escape(f"{c.file.username}: {c.file.basename}"),
                escape("; ".join(c.reasons[:3])),
            )
        console.print(table)

    _run(ctx, body, workers=False)


@wishlist_app.command("pick")
def wishlist_pick(
    ctx: typer.Context,
    entry_id: Annotated[int, typer.Argument()],
    number: Annotated[int, typer.Argument(help="The candidate's N from `wishlist search`.")],
    anyway: Annotated[
        bool,
        typer.Option("--anyway", help="Download it even though the engine rejected it."),
    ] = False,
) -> None:
    """Download the chosen candidate of the last search for an entry."""

    async def body(services: AppServices) -> None:
        job_id = await services.sync.wishlist.pick(entry_id, index=number - 1, confirmed=anyway)
        console.print(f"Queued job {job_id}.")

    _run(ctx, body, workers=False)


# -- soulsync report -----------------------------------------------------------------------------


def report_command(
    ctx: typer.Context,
    run_id: Annotated[str | None, typer.Argument(help="One run, track by track.")] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=500)] = 10,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    processing: Annotated[
        bool, typer.Option("--processing", help="Audio processing statistics only.")
    ] = False,
) -> None:
    """Print the last sync runs (or one run's per-track outcome) and processing totals."""

    async def body(services: AppServices) -> None:
        stats = ProcessingLog(services.store).stats()
        if processing:
            if as_json:
                typer.echo(json.dumps(stats.as_dict()))
            else:
                console.print(stats.summary())
            return
        store = services.sync.sync_store
        # Runs whose process was killed are shown as interrupted, not "running".
        services.sync.mark_interrupted()
        if run_id is not None:
            report = run_report(store, run_id)
            if report is None:
                raise CliError(f"no sync run with id {run_id}")
            if as_json:
                typer.echo(json.dumps(report.as_dict()))
                return
            console.print(escape("\n".join(report.lines()[:3])))
            table = Table()
            table.add_column("#", justify="right")
            table.add_column("track")
            table.add_column("status")
            table.add_column("conf", justify="right")
            table.add_column("why")
            for t in report.tracks:
                table.add_row(
                    str(t.position + 1),
                    escape(f"{t.artist or ''} - {t.title or ''}"),
                    Text(t.status.value, style=_style(t.status.value)),
                    f"{t.confidence:.2f}" if t.confidence is not None else "",
                    escape(t.reason or ""),
                )
            console.print(table)
            return
        runs = recent_runs(store, limit)
        if as_json:
            for r in runs:
                typer.echo(json.dumps(r.as_dict()))
            return
        if not runs:
            console.print("No sync has run yet.")
            if stats.files:
                console.print(stats.summary())
            return
        table = Table(title="Last sync runs")
        for name in (
            "run",
            "when",
            "playlist",
            "state",
            "tracks",
            "owned",
            "downl.",
            "wish.",
            "failed",
        ):
            table.add_column(name)
        table.add_column("time", justify="right")
        table.add_column("server playlist")
        for r in runs:
            synced = (
                f"{r.in_server_playlist} verified"
                if r.playlist_synced
                else ("dry run" if r.dry_run else "not synced")
            )
            table.add_row(
                r.id,
                time.strftime("%m-%d %H:%M", time.localtime(r.started_at)),
                escape(r.playlist_name),
                Text(r.state.value, style="green" if r.state is RunState.COMPLETED else "red"),
                str(r.total),
                str(r.owned),
                str(r.downloaded),
                str(r.wishlisted),
                str(r.failed),
                format_duration(r.duration_s),
                synced,
            )
        console.print(table)
        for r in runs:
            if r.state is RunState.RUNNING and r.phase == "waiting" and r.message:
                # Paused for a service that is down, or for the search budget.
                console.print(escape(f"run {r.id}: {r.message}"))
        if stats.files:
            console.print(stats.summary())

    _run(ctx, body, workers=False)


__all__ = ["STATUS_STYLE", "register", "wishlist_app"]
