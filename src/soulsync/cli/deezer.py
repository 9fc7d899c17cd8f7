"""``soulsync deezer playlist ID`` and ``soulsync deezer search QUERY`` (public API, no key)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer
from rich.markup import escape
from rich.table import Table

from soulsync.cli.common import CliError, console, open_store, playlist_table, settings
from soulsync.providers.base import ProviderError
from soulsync.providers.deezer import DeezerClient
from soulsync.providers.metadata import parse_ref

T = TypeVar("T")

app = typer.Typer(help="Deezer public API: playlists and search.", no_args_is_help=True)


def _with_client(ctx: typer.Context, work: Callable[[DeezerClient], Awaitable[T]]) -> T:
    config = settings(ctx)
    if not config.deezer.enabled:
        raise CliError("Deezer is disabled in the configuration (deezer.enabled = false)")
    store = open_store(config)

    async def run() -> T:
        async with DeezerClient.from_settings(store, config.deezer) as client:
            return await work(client)

    try:
        return asyncio.run(run())
    except ProviderError as exc:
        raise CliError(str(exc)) from exc
    finally:
        store.close()


@app.command("playlist")
def playlist(
    ctx: typer.Context,
    playlist_id: Annotated[str, typer.Argument(help="Deezer playlist id or deezer.com link.")],
) -> None:
    """Show a public Deezer playlist's tracks in order."""
    try:
        ref = parse_ref(playlist_id)
    except ValueError as exc:
        raise CliError(str(exc)) from exc
    if ref.source != "deezer":
        raise CliError(f"{playlist_id!r} is not a Deezer playlist id")
    found = _with_client(ctx, lambda c: c.get_playlist(ref.id))
    console.print(playlist_table(found))
    console.print(f"{found.name} by {found.owner or '?'}: {len(found.entries)} tracks.")


@app.command("search")
def search(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help='Free text or artist:"A" track:"T".')],
    limit: Annotated[int, typer.Option(min=1, max=100)] = 10,
) -> None:
    """Search Deezer tracks."""
    found = _with_client(ctx, lambda c: c.search_tracks(query, limit))
    table = Table("id", "artist", "title", "album", "length")
    for t in found:
        seconds = (t.duration_ms or 0) // 1000
        table.add_row(
            t.ids.get("deezer", ""),
            escape(t.display_artist),
            escape(t.title),
            escape(t.album or ""),
            f"{seconds // 60}:{seconds % 60:02d}",
        )
    console.print(table)


def register(root: typer.Typer) -> None:
    """Add ``soulsync deezer …`` to the main CLI."""
    root.add_typer(app, name="deezer")
