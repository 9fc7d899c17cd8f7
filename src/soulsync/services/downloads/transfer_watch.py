"""Follow one slskd transfer to its end: progress, stall and remote-queue timeouts.

slsk-batchdl's lessons (shared reference A4, E3): a transfer can sit
``Queued, Remotely`` for hours or stay ``InProgress`` at the same byte count
forever, and slskd will not give up on its own. So the watcher keeps two
clocks: time without a new byte once the transfer has started (stall), and
time spent waiting before it starts at all (remote queue). Either running out
cancels the transfer in slskd and reports a :class:`TransferFailed` so the
queue can try the next candidate.

Two slskd habits are allowed for (issue 13):

* slskd 0.26 retries a failed download itself; while it is about to (a
  retryable failure with attempts to spare) or waiting to, the transfer is
  neither cancelled nor counted as stalled, and shows as "retrying (2/3)";
* slskd says ``Completed, Succeeded`` *before* it moves the file out of its
  incomplete folder (``DownloadService.DownloadAsync`` persists the state,
  then calls ``Files.MoveFile`` - a copy when the folders are on different
  filesystems), so the file is awaited until it has the transfer's full size
  and that size holds, with a generous timeout.

A transfer that ended in failure is cleared from slskd's list so finished
transfers do not pile up there.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from soulsync.providers.base import ProviderError
from soulsync.services.downloads.transfer_port import TransferGone, TransferPort, TransferStatus

__all__ = ["TransferFailed", "WatchSettings", "watch_transfer"]

log = logging.getLogger(__name__)


class TransferFailed(Exception):
    """The transfer ended without a file; ``peer_fault`` says whether to blame the peer."""

    def __init__(self, reason: str, *, peer_fault: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.peer_fault = peer_fault


@dataclass(frozen=True, slots=True)
class WatchSettings:
    """Timeouts (seconds) and the polling interval."""

    stall_timeout_s: float = 60.0
    remote_queue_timeout_s: float = 900.0
    poll_interval_s: float = 1.0
    # A finished transfer's file appears after slskd says "Succeeded" (a move, or a
    # copy across filesystems that can take minutes for a large file).
    locate_wait_s: float = 300.0
    # The file's size must hold this long before it counts as complete.
    settle_s: float = 0.5
    # How long a failed state with attempts to spare may last before it is final.
    retry_grace_s: float = 15.0


# Called after every poll with the status and the seconds without a new byte
# while bytes could flow (0 while queued, retrying or receiving): the queue page's
# "stalled 25 s" timer.
ProgressCallback = Callable[[TransferStatus, float], Awaitable[None]]


async def watch_transfer(
    port: TransferPort,
    first: TransferStatus,
    settings: WatchSettings,
    on_progress: ProgressCallback,
    *,
    clock: Callable[[], float] = time.monotonic,
) -> tuple[TransferStatus, Path]:
    """Poll ``first`` until it succeeds; return its final status and local file.

    Raises:
        TransferFailed: slskd reported a failure, the peer stalled or kept us
            in its queue too long (the transfer is cancelled in slskd first),
            or the finished file cannot be found on disk.
    """
    status = first
    started = clock()
    last_bytes = status.bytes_transferred
    last_change = started
    waiting_since: float | None = started if status.waiting else None
    failed_since: float | None = None
    while True:
        if status.succeeded:
            await on_progress(status, 0.0)
            path = await _locate(port, status, settings)
            return status, path
        now = clock()
        if status.failed:
            if status.retries_left:
                # slskd is about to put it back in its queue: do not cancel it.
                failed_since = now if failed_since is None else failed_since
            if failed_since is None or now - failed_since > settings.retry_grace_s:
                reason = status.exception or status.state
                await _clear_finished(port, status)
                raise TransferFailed(f"{status.state}: {reason}")
        else:
            failed_since = None
        if status.bytes_transferred != last_bytes:
            last_bytes = status.bytes_transferred
            last_change = now
        if status.failed or status.retrying:
            # slskd's own retry, possibly with bytes kept: neither queued nor stalled.
            last_change = now
            waiting_since = None
        elif status.waiting:
            waiting_since = now if waiting_since is None else waiting_since
            if now - waiting_since > settings.remote_queue_timeout_s:
                await port.cancel(status.username, status.id, remove=True)
                raise TransferFailed(
                    f"not started after {settings.remote_queue_timeout_s:.0f}s "
                    f"({status.state}); giving up on this peer"
                )
        elif waiting_since is not None:
            waiting_since = None
            last_change = now  # the stall clock starts when bytes may flow
        elif now - last_change > settings.stall_timeout_s:
            await port.cancel(status.username, status.id, remove=True)
            raise TransferFailed(
                f"stalled: no data for {settings.stall_timeout_s:.0f}s "
                f"at {status.bytes_transferred} of {status.size} bytes"
            )
        idle = now - last_change if status.state == "InProgress" else 0.0
        await on_progress(status, idle)
        await asyncio.sleep(settings.poll_interval_s)
        try:
            status = await port.status(status.username, status.id)
        except TransferGone as exc:
            raise TransferFailed(f"slskd no longer knows the transfer ({exc})") from exc


async def _clear_finished(port: TransferPort, status: TransferStatus) -> None:
    """Remove a failed transfer from slskd's list; a problem doing so is only logged."""
    try:
        await port.remove(status.username, status.id)
    except (ProviderError, httpx.HTTPError, ConnectionError, TimeoutError, TransferGone) as exc:
        log.warning("could not clear failed transfer %s in slskd: %s", status.id, exc)


async def _locate(port: TransferPort, status: TransferStatus, settings: WatchSettings) -> Path:
    """The finished file once it has the transfer's full size and that size holds."""
    deadline = time.monotonic() + settings.locate_wait_s
    seen: tuple[Path, int, int] | None = None  # path, size, mtime_ns
    seen_at = 0.0
    last_size = -1
    while True:
        path = port.locate(status)
        now = time.monotonic()
        if path is not None:
            try:
                info = path.stat()
            except OSError:
                info = None
            if info is not None:
                last_size = info.st_size
                current = (path, info.st_size, info.st_mtime_ns)
                # Full size and untouched for settle_s already (its mtime says so):
                # nothing is still writing it, so no need to watch it settle again.
                if info.st_size == status.size and time.time() - info.st_mtime >= settings.settle_s:
                    return path
                if current != seen:
                    seen, seen_at = current, now
                elif info.st_size == status.size and now - seen_at >= settings.settle_s:
                    return path
        if now > deadline:
            if path is None:
                raise TransferFailed(
                    "slskd reports the download finished but the file is not in the "
                    f"downloads folder after {settings.locate_wait_s:.0f}s",
                    peer_fault=False,
                )
            raise TransferFailed(
                f"slskd reports the download finished but {path.name} has {last_size} of "
                f"{status.size} bytes after {settings.locate_wait_s:.0f}s",
                peer_fault=False,
            )
        await asyncio.sleep(min(0.2, settings.poll_interval_s, settings.settle_s / 2 or 0.05))
