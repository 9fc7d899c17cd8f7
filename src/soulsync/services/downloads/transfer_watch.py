"""Follow one slskd transfer to its end: progress, stall and remote-queue timeouts.

slsk-batchdl's lessons (shared reference A4, E3): a transfer can sit
``Queued, Remotely`` for hours or stay ``InProgress`` at the same byte count
forever, and slskd will not give up on its own. So the watcher keeps two
clocks: time without a new byte once the transfer has started (stall), and
time spent waiting before it starts at all (remote queue). Either running out
cancels the transfer in slskd and reports a :class:`TransferFailed` so the
queue can try the next candidate.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from soulsync.services.downloads.transfer_port import TransferGone, TransferPort, TransferStatus

__all__ = ["TransferFailed", "WatchSettings", "watch_transfer"]


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
    # A finished transfer's file may appear a moment after slskd says "Succeeded".
    locate_wait_s: float = 5.0


ProgressCallback = Callable[[TransferStatus], Awaitable[None]]


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
    while True:
        if status.succeeded:
            path = await _locate(port, status, settings)
            return status, path
        if status.failed:
            reason = status.exception or status.state
            raise TransferFailed(f"{status.state}: {reason}")
        now = clock()
        if status.bytes_transferred != last_bytes:
            last_bytes = status.bytes_transferred
            last_change = now
        if status.waiting and not status.bytes_transferred:
            if now - started > settings.remote_queue_timeout_s:
                await port.cancel(status.username, status.id, remove=True)
                raise TransferFailed(
                    f"not started after {settings.remote_queue_timeout_s:.0f}s "
                    f"({status.state}); giving up on this peer"
                )
        elif now - last_change > settings.stall_timeout_s:
            await port.cancel(status.username, status.id, remove=True)
            raise TransferFailed(
                f"stalled: no data for {settings.stall_timeout_s:.0f}s "
                f"at {status.bytes_transferred} of {status.size} bytes"
            )
        await asyncio.sleep(settings.poll_interval_s)
        try:
            status = await port.status(status.username, status.id)
        except TransferGone as exc:
            raise TransferFailed(f"slskd no longer knows the transfer ({exc})") from exc
        await on_progress(status)


async def _locate(port: TransferPort, status: TransferStatus, settings: WatchSettings) -> Path:
    deadline = time.monotonic() + settings.locate_wait_s
    while True:
        path = port.locate(status)
        if path is not None:
            return path
        if time.monotonic() > deadline:
            raise TransferFailed(
                "slskd reports the download finished but the file is not in the downloads folder",
                peer_fault=False,
            )
        await asyncio.sleep(min(0.2, settings.poll_interval_s))
