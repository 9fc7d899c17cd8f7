"""SQLite store: one database file, WAL mode, Alembic migrations at open.

``Store`` is the only object the rest of the code needs. It is thread-safe
(SQLAlchemy pools connections per thread) and cheap to share. Services that
need their own tables query them through ``store.engine`` with the table
objects from ``soulsync.store.schema``.
"""

from __future__ import annotations

from soulsync.store.db import Store, StoreError

__all__ = ["Store", "StoreError"]
