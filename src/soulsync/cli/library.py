"""``soulsync library scan|stats|find``: the user's own library (Plex or a plain folder).

The library is Plex when ``[plex] url`` is set, otherwise the folder library
when ``[folder_library]`` is enabled; ``--source`` picks one explicitly.
``find`` asks the matching engine's library index (the same check the sync
uses) whether a track written ``Artist - Title`` is owned, and why.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import replace
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.table import Table

from soulsync.cli.common import CliError, console, open_store, settings
from soulsync.config import Settings
from soulsync.domain import LibraryTrack, Track
from soulsync.providers.base import MediaServer, ProviderError

if TYPE_CHECKING:
    from soulsync.matching.index import LibraryIndex
    from soulsync.matching.releases import ReleaseFacts

app = typer.Typer(help="Scan, count and search your music library.", no_args_is_help=True)

_T = TypeVar("_T")
_SOURCES = ("plex", "jellyfin", "navidrome", "folder")
SourceOption = Annotated[
    str | None,
    typer.Option(
        "--source",
        help="plex, jellyfin, navidrome or folder (default: [media_server] type).",
    ),
]


def choose_source(config: Settings, source: str | None) -> str:
    """Which library to use: the ``--source`` option, else Plex if set up, else the folder."""
    if source is not None:
        chosen = source.strip().lower()
        if chosen not in _SOURCES:
            raise CliError(
                f"--source must be one of {', '.join(_SOURCES)}, not {source!r}", exit_code=2
            )
        return chosen
    if config.media_server_type:
        return config.media_server_type
    raise CliError(
        "no library is configured: set [plex] url and token, "
        "or [folder_library] enabled = true and path"
    )


def open_library(config: Settings, source: str) -> MediaServer:
    """The configured library as a :class:`MediaServer`."""
    if source == "plex":
        if not config.plex.url:
            raise CliError("[plex] url is not set")
        from soulsync.providers.plex import PlexMediaServer

        return PlexMediaServer.from_settings(config.plex)
    if source == "jellyfin":
        if not config.jellyfin.url:
            raise CliError("[jellyfin] url is not set")
        from soulsync.providers.jellyfin import JellyfinMediaServer

        return JellyfinMediaServer.from_settings(config.jellyfin)
    if source == "navidrome":
        if not config.navidrome.url:
            raise CliError("[navidrome] url is not set")
        from soulsync.providers.subsonic import SubsonicMediaServer

        return SubsonicMediaServer.from_settings(config.navidrome)
    if config.folder_library.path is None:
        raise CliError("[folder_library] path is not set")
    from soulsync.providers.folder import FolderLibrary

    return FolderLibrary.from_settings(open_store(config), config)


def _run(coro: Coroutine[Any, Any, _T]) -> _T:
    try:
        return asyncio.run(coro)
    except ProviderError as exc:
        raise CliError(str(exc)) from exc


def parse_wanted(text: str) -> Track:
    """``"Artist - Title"`` (or just a title) as the track to look for."""
    artist, sep, title = text.partition(" - ")
    if not sep:
        artist, title = "", text
    title = title.strip()
    if not title:
        raise CliError('write the track as "Artist - Title"', exit_code=2)
    artists = (artist.strip(),) if artist.strip() else ()
    return Track(title=title, artists=artists)


@app.command("scan")
def scan(
    ctx: typer.Context,
    path: Annotated[
        str | None, typer.Argument(help="Only this folder (inside the library).")
    ] = None,
    source: SourceOption = None,
    wait: Annotated[bool, typer.Option(help="Wait until Plex has finished.")] = True,
) -> None:
    """Rescan the library (the folder library re-reads only changed files)."""
    config = settings(ctx)
    chosen = choose_source(config, source)
    library = open_library(config, chosen)
    if chosen == "folder":
        from soulsync.providers.folder import FolderLibrary

        assert isinstance(library, FolderLibrary)
        report = _run(library.rescan(path))
        console.print(f"[green]Scanned[/] {library.root}: {report.summary()}")
        if report.broken:
            table = Table("Unreadable file", "Why", title="Skipped files")
            for file, reason in report.broken[:20]:
                table.add_row(file, reason)
            console.print(table)
            if len(report.broken) > 20:
                console.print(f"… and {len(report.broken) - 20} more (see the log)")
        return
    _run(library.scan(path, wait=wait))
    if wait:
        count = len(_run(library.all_tracks()))
        console.print(f"[green]Plex finished scanning[/]: {count} tracks in the music library")
    else:
        console.print("Plex is scanning in the background")


@app.command("stats")
def stats(ctx: typer.Context, source: SourceOption = None) -> None:
    """Count tracks, artists, albums and formats, and the total playing time."""
    from soulsync.providers.folder import library_stats

    config = settings(ctx)
    chosen = choose_source(config, source)
    tracks = _run(open_library(config, chosen).all_tracks())
    summary = library_stats(tracks)
    hours, rest = divmod(summary.duration_ms // 1000, 3600)
    table = Table(show_header=False, title=f"{chosen} library")
    table.add_row("tracks", str(summary.tracks))
    table.add_row("artists", str(summary.artists))
    table.add_row("albums", str(summary.albums))
    table.add_row("playing time", f"{hours} h {rest // 60:02d} min")
    formats = ", ".join(f"{ext} {n}" for ext, n in summary.formats.items()) or "-"
    table.add_row("formats", formats)
    console.print(table)
    if chosen == "folder" and summary.tracks == 0:
        console.print("The index is empty: run [bold]soulsync library scan[/] first.")


@app.command("find")
def find(
    ctx: typer.Context,
    wanted: Annotated[str, typer.Argument(help='The track, written "Artist - Title".')],
    album: Annotated[
        str | None,
        typer.Option(
            "--album",
            help="The album it is from: a copy on another album is then checked "
            "for being a live or remix release (MusicBrainz), as the sync does.",
        ),
    ] = None,
    source: SourceOption = None,
) -> None:
    """Is this track in the library? Shows the best match, how sure, and why."""
    from soulsync.matching.index import LibraryIndex, OwnedStatus

    config = settings(ctx)
    chosen = choose_source(config, source)
    want = parse_wanted(wanted)
    if album and album.strip():
        want = replace(want, album=album.strip())
    tracks = _run(open_library(config, chosen).all_tracks())
    if not tracks:
        raise CliError(f"the {chosen} library is empty (run soulsync library scan)")
    index = LibraryIndex(tracks, config.match_settings())
    verdict = index.check(want, _run(_release_facts(config, index, want)))
    colour = {
        OwnedStatus.OWNED: "green",
        OwnedStatus.UNCERTAIN: "yellow",
        OwnedStatus.MISSING: "red",
    }[verdict.status]
    # explain() starts with the verdict ("owned: <file> (score: reasons)").
    console.print(f"[{colour}]{verdict.explain()}[/]")
    if verdict.track is not None and verdict.status is not OwnedStatus.MISSING:
        console.print(f"  {_describe(verdict.track)}")
    if verdict.status is OwnedStatus.UNCERTAIN:
        for track, score in verdict.alternatives:
            console.print(f"  or: {_describe(track)} ({score.explain()})")
    if verdict.status is not OwnedStatus.OWNED:
        raise typer.Exit(1)


async def _release_facts(config: Settings, index: LibraryIndex, want: Track) -> ReleaseFacts | None:
    """The release types the sync's check would use for ``want`` (None without MusicBrainz)."""
    if not config.musicbrainz.enabled or not want.album:
        return None
    from soulsync.providers.metadata import MetadataService
    from soulsync.providers.musicbrainz import MusicBrainzClient
    from soulsync.services.release_types import ReleaseTypeService

    store = open_store(config)
    client = MusicBrainzClient(
        store, api_base=config.musicbrainz.api_base, user_agent=config.musicbrainz.user_agent
    )
    try:
        service = ReleaseTypeService(store, MetadataService(musicbrainz=client))
        return await service.facts_for_library(index, [want])
    finally:
        await client.aclose()


def _describe(track: LibraryTrack) -> str:
    album = f" [{track.album}]" if track.album else ""
    where = f" {track.path}" if track.path else ""
    return f"{track.artist} - {track.title}{album}{where}"
