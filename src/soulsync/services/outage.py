"""Services that are down: pause and wait for them instead of failing every job.

When slskd (or a metadata service) cannot be reached, every job would retry on
its own and give up within seconds. Instead the first job to hit the outage
records it here: the download queue pauses (no job starts, the interrupted
ones go back to the queue with nothing counted against them), a probe checks
the service with a capped, doubling backoff, and the queue resumes when it
answers, or gives up after ``max_wait_min`` (then jobs fail as before).

The outage is kept in the ``settings`` table, so every SoulSync process on the
database (a CLI following the queue, the web UI) shows the same
"waiting for slskd since 14:02, next try in 30 s".
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from typing import Any

from soulsync.config_outage import OutageSettings
from soulsync.store import Store

__all__ = ["SEARCH_WAIT_KEY", "Outage", "OutageBook", "note_search_wait", "search_budget_wait"]

_KEY = "outage."
# Until when the Soulseek search budget holds searches back (epoch seconds).
SEARCH_WAIT_KEY = "slskd.search_wait_until"


def _minutes(seconds: float) -> str:
    whole = max(0, round(seconds))
    minutes, secs = divmod(whole, 60)
    return f"{minutes} min {secs} s" if minutes else f"{secs} s"


def note_search_wait(store: Store, seconds: float, *, now: float | None = None) -> str:
    """Record that searches wait ``seconds`` for the budget; returns the message to show."""
    now = time.time() if now is None else now
    store.set_setting(SEARCH_WAIT_KEY, now + seconds)
    message = f"search budget: next search in {_minutes(seconds)}"
    store.add_activity("search", message, {"until": now + seconds})
    return message


def search_budget_wait(store: Store, *, now: float | None = None) -> str | None:
    """``search budget: next search in 2 min 40 s`` while the budget holds searches back."""
    until = store.get_setting(SEARCH_WAIT_KEY)
    now = time.time() if now is None else now
    if not isinstance(until, int | float) or until <= now:
        return None
    return f"search budget: next search in {_minutes(until - now)}"


@dataclass(frozen=True, slots=True)
class Outage:
    """One service that is down, as recorded."""

    service: str
    since: float
    next_try: float
    attempts: int
    error: str

    def describe(self, now: float | None = None) -> str:
        """``waiting for slskd since 14:02, next try in 30 s`` (local time)."""
        now = time.time() if now is None else now
        since = time.strftime("%H:%M", time.localtime(self.since))
        left = max(0, round(self.next_try - now))
        return f"waiting for {self.service} since {since}, next try in {left} s"


class OutageBook:
    """Records, reads and clears outages (one row per service in ``settings``)."""

    def __init__(
        self,
        store: Store,
        settings: OutageSettings | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.settings = settings or OutageSettings()
        self.clock = clock

    def _backoff(self, attempts: int) -> float:
        s = self.settings
        return float(min(s.max_retry_s, s.first_retry_s * (2 ** max(0, attempts - 1))))

    def get(self, service: str) -> Outage | None:
        """The outage of ``service``, if it is down."""
        value = self.store.get_setting(_KEY + service)
        return Outage(**value) if isinstance(value, dict) else None

    def down(self, service: str, error: str) -> Outage:
        """Record (or extend) that ``service`` cannot be reached; schedules the next probe."""
        now = self.clock()
        current = self.get(service)
        if current is not None and now - current.next_try > 2 * self.settings.max_retry_s + 120:
            # Nobody probed it for minutes: a record left over from an outage that
            # ended unseen (no process was running), not the start of this one.
            current = None
        if current is None:
            outage = Outage(service, now, now + self._backoff(1), 1, error)
        elif current.next_try > now:
            return current  # another job saw the same outage; the probe is scheduled
        else:
            attempts = current.attempts + 1
            outage = replace(
                current, attempts=attempts, next_try=now + self._backoff(attempts), error=error
            )
        self.store.set_setting(_KEY + service, asdict(outage))
        return outage

    def up(self, service: str) -> Outage | None:
        """The service answers again: forget its outage; returns what it was."""
        current = self.get(service)
        if current is not None:
            self.store.delete_setting(_KEY + service)
        return current

    def gave_up(self, outage: Outage) -> bool:
        """True once the outage has lasted longer than we wait."""
        return self.clock() - outage.since > self.settings.max_wait_min * 60

    def as_dict(self, outage: Outage) -> dict[str, Any]:
        """JSON view for events and the UI."""
        return {**asdict(outage), "message": outage.describe(self.clock())}
