"""Running a CLI command against the wired services (shared by the workflow commands)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer
from rich.markup import escape

from soulsync.cli.common import CliError, console, err_console, open_store, settings
from soulsync.providers.base import ConnectionStatus, ProviderError
from soulsync.services.container import AppServices, build_services
from soulsync.services.downloads.service import QueueBusy

_T = TypeVar("_T")


def run_with_services(
    ctx: typer.Context,
    body: Callable[[AppServices], Awaitable[_T]],
    *,
    workers: bool,
    user_errors: tuple[type[Exception], ...] = (),
) -> _T:
    """Build the services, start the download workers if asked (and free), run ``body``.

    Errors the user can act on (``ProviderError`` and ``user_errors``) become a
    one-line ``CliError``. When ``soulsync serve`` already works the download
    queue, the command only queues and says that serve will do the downloads.
    """
    config = settings(ctx)
    store = open_store(config)

    async def main() -> _T:
        services = build_services(config, store)
        try:
            takeover: asyncio.Task[None] | None = None
            if workers and services.downloads is not None:
                try:
                    await services.downloads.start()
                except QueueBusy as busy:
                    err_console.print(
                        f"[dim]{escape(busy.command or 'another SoulSync process')} "
                        f"(process {busy.pid}) is working the download queue: it does the "
                        "downloads, and this command takes over if it stops first.[/]"
                    )
                    takeover = asyncio.create_task(_take_over(services))
            try:
                return await body(services)
            finally:
                if takeover is not None:
                    takeover.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await takeover
        finally:
            await services.aclose()

    caught: tuple[type[Exception], ...] = (ProviderError, *user_errors)
    try:
        return asyncio.run(main())
    except caught as exc:
        raise CliError(str(exc)) from exc
    finally:
        store.close()


async def _take_over(services: AppServices, every_s: float = 2.0) -> None:
    """Start the download workers as soon as the process working the queue stops."""
    assert services.downloads is not None
    while True:
        await asyncio.sleep(every_s)
        try:
            await services.downloads.start()
        except QueueBusy:
            continue
        err_console.print("[dim]the other process stopped: downloading here now.[/]")
        return


def test_connections(ctx: typer.Context) -> None:
    """Check every service: one line each, ok or failing and why (exit 1 if any fails)."""

    async def body(services: AppServices) -> list[ConnectionStatus]:
        return await services.test_connections()

    statuses = run_with_services(ctx, body, workers=False)
    for status in statuses:
        mark = "[green]ok[/]     " if status.ok else "[red]failing[/]"
        console.print(f"{status.service:<8} {mark} {escape(status.detail)}", soft_wrap=True)
    if not all(s.ok for s in statuses):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add ``soulsync test-connections``."""
    app.command("test-connections")(test_connections)
