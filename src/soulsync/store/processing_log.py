"""The ``processing`` table: one row per processed file, and the totals shown by reports."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Any

import sqlalchemy as sa

from soulsync.store.db import Store
from soulsync.store.schema import processing

__all__ = ["ProcessingLog", "ProcessingStats"]

_COLUMNS = frozenset(c.name for c in processing.columns) - {"id"}


@dataclass(frozen=True, slots=True)
class ProcessingStats:
    """Success/failure counts and totals over all records."""

    files: int
    ok: int
    cached: int
    failed: int
    converted: int
    seconds: float
    input_bytes: int
    output_bytes: int
    trimmed_ms: int

    @property
    def bytes_saved(self) -> int:
        """Input minus output bytes over the successful records (negative: grew)."""
        return self.input_bytes - self.output_bytes

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, with ``bytes_saved``."""
        data = asdict(self)
        data["seconds"] = round(self.seconds, 3)
        return {**data, "bytes_saved": self.bytes_saved}

    def summary(self) -> str:
        """One line for reports."""
        return (
            f"Processing: {self.files} files ({self.ok} ok, {self.cached} from cache, "
            f"{self.failed} failed, {self.converted} converted), {self.seconds:.1f} s, "
            f"{_mb(self.input_bytes)} in, {_mb(self.output_bytes)} out, "
            f"{_mb(self.bytes_saved)} saved, {self.trimmed_ms / 1000:.1f} s of silence trimmed"
        )


def _mb(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB"


class ProcessingLog:
    """Writes and summarises ``processing`` rows."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def add(self, **values: Any) -> int:
        """Insert one record (unknown keys are refused); returns its id."""
        unknown = set(values) - _COLUMNS
        if unknown:
            raise ValueError(f"unknown processing fields: {', '.join(sorted(unknown))}")
        values.setdefault("at", time.time())
        with self.store.write() as conn:
            result = conn.execute(processing.insert().values(**values))
            key = result.inserted_primary_key
            if key is None:
                raise RuntimeError("SQLite returned no id for the processing record")
            return int(key[0])

    def set_album_gain(self, outputs: list[str], album_gain_db: float) -> None:
        """Record the album gain on the newest rows of these output files."""
        with self.store.write() as conn:
            conn.execute(
                processing.update()
                .where(processing.c.output.in_(outputs))
                .values(album_gain_db=album_gain_db)
            )

    def recent(self, limit: int = 50) -> list[dict[str, Any]]:
        """The newest records, newest first."""
        with self.store.read() as conn:
            rows = conn.execute(
                sa.select(processing).order_by(processing.c.id.desc()).limit(limit)
            ).mappings()
            return [dict(r) for r in rows]

    def stats(self) -> ProcessingStats:
        """Counts and totals over every record."""
        c = processing.c
        ok = c.outcome != "failed"
        with self.store.read() as conn:
            row = conn.execute(
                sa.select(
                    sa.func.count(),
                    sa.func.sum(sa.case((c.outcome == "ok", 1), else_=0)),
                    sa.func.sum(sa.case((c.outcome == "cached", 1), else_=0)),
                    sa.func.sum(sa.case((c.outcome == "failed", 1), else_=0)),
                    sa.func.sum(
                        sa.case(
                            (sa.and_(ok, c.quality.is_not(None), c.quality != "keep"), 1), else_=0
                        )
                    ),
                    sa.func.sum(c.seconds),
                    sa.func.sum(sa.case((ok, c.input_bytes), else_=0)),
                    sa.func.sum(sa.case((ok, c.output_bytes), else_=0)),
                    sa.func.sum(sa.case((ok, c.trimmed_ms), else_=0)),
                )
            ).one()
        return ProcessingStats(
            files=int(row[0] or 0),
            ok=int(row[1] or 0),
            cached=int(row[2] or 0),
            failed=int(row[3] or 0),
            converted=int(row[4] or 0),
            seconds=float(row[5] or 0.0),
            input_bytes=int(row[6] or 0),
            output_bytes=int(row[7] or 0),
            trimmed_ms=int(row[8] or 0),
        )
