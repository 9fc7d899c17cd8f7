"""What the download queue needs from slskd, as a small protocol of its own.

The queue talks to :class:`TransferPort`, not to the slskd client directly, so
its state machine is written once against a few plain value objects
(:class:`TransferStatus`) and the adapter (:mod:`soulsync.services.downloads.slskd_port`)
is the only place that knows the client's method names.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from soulsync.domain import SearchResponse, SoulseekFile

__all__ = [
    "NetworkOffline",
    "QueryRefused",
    "TransferGone",
    "TransferPort",
    "TransferRefused",
    "TransferStatus",
]

_WAITING = ("Requested", "Queued", "Queued, Locally", "Queued, Remotely", "Initializing")


@dataclass(frozen=True, slots=True)
class TransferStatus:
    """One slskd download as the queue sees it."""

    id: str
    username: str
    filename: str
    size: int
    state: str  # slskd's string, e.g. "InProgress", "Completed, Succeeded"
    bytes_transferred: int = 0
    percent: float = 0.0
    speed: float = 0.0  # bytes/s
    exception: str | None = None
    requested_at: float | None = None  # epoch seconds, when slskd says
    # slskd 0.25+: the attempt under way; 0.26+ retries a failed one itself
    # (``max_attempts`` is its transfers.download.retry.attempts; None = no retries).
    attempts: int = 0
    max_attempts: int | None = None

    @property
    def is_complete(self) -> bool:
        """True once slskd reached a ``Completed, …`` state."""
        return self.state.startswith("Completed")

    @property
    def succeeded(self) -> bool:
        """True for ``Completed, Succeeded``."""
        return self.state == "Completed, Succeeded"

    @property
    def failed(self) -> bool:
        """True for any other ``Completed, …`` state (errored, rejected, timed out, cancelled)."""
        return self.is_complete and not self.succeeded

    @property
    def retries_left(self) -> bool:
        """slskd 0.26 will try this download again (a retryable failure, attempts to spare).

        slskd briefly saves a failed attempt as ``Completed, Errored`` before it
        puts it back to ``Queued, Locally`` (``DownloadService.DownloadAsync``:
        ``WithSoulseekTransfer`` copies the failed state, ``onRetry`` re-queues).
        Rejected and cancelled downloads are never retried.
        """
        if self.max_attempts is None or self.attempts >= self.max_attempts:
            return False
        return not any(word in self.state for word in ("Rejected", "Cancelled"))

    @property
    def retrying(self) -> bool:
        """A later attempt is pending or under way (0.26 retries)."""
        if self.failed:
            return self.retries_left
        return self.waiting and self.attempts > 1

    @property
    def describe(self) -> str:
        """The state for people: slskd's words, or "retrying (2/3)"."""
        if self.retrying and self.max_attempts is not None:
            shown = self.attempts + 1 if self.failed else self.attempts
            return f"retrying ({min(shown, self.max_attempts)}/{self.max_attempts})"
        return self.state

    @property
    def started(self) -> bool:
        """True once bytes may flow (``InProgress`` or done)."""
        return self.state == "InProgress" or self.is_complete

    @property
    def waiting(self) -> bool:
        """True while the transfer has not started (local or remote queue)."""
        return self.state in _WAITING or self.state.startswith("Queued")


class TransferRefused(Exception):
    """slskd would not enqueue the file (peer offline, duplicate, bad path).

    ``permanent`` marks refusals that a later retry cannot fix (a hostile
    remote name), so the queue does not schedule retries for them.
    """

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class TransferGone(Exception):
    """slskd no longer knows the transfer (removed, or slskd restarted)."""


class QueryRefused(Exception):
    """slskd refused one search text (400): try the next query, not the same one later."""


class NetworkOffline(ConnectionError):
    """slskd is up but not logged in to the Soulseek network: wait, blame no peer."""


class TransferPort(Protocol):
    """The slskd operations the queue uses."""

    async def ping(self) -> None:
        """Raise (a provider error) if slskd cannot be reached; return if it answers."""
        ...

    async def search(self, query: str) -> list[SearchResponse]:
        """Run one paced search; :class:`QueryRefused` or :class:`NetworkOffline` if refused."""
        ...

    async def enqueue(self, file: SoulseekFile) -> TransferStatus:
        """Ask slskd to download ``file``; raises :class:`TransferRefused`."""
        ...

    async def status(self, username: str, transfer_id: str) -> TransferStatus:
        """The current status; raises :class:`TransferGone` if slskd lost it."""
        ...

    async def find(self, username: str, filename: str) -> TransferStatus | None:
        """The newest slskd transfer of this exact remote file, if slskd has one."""
        ...

    async def cancel(self, username: str, transfer_id: str, *, remove: bool = True) -> None:
        """Cancel (and optionally remove) a transfer; a missing one is not an error."""
        ...

    async def clear_completed(self) -> None:
        """Remove every completed transfer from slskd's list."""
        ...

    async def remove(self, username: str, transfer_id: str) -> None:
        """Remove one finished transfer from slskd's list (clears it)."""
        ...

    async def directory(self, username: str, folder: str) -> list[SoulseekFile]:
        """The files of one remote folder (full remote paths), for album downloads."""
        ...

    def locate(self, status: TransferStatus) -> Path | None:
        """Where the finished file is on disk (slskd's rule), or None if not there."""
        ...
