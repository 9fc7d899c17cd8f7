"""``soulsync get URL...``: download from Spotify, Deezer, YouTube or playlist-file links.

Each link is resolved to tracks with full metadata (see
:mod:`soulsync.services.links`) and shown with owned / downloaded / queued
badges; then every track not owned is queued as one batch and followed live.
``--dry-run`` stops after the listing. ``--source`` picks the chain: only
Soulseek, only YouTube, or ``auto`` (the configured chain; YouTube links
always go to YouTube).
"""

from __future__ import annotations

import dataclasses
import enum
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from soulsync.cli.common import CliError, console, err_console
from soulsync.cli.runner import run_with_services
from soulsync.domain import JobState
from soulsync.services.container import AppServices

__all__ = ["register"]


class SourceChoice(enum.StrEnum):
    """Which sources ``get`` may use."""

    AUTO = "auto"
    SOULSEEK = "soulseek"
    YOUTUBE = "youtube"


def _duration(ms: int | None) -> str:
    if not ms:
        return ""
    seconds = ms // 1000
    return f"{seconds // 60}:{seconds % 60:02d}"


def get_command(
    ctx: typer.Context,
    urls: Annotated[list[str], typer.Argument(help="Spotify, Deezer, YouTube or M3U/CSV links.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Resolve and list the tracks; download nothing.")
    ] = False,
    source: Annotated[
        SourceChoice,
        typer.Option("--source", help="soulseek, youtube, or auto (the configured chain)."),
    ] = SourceChoice.AUTO,
    no_wait: Annotated[
        bool, typer.Option("--no-wait", help="Queue and return; do not show progress.")
    ] = False,
) -> None:
    """Download every track a link names (track, album, playlist, artist, video, file)."""
    # Heavy imports here, so `soulsync --help` stays quick.
    from soulsync.cli.downloads import _watch
    from soulsync.services.link_badges import Badge, track_badges
    from soulsync.services.links import LinkError

    async def body(services: AppServices) -> list[JobState]:
        resolver = services.link_resolver()
        try:
            resolved = [await resolver.resolve(url) for url in urls]
        except LinkError as exc:
            raise CliError(str(exc)) from exc
        finally:
            await resolver.aclose()
        snapshot, why = await services.sync.library.get()
        if why:
            err_console.print(f"[dim]library not checked: {escape(why)}[/]")
        queue = services.downloads
        jobs = [*queue.history(1000), *queue.list_active()] if queue is not None else []
        states: list[JobState] = []
        releases = services.sync.releases
        for link in resolved:
            tracks = [t.track for t in link.tracks]
            # The sync's release rules: owned only as a live album track is not owned.
            facts = (
                await releases.facts_for_library(
                    snapshot.index, tracks, limit=services.sync.options.release_lookups
                )
                if releases is not None and snapshot is not None
                else None
            )
            badges = track_badges(
                tracks,
                library=snapshot,
                jobs=jobs,
                settings=services.settings.match_settings(),
                releases=facts,
            )
            table = Table(title=f"{link.title} ({link.source}, {len(link.tracks)} tracks)")
            for column in ("#", "Artist", "Title", "Album", "Length", "Status"):
                table.add_column(column)
            for i, (item, badge) in enumerate(zip(link.tracks, badges, strict=True), 1):
                t = item.track
                status = str(badge) if badge else ("youtube upload" if item.video else "new")
                table.add_row(
                    str(i),
                    escape(t.display_artist),
                    escape(t.title),
                    escape(t.album or ""),
                    _duration(t.duration_ms),
                    status,
                )
            console.print(table)
            for problem in link.problems:
                err_console.print(f"[yellow]{escape(problem)}[/]")
            if dry_run:
                continue
            if services.downloads is None:
                raise CliError("downloads are not set up (configure slskd)")
            wanted = [
                item
                for item, badge in zip(link.tracks, badges, strict=True)
                if badge is not Badge.OWNED
            ]
            if not wanted:
                console.print("every track is owned already; nothing to fetch")
                continue
            chain = None if source is SourceChoice.AUTO else [str(source)]
            fresh = dataclasses.replace(link, tracks=tuple(wanted))
            batch, ids = await resolver.enqueue(services.downloads, fresh, sources=chain)
            if no_wait:
                console.print(f"queued batch {batch}: job(s) {', '.join(map(str, ids))}")
                continue
            done = await _watch(services.downloads, ids, link.title)
            states.extend(j.state for j in done)
        return states

    states = run_with_services(ctx, body, workers=not (dry_run or no_wait))
    failed = [s for s in states if s is not JobState.COMPLETED]
    if failed:
        raise CliError(f"{len(failed)} of {len(states)} download(s) did not complete")


def register(root: typer.Typer) -> None:
    """Add ``soulsync get``."""
    root.command("get")(get_command)
