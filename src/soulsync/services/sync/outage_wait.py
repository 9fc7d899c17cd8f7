"""A run's step that needs Plex or Spotify waits for it instead of failing.

The same :class:`~soulsync.services.outage.OutageBook` that pauses the
download queue while slskd is down records the outage, so the run, the
activity feed and ``soulsync report`` all say "waiting for plex since 14:02,
next try in 30 s"; the step is tried again with the book's capped, doubling
backoff and the run resumes when the service answers, or gives up after
``[outages] max_wait_min`` with :class:`ServiceGaveUp`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from soulsync.providers.base import ServiceUnavailable
from soulsync.services.outage import OutageBook
from soulsync.services.sync.library import SyncError, SyncOptions
from soulsync.services.sync.record import RunRecorder

__all__ = ["RunWaits", "ServiceGaveUp", "until_reachable"]

T = TypeVar("T")


class ServiceGaveUp(SyncError):
    """A service stayed unreachable longer than ``[outages] max_wait_min``."""

    def __init__(self, service: str, minutes: float, error: str) -> None:
        super().__init__(
            f"gave up waiting for {service} after {minutes:g} min (it stayed unreachable: {error})"
        )
        self.service = service


async def until_reachable(
    book: OutageBook,
    service: str,
    step: Callable[[], Awaitable[T]],
    show: Callable[[str], None],
) -> T:
    """``await step()``, waiting out ``ServiceUnavailable`` from ``service``.

    ``show`` gets the "waiting for ... since ..., next try in N s" message each
    time the step meets the outage. On success the outage is cleared (and the
    feed says the service is back); after ``max_wait_min`` raises ServiceGaveUp.
    """
    waited = False
    while True:
        try:
            result = await step()
        except ServiceUnavailable as exc:
            outage = await asyncio.to_thread(book.down, service, exc.message)
            if book.gave_up(outage):
                await asyncio.to_thread(book.up, service)
                raise ServiceGaveUp(service, book.settings.max_wait_min, exc.message) from exc
            message = outage.describe(book.clock())
            if not waited:
                await asyncio.to_thread(
                    book.store.add_activity, "outage", f"{message} ({exc.message})"
                )
                waited = True
            show(message)
            await asyncio.sleep(max(0.01, outage.next_try - book.clock()))
            continue
        # Also clears an outage another step recorded and nobody saw end.
        gone = await asyncio.to_thread(book.up, service)
        if waited or gone is not None:
            await asyncio.to_thread(
                book.store.add_activity, "outage", f"{service} is back: the sync continues"
            )
        return result


class RunWaits(RunRecorder):
    """A run's steps that wait for a service (mixed into the run executor)."""

    options: SyncOptions

    async def _reachable(
        self, service: str, step: Callable[[], Awaitable[T]], then: tuple[str, str]
    ) -> T:
        """``await step()``, the run paused ("waiting for plex since ...") while ``service`` is down.

        ``then`` is the phase and message shown again once the service answers.
        """
        waited: list[str] = []

        def show(message: str) -> None:
            waited.append(message)
            self._phase("waiting", message)

        book = OutageBook(self.store, self.options.outages)
        result = await until_reachable(book, service, step, show)
        if waited:
            self._phase(*then)
        return result
