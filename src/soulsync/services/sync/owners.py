"""Which process works a sync run, and whether that process is still alive.

A run row names its process as ``host:pid:nonce`` and the process refreshes a
heartbeat while it works. At start-up a process finds runs whose owner is
gone (killed, crashed, the machine restarted): it resumes its own playlist's
run and marks the others ``interrupted`` instead of leaving them "running"
forever.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid

from soulsync.domain import Source
from soulsync.services.events import EventBus
from soulsync.services.sync.models import RunState
from soulsync.services.sync.run_rows import RunRecord
from soulsync.services.sync.store import SyncStore

__all__ = ["HEARTBEAT_S", "HEARTBEAT_TTL_S", "RunOwnership", "new_owner", "owner_alive"]

log = logging.getLogger(__name__)

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


class RunOwnership:
    """Mixed into :class:`~soulsync.services.sync.service.SyncService`: run ownership.

    Needs ``sync_store``, ``owner``, ``bus`` and the ``_tasks`` of running runs.
    """

    sync_store: SyncStore
    owner: str
    bus: EventBus | None
    _tasks: dict[str, asyncio.Task[None]]

    def _publish_state(self, run_id: str, state: RunState) -> None:
        if self.bus is not None:
            self.bus.publish("sync.state", run_id=run_id, state=state.value, phase=state.value)

    def _orphaned_runs(self) -> list[RunRecord]:
        """Unfinished runs whose process is gone (not this one, not another live one)."""
        runs = [r for r in self.sync_store.unfinished_runs() if r.id not in self._tasks]
        owners = self.sync_store.run_owners([r.id for r in runs])
        return [r for r in runs if not owner_alive(*owners.get(r.id, (None, None)))]

    def _claim(self, run: RunRecord) -> bool:
        owner, _beat = self.sync_store.run_owners([run.id]).get(run.id, (None, None))
        return self.sync_store.claim_run(run.id, self.owner, expected=owner)

    def mark_interrupted(self) -> list[str]:
        """Record runs whose process died mid-way as ``interrupted``; returns their ids.

        Called at start-up by every front end (``soulsync report`` too), so a
        killed run never shows as "running" forever.
        """
        before = {
            r.id for r in self.sync_store.unfinished_runs() if r.state is RunState.INTERRUPTED
        }
        self._recover_orphans(None, None)
        after = {r.id for r in self.sync_store.unfinished_runs() if r.state is RunState.INTERRUPTED}
        return sorted(after - before)

    def _recover_orphans(self, source: Source | None, source_id: str | None) -> str | None:
        """At start-up of a sync: resume this playlist's interrupted run, mark the others.

        Returns the id of the run to resume (now owned by this process), if any.
        """
        resume: str | None = None
        for run in self._orphaned_runs():
            mine = source is not None and (run.source, run.source_id) == (source.value, source_id)
            if mine and resume is None and self._claim(run):
                log.info("resuming interrupted sync run %s (%s)", run.id, run.playlist_name)
                resume = run.id
            elif run.state is not RunState.INTERRUPTED:
                self.sync_store.update_run(
                    run.id,
                    state=RunState.INTERRUPTED,
                    phase="interrupted",
                    message="interrupted: its process stopped before the end "
                    "(resumed by the next sync of this playlist or by soulsync serve)",
                )
                self._publish_state(run.id, RunState.INTERRUPTED)
        return resume

    async def _heartbeat_loop(self) -> None:
        while self._tasks:
            await asyncio.to_thread(self.sync_store.heartbeat, list(self._tasks), self.owner)
            await asyncio.sleep(HEARTBEAT_S)
