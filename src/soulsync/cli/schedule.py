"""``soulsync schedule list|set|clear``: per-playlist sync schedules.

* ``soulsync schedule list [--json]`` - every schedule with its next run.
* ``soulsync schedule set PLAYLIST (--every HOURS | --daily HH:MM) [--download-missing]``
* ``soulsync schedule clear PLAYLIST``

``PLAYLIST`` is ``spotify:ID``, ``deezer:ID``, ``file:/path``, a URL or a
followed playlist's name. Schedules run while ``soulsync serve`` runs, one
playlist at a time.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from soulsync.cli.common import CliError, console

if TYPE_CHECKING:
    from soulsync.services.container import AppServices
    from soulsync.services.sync.store import PlaylistRecord

schedule_app = typer.Typer(help="Sync followed playlists on a schedule (runs under serve).")


def register(root: typer.Typer) -> None:
    """Add ``soulsync schedule``."""
    root.add_typer(schedule_app, name="schedule")


def _when(value: float | None) -> str:
    if value is None:
        return "-"
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(value))


async def _playlist(services: AppServices, ref: str) -> PlaylistRecord:
    """A followed playlist; a ``source:id`` not followed yet is read once and followed."""
    from soulsync.services.sync.models import PlaylistRef
    from soulsync.services.sync.service import SyncError

    try:
        return services.sync.find_playlist(ref)
    except SyncError:
        pass
    parsed = PlaylistRef.parse(ref)
    source = services.sync.sources.get(parsed.source) if parsed.source else None
    if source is not None and parsed.playlist_id is not None:
        playlist = await source.get_playlist(parsed.playlist_id)
        services.sync.sync_store.upsert_playlist(playlist, with_entries=False)
        found = services.sync.sync_store.find_playlist(playlist.source, playlist.id)
        if found is not None:
            return found
    await services.sync.refresh_playlists()
    return services.sync.find_playlist(ref)


def _errors() -> tuple[type[Exception], ...]:
    from soulsync.services.automation.schedules import ScheduleError
    from soulsync.services.sync.models import PlaylistRefError
    from soulsync.services.sync.service import SyncError

    return (ScheduleError, SyncError, PlaylistRefError)


@schedule_app.command("list")
def schedule_list(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Every schedule, soonest first."""
    from soulsync.cli.runner import run_with_services
    from soulsync.services.automation.schedules import Schedule, ScheduleStore

    async def body(services: AppServices) -> list[Schedule]:
        return ScheduleStore(services.store).all()

    schedules = run_with_services(ctx, body, workers=False)
    if as_json:
        console.print_json(json.dumps([s.as_dict() for s in schedules]))
        return
    if not schedules:
        console.print("No schedules. Add one with: soulsync schedule set PLAYLIST --every 6")
        return
    table = Table("Playlist", "When", "Next run", "Last run", "Last error")
    for s in schedules:
        table.add_row(
            escape(s.playlist_name),
            s.describe() + ("" if s.enabled else " (off)"),
            _when(s.next_run_at),
            _when(s.last_run_at),
            escape(s.last_error or ""),
        )
    console.print(table)


@schedule_app.command("set")
def schedule_set(
    ctx: typer.Context,
    playlist: Annotated[str, typer.Argument(help="spotify:ID, deezer:ID, file:PATH or a name.")],
    every: Annotated[
        float | None, typer.Option("--every", help="Sync every this many hours.")
    ] = None,
    daily: Annotated[
        str | None, typer.Option("--daily", help="Sync daily at this time (HH:MM, local).")
    ] = None,
    download_missing: Annotated[
        bool, typer.Option("--download-missing/--no-download", help="Fetch missing tracks too.")
    ] = False,
) -> None:
    """Create or replace a playlist's schedule."""
    from soulsync.cli.runner import run_with_services
    from soulsync.services.automation.schedules import Schedule, ScheduleStore

    if (every is None) == (daily is None):
        raise CliError("give either --every HOURS or --daily HH:MM", exit_code=2)

    async def body(services: AppServices) -> Schedule:
        record = await _playlist(services, playlist)
        return ScheduleStore(services.store).set(
            record.id,
            every_hours=every,
            daily_at=daily,
            download_missing=download_missing,
            jitter_s=services.settings.automation.jitter_s,
        )

    schedule = run_with_services(ctx, body, workers=False, user_errors=_errors())
    console.print(
        f"{escape(schedule.playlist_name)}: {schedule.describe()}; "
        f"next run {_when(schedule.next_run_at)}"
    )


@schedule_app.command("clear")
def schedule_clear(
    ctx: typer.Context,
    playlist: Annotated[str, typer.Argument(help="spotify:ID, deezer:ID, file:PATH or a name.")],
) -> None:
    """Remove a playlist's schedule."""
    from soulsync.cli.runner import run_with_services
    from soulsync.services.automation.schedules import ScheduleStore

    async def body(services: AppServices) -> tuple[str, bool]:
        record = await _playlist(services, playlist)
        return record.name, ScheduleStore(services.store).clear(record.id)

    name, removed = run_with_services(ctx, body, workers=False, user_errors=_errors())
    if not removed:
        raise CliError(f"{name} has no schedule")
    console.print(f"{escape(name)}: schedule removed")
