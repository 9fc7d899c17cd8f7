"""One process at a time edits a playlist's server copy.

Two syncs of one playlist (two CLIs, or a CLI and ``soulsync serve``) both
read the server playlist, plan their changes and write them: their additions
land twice (a 30-track playlist became 50 items). Mirroring takes a lock row
in ``settings`` (checked and taken in one ``BEGIN IMMEDIATE`` transaction, with
an expiry so a killed process cannot hold it for ever); the second process
waits, then reads the playlist the first one wrote.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import sqlalchemy as sa

from soulsync.store import Store, schema

__all__ = ["mirror_lock"]

_TTL_S = 120.0


def _try_take(store: Store, key: str, owner: str) -> bool:
    t = schema.settings
    now = time.time()
    with store.immediate() as conn:
        row = conn.execute(sa.select(t.c.value).where(t.c.key == key)).first()
        if row is not None:
            held = json.loads(row.value)
            if held.get("owner") != owner and float(held.get("until", 0)) > now:
                return False
            conn.execute(sa.delete(t).where(t.c.key == key))
        value = json.dumps({"owner": owner, "until": now + _TTL_S})
        conn.execute(sa.insert(t).values(key=key, value=value, updated_at=now))
    return True


def _release(store: Store, key: str, owner: str) -> None:
    t = schema.settings
    with store.immediate() as conn:
        row = conn.execute(sa.select(t.c.value).where(t.c.key == key)).first()
        if row is not None and json.loads(row.value).get("owner") == owner:
            conn.execute(sa.delete(t).where(t.c.key == key))


@asynccontextmanager
async def mirror_lock(
    store: Store, playlist_row_id: int, owner: str, *, wait_s: float = _TTL_S
) -> AsyncIterator[None]:
    """Hold the mirror lock of one playlist (waits up to ``wait_s`` for another holder)."""
    key = f"sync.mirror_lock.{playlist_row_id}"
    deadline = time.monotonic() + wait_s
    while not await asyncio.to_thread(_try_take, store, key, owner):
        if time.monotonic() > deadline:
            break  # the holder is stuck; go on rather than never mirroring
        await asyncio.sleep(0.2)
    try:
        yield
    finally:
        await asyncio.to_thread(_release, store, key, owner)
