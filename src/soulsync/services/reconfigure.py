"""Apply saved settings to the running services, without a restart.

:func:`apply_settings` builds a fresh set of services from the new settings
(new slskd, Spotify, Deezer, MusicBrainz and media-server clients, a new
download queue and sync service on the same database and event bus) and moves
them into the running :class:`~soulsync.services.container.AppServices` object,
so every page and API route uses them from the next request on.

Work already under way is handled explicitly, never dropped:

* **a running sync finishes with its old clients.** It is adopted by the new
  sync service (cancel and progress still work) but keeps the playlist source,
  media server and download queue it started with, so one run never mixes two
  configurations; the next run uses the new ones. Runs queued behind it by
  "sync all" go on the same way.
* **downloads**: the jobs a worker is running finish with the old slskd client
  (a transfer is never moved to another slskd half-way); the worker pool is
  handed over at once, so every job started afterwards uses the new client.
  Queued jobs are rows in the database and simply wait for the new workers.
* the old clients are closed once that work is done (after a short grace for
  a request in flight, e.g. a search page reading results), so no socket or
  task is leaked; shutting down the app closes them at once.

If the new services cannot be built, nothing changes and the reason is
returned. No setting value is logged (secrets among them).
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import logging
from dataclasses import dataclass

from soulsync.config import Settings
from soulsync.providers.base import ProviderError
from soulsync.services.container import AppServices, build_services
from soulsync.services.downloads.lease import QueueBusy

__all__ = ["AppliedSettings", "apply_settings"]

log = logging.getLogger(__name__)

# How long a replaced client stays open after its work is done: a request that
# took it just before the swap (a search being read, a status check) can finish.
GRACE_S = 5.0


@dataclass(frozen=True)
class AppliedSettings:
    """What applying new settings did, for the page."""

    applied: bool
    message: str
    finishing_runs: int = 0  # sync runs finishing with the previous clients
    finishing_jobs: int = 0  # downloads finishing with the previous slskd client


async def apply_settings(
    services: AppServices, settings: Settings, *, grace_s: float = GRACE_S
) -> AppliedSettings:
    """Rebuild ``services`` from ``settings`` in place; in-flight work is handed over.

    ``services`` stays the same object (whatever holds it sees the new parts).
    Services that were not started are only rebuilt. Two calls at once run
    one after the other.
    """
    async with services._apply_lock:
        return await _apply(services, settings, grace_s)


async def _apply(services: AppServices, settings: Settings, grace_s: float) -> AppliedSettings:
    try:
        fresh = build_services(settings, services.store, bus=services.bus)
    except (ValueError, OSError, ProviderError) as exc:
        log.warning("new settings not applied: %s", type(exc).__name__)
        return AppliedSettings(
            False, f"not applied ({exc}); the running services keep the previous settings"
        )
    started = services._started
    old = copy.copy(services)
    runs = jobs = 0
    if started:
        runs, jobs = await _hand_over(old, fresh)
    for f in dataclasses.fields(AppServices):
        if f.name not in ("_started", "_schedule", "_retiring", "_apply_lock"):
            setattr(services, f.name, getattr(fresh, f.name))
    if not started:
        await old.close_clients()
        log.info("settings applied: services rebuilt")
        return AppliedSettings(True, "applied")
    task = asyncio.create_task(_retire(old, fresh, grace_s), name="settings-retire-old-services")
    services._retiring.add(task)
    task.add_done_callback(services._retiring.discard)
    services._started = False
    try:
        await services.start(schedule=services._schedule)
    except QueueBusy as exc:
        # The queue stays with the process that works it (e.g. a CLI sync); the rest runs.
        await services.start_without_queue()
        log.warning("settings applied; the download queue is worked by another process")
        return AppliedSettings(True, f"applied, but downloads wait: {exc}", runs, jobs)
    log.info(
        "settings applied: services rebuilt (%d sync runs and %d downloads finish with the "
        "previous clients)",
        runs,
        jobs,
    )
    return AppliedSettings(True, _applied_text(runs, jobs), runs, jobs)


async def _hand_over(old: AppServices, fresh: AppServices) -> tuple[int, int]:
    """Stop the old background loops and move running work to ``fresh``; (runs, jobs)."""
    if old.automation is not None:
        await old.automation.stop()
    if old.relay is not None:
        await old.relay.stop()
    runs = len(old.sync.running_runs)
    await fresh.sync.take_over(old.sync)
    jobs = 0
    if old.downloads is not None:
        jobs = len(old.downloads.running_jobs)
        if fresh.downloads is not None:
            await fresh.downloads.take_over(old.downloads)
        else:
            # slskd is no longer configured: the jobs stop where they are and go
            # on when it is configured again (nothing is lost; transfers stay in slskd).
            await old.downloads.stop()
            jobs = 0
    return runs, jobs


async def _retire(old: AppServices, fresh: AppServices, grace_s: float) -> None:
    """Wait for the work the old parts finish, then close their clients."""
    try:
        await old.sync.retire()
        if old.downloads is not None and fresh.downloads is not None:
            await old.downloads.retire()
        await asyncio.sleep(grace_s)
    finally:
        # slskd's search pacer is process-wide: the new client may use the same one.
        shared = (
            fresh.slskd is not None
            and old.slskd is not None
            and fresh.slskd.pacer is old.slskd.pacer
        )
        await old.close_clients(detach_pacer=not shared)
        log.info("previous service clients closed")


def _applied_text(runs: int, jobs: int) -> str:
    parts = []
    if runs:
        parts.append(f"{runs} running sync{'s' if runs != 1 else ''}")
    if jobs:
        parts.append(f"{jobs} download{'s' if jobs != 1 else ''} under way")
    if not parts:
        return "applied"
    return f"applied ({' and '.join(parts)} finish with the previous settings)"
