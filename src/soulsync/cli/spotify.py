"""``soulsync spotify login|logout|status|playlists|playlist|cooldown``.

Login works on a headless server: the command prints the Spotify authorize
URL, you open it in any browser, approve, and paste back the URL the browser
was redirected to (it may show "cannot connect"; the URL is what matters).
The two halves can also run as separate invocations (``--print-url`` then
``--redirected URL``), which suits scripts and SSH sessions.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer
from rich.markup import escape
from rich.table import Table

from soulsync.cli.common import CliError, console, open_store, playlist_table, settings
from soulsync.config import Settings
from soulsync.providers.base import ProviderError
from soulsync.providers.spotify import SpotifyClient
from soulsync.providers.spotify_auth import SpotifyAuth
from soulsync.providers.token_cipher import cipher_for
from soulsync.store import Store

T = TypeVar("T")

app = typer.Typer(help="Spotify: log in and read your playlists.", no_args_is_help=True)


def _auth(config: Settings, store: Store) -> SpotifyAuth:
    section = config.spotify
    if not section.client_id:
        raise CliError(
            "spotify.client_id is not set: create an app at developer.spotify.com, add "
            f"{section.redirect_uri} as its redirect URI, and put the client id in the config"
        )
    try:
        return SpotifyAuth(
            store,
            client_id=section.client_id,
            redirect_uri=section.redirect_uri,
            accounts_base=section.accounts_base,
            scopes=tuple(section.scopes),
            cipher=cipher_for(config),
        )
    except (ValueError, ProviderError) as exc:
        raise CliError(str(exc)) from exc


def _with_client(ctx: typer.Context, work: Callable[[SpotifyClient], Awaitable[T]]) -> T:
    config = settings(ctx)
    store = open_store(config)

    async def run() -> T:
        client = SpotifyClient(
            store,
            _auth(config, store),
            api_base=config.spotify.api_base,
            min_gap_s=config.spotify.request_gap_s,
        )
        try:
            return await work(client)
        finally:
            await client.aclose()

    try:
        return asyncio.run(run())
    except ProviderError as exc:
        raise CliError(str(exc)) from exc
    finally:
        store.close()


@app.command("login")
def login(
    ctx: typer.Context,
    print_url: Annotated[
        bool, typer.Option("--print-url", help="Only print the URL to open, then exit.")
    ] = False,
    redirected: Annotated[
        str | None,
        typer.Option("--redirected", help="The URL the browser was sent back to (step two)."),
    ] = None,
) -> None:
    """Log in with PKCE: open the printed URL, approve, paste the redirect URL back."""
    config = settings(ctx)
    store = open_store(config)
    try:
        auth = _auth(config, store)
        if redirected is None:
            request = auth.begin_login()
            console.print("Open this URL in a browser and approve SoulSync:")
            console.print(request.url, markup=False, soft_wrap=True)
            if print_url:
                console.print(
                    "Then run: soulsync spotify login --redirected '<the URL you landed on>'"
                )
                return
            redirected = typer.prompt("Paste the full URL the browser was redirected to")

        async def finish(pasted: str) -> None:
            try:
                await auth.complete_login(pasted)
            finally:
                await auth.aclose()

        try:
            asyncio.run(finish(redirected))
        except ProviderError as exc:
            raise CliError(str(exc)) from exc
    finally:
        store.close()
    me = _with_client(ctx, lambda c: c.me())
    console.print(f"Logged in to Spotify as {me.get('display_name') or me.get('id')}.")


@app.command("logout")
def logout(ctx: typer.Context) -> None:
    """Forget the stored Spotify tokens."""
    config = settings(ctx)
    store = open_store(config)
    try:
        _auth(config, store).logout()
    finally:
        store.close()
    console.print("Spotify tokens removed.")


@app.command("status")
def status(ctx: typer.Context) -> None:
    """Login state and cool-down (never prints tokens)."""
    config = settings(ctx)
    store = open_store(config)
    try:
        auth = _auth(config, store)
        info = auth.token_info()
        client = SpotifyClient(store, auth, api_base=config.spotify.api_base)
        cooldown = client.cooldown.current()
    finally:
        store.close()
    if info is None:
        console.print("Spotify: not logged in (run `soulsync spotify login`).")
    elif info.expires_at > time.time():
        minutes = int((info.expires_at - time.time()) // 60)
        console.print(f"Spotify: logged in; access token valid for {minutes} more min.")
    else:
        console.print("Spotify: logged in; access token expired (refreshed on next use).")
    if cooldown is not None:
        console.print(
            f"Cooling down for {cooldown.remaining_s / 60:.0f} more min: {cooldown.reason}"
        )


@app.command("cooldown")
def cooldown(
    ctx: typer.Context,
    clear: Annotated[bool, typer.Option("--clear", help="End the cool-down now.")] = False,
) -> None:
    """Show (or clear) Spotify's cool-down after a quota or long rate limit."""
    config = settings(ctx)
    store = open_store(config)
    try:
        client = SpotifyClient(store, _auth(config, store), api_base=config.spotify.api_base)
        current = client.cooldown.current()
        if clear:
            client.cooldown.clear()
    finally:
        store.close()
    if current is None:
        console.print("Spotify is not cooling down.")
    elif clear:
        console.print(
            "Cool-down cleared. Spotify may still refuse requests until its quota resets."
        )
    else:
        console.print(f"Cooling down for {current.remaining_s / 60:.0f} more min: {current.reason}")


@app.command("playlists")
def playlists(ctx: typer.Context) -> None:
    """List your playlists; followed ones are marked unreadable in Development Mode."""
    found = _with_client(ctx, lambda c: c.list_playlists())
    table = Table("id", "name", "owner", "tracks", "readable")
    for p in found:
        table.add_row(
            p.id,
            escape(p.name),
            escape(p.owner or ""),
            str(p.total),
            "yes" if p.readable else "no (*)",
        )
    console.print(table)
    unreadable = [p for p in found if not p.readable]
    console.print(f"{len(found)} playlists ({len(unreadable)} not readable).")
    if unreadable:
        console.print(f"(*) {unreadable[0].unreadable_reason}")


@app.command("playlist")
def playlist(
    ctx: typer.Context, playlist_id: Annotated[str, typer.Argument(help="Spotify playlist id.")]
) -> None:
    """Show one playlist's entries in order (local and unavailable ones flagged)."""
    found = _with_client(ctx, lambda c: c.get_playlist(playlist_id))
    if not found.readable:
        console.print(f"{found.name}: {found.unreadable_reason}")
        return
    console.print(playlist_table(found))
    console.print(f"{found.name}: {len(found.entries)} entries, {len(found.tracks)} tracks.")


def register(root: typer.Typer) -> None:
    """Add ``soulsync spotify …`` to the main CLI."""
    root.add_typer(app, name="spotify")
