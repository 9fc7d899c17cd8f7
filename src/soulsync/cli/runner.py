"""Running a CLI command against the wired services (shared by the workflow commands)."""

from __future__ import annotations

import asyncio
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
            if workers and services.downloads is not None:
                try:
                    await services.downloads.start()
                except QueueBusy:
                    err_console.print(
                        "[dim]soulsync serve is working the download queue; "
                        "it will do the downloads.[/]"
                    )
            return await body(services)
        finally:
            await services.aclose()

    caught: tuple[type[Exception], ...] = (ProviderError, *user_errors)
    try:
        return asyncio.run(main())
    except caught as exc:
        raise CliError(str(exc)) from exc
    finally:
        store.close()


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
