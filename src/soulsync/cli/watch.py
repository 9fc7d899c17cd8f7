"""``soulsync watch add|list|remove|check``: the artist watchlist.

* ``soulsync watch add ARTIST [--type album --type single …] [--live]
  [--action wishlist|download] [--since YYYY-MM-DD]`` - ``ARTIST`` is
  ``spotify:ID``, ``deezer:ID``, a link, or a name (the best search hit).
* ``soulsync watch list [--json]``, ``soulsync watch remove ARTIST``.
* ``soulsync watch check [ARTIST]`` - look for new releases now.

New releases are those released on or after the day the watch began.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from soulsync.cli.common import console

if TYPE_CHECKING:
    from soulsync.services.automation.watchlist import NewRelease, Watch, WatchlistService
    from soulsync.services.container import AppServices

watch_app = typer.Typer(help="Watch artists for new releases (to the wishlist or the queue).")


def register(root: typer.Typer) -> None:
    """Add ``soulsync watch``."""
    root.add_typer(watch_app, name="watch")


def _errors() -> tuple[type[Exception], ...]:
    from soulsync.services.automation.watchlist import WatchError

    return (WatchError,)


def _watchlist(services: AppServices) -> WatchlistService:
    assert services.watchlist is not None
    return services.watchlist


@watch_app.command("add")
def watch_add(
    ctx: typer.Context,
    artist: Annotated[str, typer.Argument(help="spotify:ID, deezer:ID, a link or a name.")],
    types: Annotated[
        list[str] | None,
        typer.Option("--type", help="album, single, ep or compilation (repeatable)."),
    ] = None,
    live: Annotated[bool, typer.Option("--live/--no-live", help="Live releases too.")] = False,
    action: Annotated[str | None, typer.Option("--action", help="wishlist or download.")] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Count releases from this day (YYYY-MM-DD).")
    ] = None,
) -> None:
    """Start watching an artist."""
    from soulsync.cli.runner import run_with_services

    async def body(services: AppServices) -> Watch:
        return await _watchlist(services).add(
            artist, types=types, include_live=live or None, action=action, since=since
        )

    watch = run_with_services(ctx, body, workers=False, user_errors=_errors())
    console.print(
        f"Watching {escape(watch.artist_name)} ({watch.artist_ref}) for "
        f"{', '.join(watch.types)} released from {watch.since}; new ones go to the "
        f"{'download queue' if watch.action == 'download' else 'wishlist'}."
    )


@watch_app.command("list")
def watch_list(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Every watched artist."""
    from soulsync.cli.runner import run_with_services

    async def body(services: AppServices) -> list[Watch]:
        return _watchlist(services).watches()

    watches = run_with_services(ctx, body, workers=False)
    if as_json:
        console.print_json(json.dumps([w.as_dict() for w in watches]))
        return
    if not watches:
        console.print("No watched artists. Add one with: soulsync watch add ARTIST")
        return
    table = Table("Id", "Artist", "Ref", "Since", "Types", "Live", "Action")
    for w in watches:
        table.add_row(
            str(w.id),
            escape(w.artist_name),
            w.artist_ref,
            w.since,
            ", ".join(w.types),
            "yes" if w.include_live else "no",
            w.action,
        )
    console.print(table)


@watch_app.command("remove")
def watch_remove(
    ctx: typer.Context,
    artist: Annotated[str, typer.Argument(help="The watch id, artist ref or name.")],
) -> None:
    """Stop watching an artist."""
    from soulsync.cli.runner import run_with_services

    async def body(services: AppServices) -> Watch:
        return _watchlist(services).remove(artist)

    watch = run_with_services(ctx, body, workers=False, user_errors=_errors())
    console.print(f"No longer watching {escape(watch.artist_name)}.")


@watch_app.command("check")
def watch_check(
    ctx: typer.Context,
    artist: Annotated[
        str | None, typer.Argument(help="One watch (id, ref or name); all if left out.")
    ] = None,
) -> None:
    """Look for new releases now."""
    from soulsync.cli.runner import run_with_services

    async def body(services: AppServices) -> list[NewRelease]:
        return await _watchlist(services).check(artist)

    found = run_with_services(ctx, body, workers=False, user_errors=_errors())
    if not found:
        console.print("No new releases.")
        return
    for release in found:
        console.print(
            f"{escape(release.artist_name)}: {escape(release.title)} "
            f"({release.album_type}, {release.release_date}) - {release.tracks} track(s) "
            f"{release.outcome}"
        )
