"""The download-queue lease: only one process works the queue at a time.

A row in ``settings`` names the process (host, pid, what it is, e.g.
``soulsync sync spotify:…``) with a heartbeat. Another process finding a fresh
lease held by a live process gets :class:`QueueBusy`, whose message says which
process it is (a CLI then queues, follows, and takes over when it stops).
"""

from __future__ import annotations

import os
import socket
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from soulsync.store import Store

__all__ = ["LEASE_KEY", "QueueBusy", "QueueLease"]

LEASE_KEY = "downloads.worker_lease"


class QueueBusy(RuntimeError):
    """Another live process is already working the download queue."""

    def __init__(self, message: str, *, pid: int | None = None, command: str | None = None):
        super().__init__(message)
        self.pid = pid
        self.command = command


class QueueLease:
    """Take, renew and release the queue lease for this process."""

    def __init__(self, store: Store, ttl_s: float) -> None:
        self.store = store
        self.ttl_s = ttl_s
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

    def take(self) -> None:
        """Take the lease, or raise :class:`QueueBusy` if a live process holds it."""
        lease = self.store.get_setting(LEASE_KEY)
        now = time.time()
        if isinstance(lease, dict) and lease.get("owner") != self.owner:
            fresh = float(lease.get("heartbeat", 0)) + self.ttl_s > now
            if fresh and _alive(lease):
                command = lease.get("command") or "another SoulSync process"
                raise QueueBusy(
                    f"the download queue is already being worked by process {lease.get('pid')} "
                    f"on {lease.get('host')} ({command})",
                    pid=lease.get("pid"),
                    command=command,
                )
        self.renew()

    def renew(self) -> None:
        """Say this process still works the queue (a heartbeat)."""
        self.store.set_setting(
            LEASE_KEY,
            {
                "owner": self.owner,
                "pid": os.getpid(),
                "host": socket.gethostname(),
                "command": _command_line(),
                "heartbeat": time.time(),
            },
        )

    def release(self) -> None:
        """Give the lease up (only if it is ours)."""
        lease = self.store.get_setting(LEASE_KEY)
        if isinstance(lease, dict) and lease.get("owner") == self.owner:
            self.store.delete_setting(LEASE_KEY)


def _command_line() -> str:
    """What this process is, for another process's "who works the queue" message."""
    name = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "python"
    if name in ("__main__.py", "-m", "-c"):
        name = "soulsync"
    # Sub-command and its first argument; option values (paths) are left out.
    words = [w for w in sys.argv[1:] if not w.startswith("-") and not _looks_like_path(w)][:2]
    return " ".join([name, *words])


def _looks_like_path(word: str) -> bool:
    return "/" in word or "\\" in word or word.endswith((".toml", ".json"))


def _alive(lease: dict[str, Any]) -> bool:
    """False when the lease holder is a process on this host that no longer exists."""
    if lease.get("host") != socket.gethostname():
        return True  # cannot tell; trust the heartbeat
    try:
        os.kill(int(lease.get("pid", 0)), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, ValueError):
        return True
    return True
