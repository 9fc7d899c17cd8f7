"""Simulated slskd downloads: the transfer state machine and where files land.

A :class:`SimTransfer` is advanced in small time steps by the simulator's
ticker. Its peer's *current* behaviour decides what happens, so a test may
change a peer half-way (make a staller recover, take a peer offline):

* ``ok``: ``Requested`` → (``Queued, Remotely`` while the peer has no free
  slot, for ``queue_length × queue_entry_s``) → ``Initializing`` →
  ``InProgress`` with bytes advancing at the peer's transfer speed →
  ``Completed, Succeeded``, and the real audio file is written;
* ``slow``: like ``ok`` but waits ``slow_queue_s`` in the remote queue first;
* ``stall``: starts, then stops advancing at ``stall_fraction`` of the file
  and stays ``InProgress`` forever;
* ``fail``: ends ``Completed, Errored`` at ``fail_fraction`` of the file;
* ``timeout``: never connects; ends ``Completed, TimedOut`` after initialising
  (not a catalogue behaviour; set it with ``set_peer``);
* ``offline``: enqueueing is refused (500) by the API; a transfer whose peer
  goes offline later ends ``Completed, Errored``.

Finished files go where slskd 0.22-0.25 puts them:
``<downloads>/<last remote folder>/<file name>``, each part with the
characters invalid in Windows file names replaced by ``_`` (slskd uses .NET's
invalid-character list; this is the list it has on Windows, the stricter
case), and ``<stem>_<UtcNow.Ticks><ext>`` when the target already exists.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from soulsync.sandbox.catalogue import Peer

# .NET DateTime ticks (100 ns) at the Unix epoch.
_EPOCH_TICKS = 621_355_968_000_000_000
_INVALID = re.compile(r'[<>:"|?*\x00-\x1f/\\]')

COMPLETED = "Completed"
# How long (simulated seconds) a failed attempt shows before slskd 0.26 re-queues it.
_RETRY_FLASH_S = 0.25
SUCCEEDED = "Completed, Succeeded"


def dotnet_ticks(epoch_s: float | None = None) -> int:
    """``DateTime.UtcNow.Ticks`` for a Unix time (default: now)."""
    now = time.time() if epoch_s is None else epoch_s
    return _EPOCH_TICKS + int(now * 10_000_000)


def iso(epoch_s: float) -> str:
    """A timestamp as slskd serialises stored dates (7 fractional digits, no zone)."""
    stamp = dt.datetime.fromtimestamp(epoch_s, tz=dt.UTC)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond * 10:07d}"


def timespan(seconds: float) -> str:
    """A .NET TimeSpan string, ``[d.]hh:mm:ss.fffffff``."""
    ticks = max(0, round(seconds * 10_000_000))
    whole, frac = divmod(ticks, 10_000_000)
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    head = f"{days}." if days else ""
    return f"{head}{hours:02d}:{minutes:02d}:{secs:02d}.{frac:07d}"


def local_part(part: str) -> str:
    """One path part with the characters slskd cannot write replaced by ``_``."""
    return _INVALID.sub("_", part)


@dataclass(frozen=True, slots=True)
class SlskdMode:
    """Version-dependent behaviour: 0.22-0.25 (``modern=False``) or 0.26+."""

    modern: bool = False
    subdirectory: str = "${SOURCE_DIRECTORY}"
    retry_attempts: int = 3
    retry_delay_s: float = 5.0
    retry_max_delay_s: float = 60.0


_ROOTS = (
    re.compile(r"^[A-Za-z]:/?"),  # C:\ (slashes already turned to "/")
    re.compile(r"^//[^/]+/?"),  # \\server
    re.compile(r"^@@[A-Za-z0-9]{5,}/?"),  # SoulseekQt's hidden share prefix
)


def _modern_folder(remote_filename: str, username: str, template: str) -> list[str]:
    """slskd 0.26's destination folder parts for a remote file (simulator's own reading)."""
    if template.strip() == "{}":
        return []
    path = remote_filename.replace("\\", "/")
    for root in _ROOTS:
        path = root.sub("", path, count=1)
    parts = [p for p in path.split("/") if p]
    source_path = "/".join(parts[:-1])
    tokens = {
        "source_username": username,
        "source_path": source_path,
        "source_directory": parts[-2] if len(parts) > 1 else "",
    }

    def fill(match: re.Match[str]) -> str:
        return tokens.get(match.group(1).lower(), match.group(0))

    filled = re.sub(r"\$\{([^{}]*)\}", fill, template)
    return ["_" if p in (".", "..") else p for p in re.split(r"[\\/]", filled) if p]


def download_target(
    downloads_dir: Path,
    remote_filename: str,
    now: float | None = None,
    *,
    mode: SlskdMode | None = None,
    username: str = "",
) -> Path:
    """Where slskd would save ``remote_filename`` now (per version), plus ``_ticks`` if taken."""
    mode = mode or SlskdMode()
    parts = [p for p in re.split(r"[\\/]", remote_filename) if p]
    name = local_part(parts[-1])
    if mode.modern:
        folder_parts = _modern_folder(remote_filename, username, mode.subdirectory)
        folder = downloads_dir.joinpath(*(local_part(p) for p in folder_parts))
    else:
        folder = downloads_dir / local_part(parts[-2]) if len(parts) > 1 else downloads_dir
    target = folder / name
    if target.exists():
        stem, ext = os.path.splitext(name)
        target = folder / f"{stem}_{dotnet_ticks(now)}{ext}"
    return target


def has_traversal(remote_filename: str) -> bool:
    """True for names slskd refuses to enqueue (a ``..`` part, or empty)."""
    parts = re.split(r"[\\/]", remote_filename)
    return not remote_filename.strip() or any(p == ".." for p in parts)


@dataclass(frozen=True, slots=True)
class TransferTiming:
    """Simulated durations (in simulated seconds; ``time_scale`` speeds them up)."""

    handshake_s: float = 0.5  # Requested -> next state
    initializing_s: float = 0.5
    queue_entry_s: float = 2.0  # per queued upload ahead of us at a busy peer
    slow_queue_s: float = 600.0  # remote queue of a "slow" peer
    stall_fraction: float = 0.3
    fail_fraction: float = 0.4
    # slskd saves "Completed, Succeeded" first and moves the file afterwards:
    move_delay_s: float = 1.0  # until the file appears in the downloads folder
    copy_s: float = 1.0  # while it grows to full size (a copy across filesystems)


@dataclass
class SimTransfer:
    """One simulated download; mutated only by :meth:`advance` and the API under a lock."""

    username: str
    filename: str
    size: int
    source: Path | None  # the real audio to deliver; None = the peer does not share it
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    state: str = "Queued, Locally"
    requested_at: float = field(default_factory=time.time)
    enqueued_at: float | None = None
    started_at: float | None = None
    ended_at: float | None = None
    bytes_transferred: float = 0.0
    place_in_queue: int | None = None
    exception: str | None = None
    removed: bool = False
    attempts: int = 0  # 0.25+: the attempt under way (0 before the first starts)
    batch_id: str | None = None
    local_path: Path | None = None  # where the finished file was written (once complete)
    # progress bookkeeping, in simulated seconds
    _phase_s: float = 0.0
    _queue_left_s: float | None = None
    _active_s: float = 0.0
    _cancel_requested: bool = False
    _requeue_in_s: float | None = None
    _retry_wait_s: float | None = None
    _move_left_s: float | None = None
    _target: Path | None = None
    _copied: int = 0

    @property
    def directory(self) -> str:
        """The remote folder, as slskd groups transfers."""
        return self.filename.rsplit("\\", 1)[0] if "\\" in self.filename else ""

    @property
    def is_complete(self) -> bool:
        """True once the transfer reached a ``Completed, …`` state."""
        return self.state.startswith(COMPLETED)

    @property
    def moving(self) -> bool:
        """True while a succeeded transfer's file is not yet (fully) in the downloads folder."""
        return self._move_left_s is not None

    def request_cancel(self) -> None:
        """A user cancel: the transfer ends ``Completed, Cancelled`` at the next tick."""
        if not self.is_complete:
            self._cancel_requested = True

    def _finish(self, state: str, exception: str | None = None) -> None:
        self.state = state
        self.exception = exception
        self.ended_at = time.time()
        self.place_in_queue = None

    def _fail(self, state: str, exception: str, mode: SlskdMode) -> None:
        """An attempt failed: slskd 0.26 queues a retry, older versions give up."""
        retryable = state not in ("Completed, Rejected", "Completed, Cancelled")
        if mode.modern and retryable and self.attempts < mode.retry_attempts:
            delay = mode.retry_delay_s * 2 ** max(0, self.attempts - 1)
            self._retry_wait_s = min(mode.retry_max_delay_s, delay)
            # slskd first saves the failed state (WithSoulseekTransfer copies it),
            # then onRetry puts the record back to "Queued, Locally".
            self.state = state
            self.exception = exception
            self.place_in_queue = None
            self._requeue_in_s = _RETRY_FLASH_S
            return
        self._finish(state, exception)

    def advance(
        self,
        step_s: float,
        peer: Peer | None,
        timing: TransferTiming,
        downloads: Path,
        mode: SlskdMode | None = None,
    ) -> None:
        """Move the transfer on by ``step_s`` simulated seconds."""
        mode = mode or SlskdMode()
        if self._move_left_s is not None:
            self._move(step_s, timing, downloads, mode)
            return
        if self._requeue_in_s is not None:
            self._requeue_in_s -= step_s
            if self._requeue_in_s > 0:
                return
            self._requeue_in_s = None
            self.attempts += 1
            self._enter("Queued, Locally")
            return
        if self.is_complete:
            return
        if self._cancel_requested:
            self._finish("Completed, Cancelled", "The operation was canceled.")
            return
        if self._retry_wait_s is not None:
            self._retry_wait_s -= step_s
            if self._retry_wait_s > 0:
                return
            self._retry_wait_s = None
            self._phase_s = 0.0
        if peer is None or peer.behaviour == "offline":
            if self.state in ("Queued, Locally", "Requested", "Queued, Remotely"):
                self._fail(
                    "Completed, Errored", f"User {self.username} appears to be offline", mode
                )
            elif self.state in ("Initializing", "InProgress"):
                self._fail("Completed, Errored", "Remote connection closed", mode)
            return
        self._phase_s += step_s
        if self.state == "Queued, Locally":
            if self._phase_s < timing.handshake_s / 2:
                return
            if mode.modern:
                self.attempts = max(1, self.attempts)
            self._enter("Requested")
        if self.state == "Requested":
            if self._phase_s < timing.handshake_s / 2:
                return
            if self.source is None:
                self._finish("Completed, Rejected", "File not shared.")
                return
            self.enqueued_at = time.time()
            self._queue_left_s = _queue_time(peer, timing)
            self._enter("Queued, Remotely" if self._queue_left_s > 0 else "Initializing")
        if self.state == "Queued, Remotely":
            assert self._queue_left_s is not None
            self._queue_left_s -= step_s
            if self._queue_left_s > 0:
                per = max(timing.queue_entry_s, 1e-9)
                self.place_in_queue = max(1, int(self._queue_left_s // per) + 1)
                return
            self.place_in_queue = None
            self._enter("Initializing")
        if self.state == "Initializing":
            if self._phase_s < timing.initializing_s:
                return
            if peer.behaviour == "timeout":
                self._fail("Completed, TimedOut", "Transfer timed out", mode)
                return
            self.started_at = time.time()
            self._enter("InProgress")
            return
        if self.state == "InProgress":
            self._progress(step_s, peer, timing, mode)

    def _enter(self, state: str) -> None:
        self.state = state
        self._phase_s = 0.0

    def _progress(self, step_s: float, peer: Peer, timing: TransferTiming, mode: SlskdMode) -> None:
        speed = peer.transfer_speed or peer.upload_speed
        cap = float(self.size)
        if peer.behaviour == "stall":
            cap = self.size * timing.stall_fraction
        before = self.bytes_transferred
        if before < cap and speed > 0:
            # Count only the part of the step actually spent moving bytes, so the
            # reported average speed is the peer's speed, not the tick granularity.
            self._active_s += min(step_s, (cap - before) / speed)
            self.bytes_transferred = min(cap, before + speed * step_s)
        if peer.behaviour == "fail" and self.bytes_transferred >= self.size * timing.fail_fraction:
            self.bytes_transferred = min(self.bytes_transferred, self.size * timing.fail_fraction)
            self._fail("Completed, Errored", "Remote connection closed", mode)
            return
        if self.bytes_transferred >= self.size and peer.behaviour != "stall":
            self.bytes_transferred = float(self.size)
            # Saved as succeeded first; the file is moved into place afterwards.
            self._finish(SUCCEEDED)
            self._move_left_s = timing.move_delay_s

    def _move(
        self, step_s: float, timing: TransferTiming, downloads: Path, mode: SlskdMode
    ) -> None:
        """The move from the incomplete folder, after the state already says succeeded."""
        assert self._move_left_s is not None and self.source is not None
        self._move_left_s -= step_s
        if self._move_left_s > 0:
            return
        if self._target is None:
            self._target = download_target(
                downloads, self.filename, mode=mode, username=self.username
            )
            self._target.parent.mkdir(parents=True, exist_ok=True)
        data_size = self.source.stat().st_size
        share = 1.0 if timing.copy_s <= 0 else min(1.0, (-self._move_left_s) / timing.copy_s)
        upto = data_size if share >= 1.0 else int(data_size * share)
        if upto > self._copied or self._copied == 0:
            with self.source.open("rb") as src, self._target.open("ab") as out:
                src.seek(self._copied)
                out.write(src.read(upto - self._copied))
            self._copied = upto
        if self._copied >= data_size:
            self.local_path = self._target
            self._move_left_s = None

    def to_json(self, mode: SlskdMode | None = None) -> dict[str, Any]:
        """The transfer as slskd's API returns it (nulls omitted; fields per version).

        0.24 has ``startOffset`` and ``stateDescription``; 0.26 drops both
        (``StateDescription`` is ``[JsonIgnore]``) and adds ``batchId`` and
        ``attempts`` (``Transfers/Types/Transfer.cs`` at each tag).
        """
        mode = mode or SlskdMode()
        done = int(self.bytes_transferred)
        speed = done / self._active_s if self._active_s > 0 else 0.0
        out: dict[str, Any] = {
            "id": self.id,
            "username": self.username,
            "direction": "Download",
            "filename": self.filename,
            "size": self.size,
            "state": self.state,
            "requestedAt": iso(self.requested_at),
            "bytesTransferred": done,
            "averageSpeed": speed,
            "bytesRemaining": self.size - done,
            "percentComplete": (100.0 * done / self.size) if self.size else 0.0,
            "removed": self.removed,
        }
        if mode.modern:
            out["attempts"] = self.attempts
            if self.batch_id is not None:
                out["batchId"] = self.batch_id
        else:
            out["startOffset"] = 0
            out["stateDescription"] = self.state
        optional: dict[str, Any] = {
            "enqueuedAt": iso(self.enqueued_at) if self.enqueued_at else None,
            "startedAt": iso(self.started_at) if self.started_at else None,
            "endedAt": iso(self.ended_at) if self.ended_at else None,
            "placeInQueue": self.place_in_queue,
            "exception": self.exception,
            "elapsedTime": timespan(self._active_s) if self.started_at else None,
            "remainingTime": (
                timespan((self.size - done) / speed) if speed > 0 and not self.is_complete else None
            ),
        }
        out.update({k: v for k, v in optional.items() if v is not None})
        return out


def _queue_time(peer: Peer, timing: TransferTiming) -> float:
    if peer.behaviour == "slow":
        return timing.slow_queue_s
    if not peer.has_free_upload_slot:
        return max(1, peer.queue_length) * timing.queue_entry_s
    return 0.0
