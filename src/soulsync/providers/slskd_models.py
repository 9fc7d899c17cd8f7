"""slskd JSON payloads turned into SoulSync values (pure functions, no I/O).

slskd omits null properties, so every optional field is read with ``.get``;
enum flags arrive as comma-joined strings (``"Completed, Succeeded"``) and
are kept as strings with helpers to test them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from soulsync.domain import SearchResponse, SoulseekFile

_FAILED_ENDINGS = ("Cancelled", "TimedOut", "Errored", "Rejected", "Aborted")


def parse_time(value: Any) -> dt.datetime | None:
    """An slskd timestamp (ISO 8601, 7 fractional digits, zone optional) as aware UTC."""
    if not isinstance(value, str) or not value:
        return None
    text = value.strip().replace("Z", "+00:00")
    head, dot, rest = text.partition(".")
    if dot:
        # Python reads at most 6 fractional digits; .NET writes 7.
        n = len(rest) - len(rest.lstrip("0123456789"))
        digits, zone = rest[:n], rest[n:]
        text = f"{head}.{digits[:6].ljust(6, '0')}{zone}"
    try:
        stamp = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)


def state_flags(state: str) -> frozenset[str]:
    """``"Completed, Succeeded"`` → ``{"Completed", "Succeeded"}``."""
    return frozenset(p.strip() for p in state.split(",") if p.strip())


@dataclass(frozen=True, slots=True)
class SlskdTransfer:
    """One download as slskd reports it."""

    id: str
    username: str
    filename: str  # full remote path
    size: int
    state: str  # comma-joined flags, e.g. "Queued, Remotely"
    bytes_transferred: int = 0
    percent_complete: float = 0.0
    average_speed: float = 0.0
    place_in_queue: int | None = None
    exception: str | None = None
    requested_at: dt.datetime | None = None
    started_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None
    removed: bool = False
    attempts: int = 0  # slskd 0.25+ (absent before)

    @property
    def flags(self) -> frozenset[str]:
        """The state's flags."""
        return state_flags(self.state)

    @property
    def is_complete(self) -> bool:
        """Finished, whether it succeeded or not."""
        return "Completed" in self.flags

    @property
    def succeeded(self) -> bool:
        """Finished and the file is on disk."""
        return {"Completed", "Succeeded"} <= self.flags

    @property
    def failed(self) -> bool:
        """Finished without the file (cancelled, timed out, errored, rejected, aborted)."""
        return self.is_complete and not self.succeeded

    @property
    def queued_remotely(self) -> bool:
        """Waiting in the peer's upload queue."""
        return {"Queued", "Remotely"} <= self.flags

    @property
    def in_progress(self) -> bool:
        """Bytes are (supposed to be) flowing."""
        return self.state in ("Initializing", "InProgress")


@dataclass(frozen=True, slots=True)
class EnqueueResult:
    """What an enqueue did: transfers created, and remote names slskd refused."""

    enqueued: tuple[SlskdTransfer, ...]
    failed: tuple[str, ...]


def transfer_from_json(data: Mapping[str, Any]) -> SlskdTransfer:
    """One Transfer object."""
    place = data.get("placeInQueue")
    return SlskdTransfer(
        id=str(data["id"]),
        username=str(data.get("username", "")),
        filename=str(data.get("filename", "")),
        size=int(data.get("size") or 0),
        state=str(data.get("state", "")),
        bytes_transferred=int(data.get("bytesTransferred") or 0),
        percent_complete=float(data.get("percentComplete") or 0.0),
        average_speed=float(data.get("averageSpeed") or 0.0),
        place_in_queue=int(place) if place is not None else None,
        exception=data.get("exception"),
        requested_at=parse_time(data.get("requestedAt")),
        started_at=parse_time(data.get("startedAt")),
        ended_at=parse_time(data.get("endedAt")),
        removed=bool(data.get("removed", False)),
        attempts=int(data.get("attempts") or 0),
    )


def transfers_from_groups(groups: Iterable[Mapping[str, Any]]) -> list[SlskdTransfer]:
    """Flatten ``[{username, directories:[{files:[…]}]}]`` (one group is fine too)."""
    out: list[SlskdTransfer] = []
    for group in groups:
        for directory in group.get("directories") or []:
            for item in directory.get("files") or []:
                out.append(transfer_from_json(item))
    return out


def _file(
    username: str, data: Mapping[str, Any], response: Mapping[str, Any], locked: bool
) -> SoulseekFile:
    def opt_int(key: str) -> int | None:
        value = data.get(key)
        return int(value) if value is not None else None

    vbr = data.get("isVariableBitRate")
    return SoulseekFile(
        username=username,
        filename=str(data["filename"]),
        size=int(data.get("size") or 0),
        length=opt_int("length"),
        bit_rate=opt_int("bitRate"),
        sample_rate=opt_int("sampleRate"),
        bit_depth=opt_int("bitDepth"),
        is_variable_bit_rate=bool(vbr) if vbr is not None else None,
        is_locked=bool(data.get("isLocked", locked)) or locked,
        has_free_upload_slot=bool(response.get("hasFreeUploadSlot", True)),
        upload_speed=int(response.get("uploadSpeed") or 0),
        queue_length=int(response.get("queueLength") or 0),
    )


def response_from_json(data: Mapping[str, Any]) -> SearchResponse:
    """One peer's search response, with its files carrying the peer's slot/speed/queue."""
    username = str(data["username"])
    files = tuple(_file(username, f, data, False) for f in data.get("files") or [])
    locked = tuple(_file(username, f, data, True) for f in data.get("lockedFiles") or [])
    return SearchResponse(
        username=username,
        files=files,
        has_free_upload_slot=bool(data.get("hasFreeUploadSlot", False)),
        upload_speed=int(data.get("uploadSpeed") or 0),
        queue_length=int(data.get("queueLength") or 0),
        locked_files=locked,
    )


def directory_files(username: str, payload: Any, fallback_directory: str) -> list[SoulseekFile]:
    """Files of ``POST /users/{u}/directory`` with full remote paths rebuilt.

    Newer slskd returns a list of folders, older (< ~0.22.3) a single object;
    file names in it are bare, so the folder name is put back in front.
    """
    folders = payload if isinstance(payload, list) else [payload] if payload else []
    out: list[SoulseekFile] = []
    for folder in folders:
        name = str(folder.get("name") or fallback_directory).rstrip("\\")
        for item in folder.get("files") or []:
            bare = str(item["filename"])
            full = bare if "\\" in bare else f"{name}\\{bare}"
            out.append(_file(username, {**item, "filename": full}, {}, False))
    return out
