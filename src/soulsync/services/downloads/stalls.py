"""Which transfers are stalled right now, and since when (the queue page's live timer).

The transfer watcher knows how long a transfer has gone without a new byte;
this book turns that into "stalled since <epoch seconds>" per job once the
gap is long enough to be worth saying, so a page rendered later (or a client
counting up between two polls) shows the same growing "stalled 25 s".
"""

from __future__ import annotations

import time
from collections.abc import Callable

__all__ = ["StallBook", "notice_after"]

# A short gap between two polls is normal; say "stalled" only after this long
# (or a third of the stall timeout, when that is shorter, so a short timeout
# still shows its stall before the next peer is tried).
NOTICE_S = 5.0


def notice_after(stall_timeout_s: float) -> float:
    """Seconds without data after which a transfer is shown as stalled."""
    return min(NOTICE_S, stall_timeout_s / 3)


class StallBook:
    """Stall start times of running jobs; only the event loop's thread writes it."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._since: dict[int, float] = {}
        self._clock = clock

    def update(self, job_id: int, idle_s: float, stall_timeout_s: float) -> float | None:
        """Record ``idle_s`` seconds without data; the stalled seconds to show, or None."""
        if idle_s < notice_after(stall_timeout_s):
            self._since.pop(job_id, None)
            return None
        since = self._clock() - idle_s
        # Keep the first estimate: polls jitter, the timer should not jump back.
        self._since[job_id] = min(since, self._since.get(job_id, since))
        return self.stalled_for(job_id)

    def stalled_for(self, job_id: int) -> float | None:
        """Seconds the job's transfer has been stalled, or None if it is not."""
        since = self._since.get(job_id)
        return None if since is None else max(0.0, self._clock() - since)

    def forget(self, job_id: int) -> None:
        """The job left its transfer (next peer, finished, cancelled)."""
        self._since.pop(job_id, None)
