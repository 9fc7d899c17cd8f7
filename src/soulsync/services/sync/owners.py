"""Which process works a sync run, and whether that process is still alive.

A run row names its process as ``host:pid:nonce`` and the process refreshes a
heartbeat while it works. At start-up a process finds runs whose owner is
gone (killed, crashed, the machine restarted): it resumes its own playlist's
run and marks the others ``interrupted`` instead of leaving them "running"
forever.
"""

from __future__ import annotations

import os
import socket
import time
import uuid

__all__ = ["HEARTBEAT_S", "HEARTBEAT_TTL_S", "new_owner", "owner_alive"]

HEARTBEAT_S = 10.0
# A run whose heartbeat is older than this is orphaned even if a process with its
# pid exists (the pid may have been reused, or the owner is on another host).
HEARTBEAT_TTL_S = 90.0


def new_owner() -> str:
    """A fresh owner id for this process (one per service object)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def owner_alive(owner: str | None, heartbeat_at: float | None, *, now: float | None = None) -> bool:
    """True if the process named ``owner`` may still be working on its run."""
    if not owner or heartbeat_at is None:
        return False
    now = time.time() if now is None else now
    if now - heartbeat_at > HEARTBEAT_TTL_S:
        return False
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname():
        return True  # cannot look: trust the heartbeat
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, ValueError):
        return True
    return True
