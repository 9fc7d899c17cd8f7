"""The search pacer's window in SQLite: shared by every SoulSync process, kept across restarts.

The Soulseek server counts an account's searches whatever process sent them,
and a restart does not reset its count. So the pacer's sliding window (at most
``max_per_window`` searches in any ``window_s``, a minimum gap between two) is
kept in the ``slskd_searches`` table: a search is *reserved* there (checked
and recorded in one ``BEGIN IMMEDIATE`` transaction, so two processes cannot
both take the last permit) before its POST, and released again if slskd
refused it (429: it never reached the network).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from soulsync.store import Store
from soulsync.store.schema import slskd_searches

__all__ = ["Reservation", "SqliteSearchLedger"]


@dataclass(frozen=True, slots=True)
class Reservation:
    """Either a permit (``row_id``) or how long to wait for one."""

    row_id: int | None
    wait_s: float


class SqliteSearchLedger:
    """Sliding-window search permits in the SoulSync database (wall-clock times)."""

    def __init__(self, store: Store, *, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.clock = clock

    def reserve(self, max_per_window: int, window_s: float, min_gap_s: float) -> Reservation:
        """Take a permit now if the window and the gap allow it, else say how long to wait."""
        t = slskd_searches
        now = self.clock()
        with self.store.immediate() as conn:
            conn.execute(sa.delete(t).where(t.c.at <= now - window_s))
            times = [
                float(r.at)
                for r in conn.execute(
                    sa.select(t.c.at).where(t.c.at > now - window_s).order_by(t.c.at)
                ).all()
            ]
            wait = 0.0
            if len(times) >= max_per_window:
                # The oldest searches must leave the window until one permit is free.
                wait = times[len(times) - max_per_window] + window_s - now
            if times:
                wait = max(wait, times[-1] + min_gap_s - now)
            if wait > 0:
                return Reservation(None, wait)
            row_id = conn.execute(sa.insert(t).values(at=now)).inserted_primary_key
            assert row_id is not None
            return Reservation(int(row_id[0]), 0.0)

    def release(self, row_id: int) -> None:
        """Give a permit back (slskd refused the search before it reached the network)."""
        t = slskd_searches
        with self.store.write() as conn:
            conn.execute(sa.delete(t).where(t.c.id == row_id))

    def count_since(self, since: float) -> int:
        """Searches recorded after ``since`` (wall clock)."""
        t = slskd_searches
        with self.store.read() as conn:
            return int(conn.execute(sa.select(sa.func.count()).where(t.c.at > since)).scalar() or 0)
