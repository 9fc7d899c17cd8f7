"""Per-playlist sync schedules, stored in SQLite so they survive restarts.

A schedule is "every N hours" or "daily at HH:MM" (local time), with
download-missing on or off. ``next_run_at`` is stored: after a restart an
overdue schedule runs once (not once per missed slot), then continues from
there. :func:`next_run` adds a random delay of up to ``jitter_s`` so that
schedules set to the same time do not reach Spotify, Soulseek and the media
server together.
"""

from __future__ import annotations

import random
import re
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from soulsync.store import Store, schema

__all__ = ["Schedule", "ScheduleError", "ScheduleStore", "next_run", "parse_daily"]

_DAILY = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class ScheduleError(ValueError):
    """A schedule that cannot be set (bad time, no interval, unknown playlist)."""


@dataclass(frozen=True, slots=True)
class Schedule:
    """One playlist's schedule."""

    playlist_id: int
    playlist_ref: str
    playlist_name: str
    every_hours: float | None
    daily_at: str | None
    download_missing: bool
    enabled: bool
    next_run_at: float | None
    last_run_at: float | None
    last_run_id: str | None
    last_error: str | None

    def describe(self) -> str:
        """``every 6 h`` or ``daily at 03:30``, plus `` + download``."""
        when = f"daily at {self.daily_at}" if self.daily_at else f"every {self.every_hours:g} h"
        return when + (", download missing" if self.download_missing else "")

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready view."""
        return {
            "playlist_id": self.playlist_id,
            "playlist_ref": self.playlist_ref,
            "playlist_name": self.playlist_name,
            "every_hours": self.every_hours,
            "daily_at": self.daily_at,
            "download_missing": self.download_missing,
            "enabled": self.enabled,
            "next_run_at": self.next_run_at,
            "last_run_at": self.last_run_at,
            "last_run_id": self.last_run_id,
            "last_error": self.last_error,
            "describe": self.describe(),
        }


def parse_daily(text: str) -> str:
    """``"3:05"`` → ``"03:05"``; ScheduleError for anything that is not a 24-hour time."""
    match = _DAILY.match(text.strip())
    if match is None:
        raise ScheduleError(f"{text!r} is not a time of day (use HH:MM, 24-hour)")
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def next_run(
    *,
    after: float,
    every_hours: float | None,
    daily_at: str | None,
    jitter_s: float = 0.0,
    rng: random.Random | None = None,
) -> float:
    """The next run time (epoch seconds) strictly after ``after``, plus up to ``jitter_s``."""
    jitter = (rng or random).uniform(0, jitter_s) if jitter_s > 0 else 0.0
    if daily_at:
        hour, minute = (int(p) for p in parse_daily(daily_at).split(":"))
        base = datetime.fromtimestamp(after)
        candidate = base.replace(hour=hour, minute=minute, second=0, microsecond=0)
        if candidate.timestamp() <= after:
            candidate += timedelta(days=1)
        return candidate.timestamp() + jitter
    if every_hours is None or every_hours <= 0:
        raise ScheduleError("a schedule needs every_hours > 0 or a daily time")
    return after + every_hours * 3600 + jitter


class ScheduleStore:
    """Reads and writes the ``sync_schedules`` table."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def _query(self) -> sa.Select[Any]:
        s, p = schema.sync_schedules, schema.sync_playlists
        return sa.select(s, p.c.source, p.c.source_id, p.c.name).join(p, p.c.id == s.c.playlist_id)

    @staticmethod
    def _row(row: Any) -> Schedule:
        return Schedule(
            playlist_id=row.playlist_id,
            playlist_ref=f"{row.source}:{row.source_id}",
            playlist_name=row.name,
            every_hours=row.every_hours,
            daily_at=row.daily_at,
            download_missing=bool(row.download_missing),
            enabled=bool(row.enabled),
            next_run_at=row.next_run_at,
            last_run_at=row.last_run_at,
            last_run_id=row.last_run_id,
            last_error=row.last_error,
        )

    def all(self) -> list[Schedule]:
        """Every schedule, soonest first."""
        s = schema.sync_schedules
        with self.store.read() as conn:
            rows = conn.execute(self._query().order_by(s.c.next_run_at, s.c.playlist_id)).all()
        return [self._row(r) for r in rows]

    def get(self, playlist_id: int) -> Schedule | None:
        """One playlist's schedule, or None."""
        s = schema.sync_schedules
        with self.store.read() as conn:
            row = conn.execute(self._query().where(s.c.playlist_id == playlist_id)).first()
        return self._row(row) if row is not None else None

    def due(self, now: float | None = None) -> list[Schedule]:
        """Enabled schedules whose time has come, the longest overdue first."""
        s = schema.sync_schedules
        moment = time.time() if now is None else now
        with self.store.read() as conn:
            rows = conn.execute(
                self._query()
                .where(s.c.enabled.is_(True), s.c.next_run_at <= moment)
                .order_by(s.c.next_run_at)
            ).all()
        return [self._row(r) for r in rows]

    def set(
        self,
        playlist_id: int,
        *,
        every_hours: float | None = None,
        daily_at: str | None = None,
        download_missing: bool = False,
        jitter_s: float = 0.0,
        now: float | None = None,
    ) -> Schedule:
        """Create or replace a playlist's schedule; the first run is one period from now."""
        if (every_hours is None) == (daily_at is None):
            raise ScheduleError("give either every_hours or a daily time, not both or neither")
        if daily_at is not None:
            daily_at = parse_daily(daily_at)
        if every_hours is not None and not 0 < every_hours <= 24 * 365:
            raise ScheduleError("every_hours must be more than 0 and at most a year")
        moment = time.time() if now is None else now
        first = next_run(
            after=moment, every_hours=every_hours, daily_at=daily_at, jitter_s=jitter_s
        )
        s = schema.sync_schedules
        values = {
            "every_hours": every_hours,
            "daily_at": daily_at,
            "download_missing": download_missing,
            "enabled": True,
            "next_run_at": first,
            "updated_at": moment,
        }
        with self.store.write() as conn:
            exists = conn.execute(
                sa.select(schema.sync_playlists.c.id).where(
                    schema.sync_playlists.c.id == playlist_id
                )
            ).first()
            if exists is None:
                raise ScheduleError(f"no followed playlist with id {playlist_id}")
            updated = conn.execute(
                sa.update(s).where(s.c.playlist_id == playlist_id).values(**values)
            )
            if not updated.rowcount:
                conn.execute(
                    sa.insert(s).values(playlist_id=playlist_id, created_at=moment, **values)
                )
        result = self.get(playlist_id)
        assert result is not None
        return result

    def clear(self, playlist_id: int) -> bool:
        """Remove a playlist's schedule; False if it had none."""
        s = schema.sync_schedules
        with self.store.write() as conn:
            gone = conn.execute(sa.delete(s).where(s.c.playlist_id == playlist_id))
        return bool(gone.rowcount)

    def record_run(
        self,
        playlist_id: int,
        *,
        ran_at: float,
        run_id: str | None,
        error: str | None,
        next_run_at: float,
    ) -> None:
        """Store the outcome of a run and when the next one is due."""
        s = schema.sync_schedules
        with self.store.write() as conn:
            conn.execute(
                sa.update(s)
                .where(s.c.playlist_id == playlist_id)
                .values(
                    last_run_at=ran_at,
                    last_run_id=run_id,
                    last_error=error,
                    next_run_at=next_run_at,
                    updated_at=time.time(),
                )
            )
