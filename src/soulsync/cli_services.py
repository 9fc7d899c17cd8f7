"""Running a CLI command against the wired services (shared by the workflow commands)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer

from soulsync.cli_common import CliError, err_console, open_store, settings
from soulsync.providers.base import ProviderError
from soulsync.services.container import AppServices, build_services
from soulsync.services.downloads import QueueBusy

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
