"""The queue's :class:`~soulsync.services.downloads.transfer_port.TransferPort` over the slskd client.

Translates :class:`soulsync.providers.slskd.SlskdClient` objects and errors
into the queue's vocabulary: an offline peer or a refused (hostile, duplicate)
name is :class:`TransferRefused` (try the next candidate), a transfer slskd
no longer knows is :class:`TransferGone`; connection problems stay
``httpx``/``ServiceUnavailable`` errors, which the queue retries later.
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

from soulsync.domain import SearchResponse, SoulseekFile
from soulsync.library.layout import UnsafePathError
from soulsync.providers.base import NotFound, ProviderError
from soulsync.providers.slskd import (
    InvalidSearch,
    NotLoggedIn,
    PeerUnavailable,
    SlskdClient,
    SlskdTransfer,
)
from soulsync.services.downloads.transfer_port import (
    NetworkOffline,
    QueryRefused,
    TransferGone,
    TransferRefused,
    TransferStatus,
)

__all__ = ["SlskdPort", "status_of"]

log = logging.getLogger(__name__)


def status_of(transfer: SlskdTransfer, max_attempts: int | None = None) -> TransferStatus:
    """The queue's view of an slskd transfer (``max_attempts``: slskd 0.26's retry count)."""
    return TransferStatus(
        id=transfer.id,
        username=transfer.username,
        filename=transfer.filename,
        size=transfer.size,
        state=transfer.state,
        bytes_transferred=transfer.bytes_transferred,
        percent=transfer.percent_complete,
        speed=transfer.average_speed,
        exception=transfer.exception,
        requested_at=transfer.requested_at.timestamp() if transfer.requested_at else None,
        attempts=transfer.attempts,
        max_attempts=max_attempts,
    )


class SlskdPort:
    """Adapter from the slskd client to the queue's port."""

    def __init__(
        self,
        client: SlskdClient,
        *,
        search_timeout_ms: int = 8000,
        cancel_wait_s: float = 10.0,
    ) -> None:
        self.client = client
        self.search_timeout_ms = search_timeout_ms
        # A cancel is asynchronous in slskd: how long to wait for "Completed, Cancelled".
        self.cancel_wait_s = cancel_wait_s

    def _status(self, transfer: SlskdTransfer) -> TransferStatus:
        return status_of(transfer, self.client.retry_attempts)

    async def ping(self) -> None:
        """Raise ``ServiceUnavailable`` if slskd is down (one cheap request)."""
        await self.client.server_state()

    async def search(self, query: str) -> list[SearchResponse]:
        """One paced search (the client's process-wide pacer applies)."""
        try:
            return await self.client.search(query, timeout_ms=self.search_timeout_ms)
        except InvalidSearch as exc:
            raise QueryRefused(exc.message) from exc
        except NotLoggedIn as exc:
            raise NetworkOffline(exc.message) from exc

    async def enqueue(self, file: SoulseekFile) -> TransferStatus:
        """Enqueue one file; refused names and offline peers raise TransferRefused."""
        try:
            result = await self.client.enqueue(file.username, [file])
        except NotLoggedIn as exc:
            raise NetworkOffline(exc.message) from exc
        except PeerUnavailable as exc:
            raise TransferRefused(exc.message) from exc
        except UnsafePathError as exc:
            raise TransferRefused(f"refused hostile remote name: {exc}", permanent=True) from exc
        for transfer in result.enqueued:
            if transfer.filename == file.filename:
                return self._status(transfer)
        if result.failed:
            # slskd refuses a file it already has queued from that user: adopt that one.
            existing = await self.find(file.username, file.filename)
            if existing is not None and not existing.failed:
                return existing
        raise TransferRefused(f"slskd did not enqueue {file.basename!r} from {file.username}")

    async def status(self, username: str, transfer_id: str) -> TransferStatus:
        """Current status; TransferGone if slskd lost it."""
        await self.client.layout()  # where finished files land (detected once)
        try:
            return self._status(await self.client.transfer(username, transfer_id))
        except NotFound as exc:
            raise TransferGone(exc.message) from exc

    async def find(self, username: str, filename: str) -> TransferStatus | None:
        """slskd's newest transfer of this exact file from this user, if any."""
        mine = [t for t in await self.client.transfers(username) if t.filename == filename]
        if not mine:
            return None
        # Prefer one that is still alive or succeeded over old failures.
        mine.sort(key=lambda t: (not t.failed, t.requested_at.timestamp() if t.requested_at else 0))
        return self._status(mine[-1])

    async def cancel(self, username: str, transfer_id: str, *, remove: bool = True) -> None:
        """Cancel a transfer and, with ``remove``, clear it once it has ended.

        slskd cancels asynchronously - the transfer stays listed until it
        reaches ``Completed, Cancelled`` - and ``remove=true`` only removes
        finished transfers (0.26 skips others silently, 0.24 answers 500):
        ``TransfersController.CancelDownloadAsync`` and ``DownloadService.Remove``
        in slskd/slskd. So: cancel, wait for the end, then remove.
        """
        try:
            await self.client.cancel(username, transfer_id, remove=False)
        except NotFound:
            log.debug("transfer %s of %s was already gone", transfer_id, username)
            return
        if not remove:
            return
        deadline = time.monotonic() + self.cancel_wait_s
        while True:
            try:
                current = await self.client.transfer(username, transfer_id)
            except NotFound:
                return
            if current.removed:
                return
            if current.is_complete:
                break
            if time.monotonic() > deadline:
                log.warning(
                    "transfer %s of %s did not end after the cancel (%s); left in slskd",
                    transfer_id,
                    username,
                    current.state,
                )
                return
            await asyncio.sleep(self.client.poll_interval_s)
        await self.remove(username, transfer_id)

    async def remove(self, username: str, transfer_id: str) -> None:
        """Clear one finished transfer from slskd's list (the file stays on disk)."""
        try:
            await self.client.cancel(username, transfer_id, remove=True)
        except NotFound:
            log.debug("transfer %s of %s was already gone", transfer_id, username)

    async def clear_completed(self) -> None:
        """Clear every finished transfer in slskd."""
        await self.client.clear_completed()

    async def directory(self, username: str, folder: str) -> list[SoulseekFile]:
        """The files of a remote folder; an offline peer raises TransferRefused."""
        try:
            return await self.client.directory(username, folder)
        except PeerUnavailable as exc:
            raise TransferRefused(exc.message) from exc

    def locate(self, status: TransferStatus) -> Path | None:
        """The finished file on disk by slskd's rule, or None."""
        # Files written before this transfer was requested belong to an older download.
        since = status.requested_at - 5.0 if status.requested_at is not None else None
        try:
            return self.client.local_file(
                status.filename, not_before=since, username=status.username
            )
        except NotFound:
            return None
        except (UnsafePathError, ProviderError) as exc:
            log.warning("cannot locate %r: %s", status.filename, exc)
            return None
