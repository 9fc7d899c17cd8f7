"""The ``Store``: engine setup, migrations, and small key/value and cache helpers."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

from soulsync.store import schema

_MIGRATIONS = Path(__file__).with_name("migrations")


class StoreError(RuntimeError):
    """The database could not be opened or migrated; the message says why."""


def _alembic_config() -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    return cfg


class Store:
    """A SQLite database with the SoulSync schema, migrated to the newest revision."""

    def __init__(self, path: Path | str, *, migrate: bool = True) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"cannot create the database folder {self.path.parent}: {exc}"
            ) from exc
        self.engine: Engine = sa.create_engine(
            f"sqlite:///{self.path}",
            connect_args={"timeout": 30, "check_same_thread": False},
        )
        sa.event.listen(self.engine, "connect", _on_connect)
        self._write_lock = threading.Lock()
        if migrate:
            self.migrate()
        # The database may hold tokens: keep it private to the user.
        for candidate in (self.path, Path(f"{self.path}-wal"), Path(f"{self.path}-shm")):
            if candidate.exists():
                os.chmod(candidate, 0o600)

    # -- lifecycle -----------------------------------------------------------------

    def migrate(self) -> None:
        """Bring the schema to the newest Alembic revision."""
        cfg = _alembic_config()
        try:
            with self.engine.begin() as conn:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
        except sa.exc.DatabaseError as exc:
            raise StoreError(f"cannot open or migrate the database {self.path}: {exc}") from exc

    def current_revision(self) -> str | None:
        """The schema revision the database is at."""
        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    @staticmethod
    def head_revision() -> str | None:
        """The newest revision the code knows about."""
        return ScriptDirectory.from_config(_alembic_config()).get_current_head()

    def close(self) -> None:
        """Release every pooled connection."""
        self.engine.dispose()

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction. Writers are serialised in-process to avoid SQLITE_BUSY."""
        with self._write_lock, self.engine.begin() as conn:
            yield conn

    @contextmanager
    def immediate(self) -> Iterator[Connection]:
        """A write transaction that takes SQLite's write lock at once (``BEGIN IMMEDIATE``).

        For "read, decide, write" steps that must be atomic across processes:
        no other process can write between the read and the write.
        """
        with self._write_lock, self.engine.connect() as conn:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.rollback()
                raise
            conn.commit()

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only connection."""
        with self.engine.connect() as conn:
            yield conn

    # -- settings (JSON values) ----------------------------------------------------

    def get_setting(self, key: str, default: Any = None) -> Any:
        """A stored setting decoded from JSON, or ``default``."""
        with self.read() as conn:
            row = conn.execute(
                sa.select(schema.settings.c.value).where(schema.settings.c.key == key)
            ).first()
        return json.loads(row[0]) if row else default

    def set_setting(self, key: str, value: Any) -> None:
        """Store a JSON-serialisable setting, replacing any previous value."""
        payload = json.dumps(value)
        with self.write() as conn:
            conn.execute(sa.delete(schema.settings).where(schema.settings.c.key == key))
            conn.execute(
                sa.insert(schema.settings).values(key=key, value=payload, updated_at=time.time())
            )

    def delete_setting(self, key: str) -> None:
        """Remove a setting if present."""
        with self.write() as conn:
            conn.execute(sa.delete(schema.settings).where(schema.settings.c.key == key))

    # -- response cache ------------------------------------------------------------

    def cache_get(self, namespace: str, key: str) -> str | None:
        """A cached value that has not expired, or None."""
        table = schema.http_cache
        with self.read() as conn:
            row = conn.execute(
                sa.select(table.c.value, table.c.expires_at).where(
                    table.c.namespace == namespace, table.c.key == key
                )
            ).first()
        if row is None:
            return None
        if row.expires_at is not None and row.expires_at < time.time():
            return None
        return str(row.value)

    def cache_put(self, namespace: str, key: str, value: str, ttl_s: float | None) -> None:
        """Cache ``value``; ``ttl_s`` None keeps it until replaced."""
        table = schema.http_cache
        now = time.time()
        expires = now + ttl_s if ttl_s is not None else None
        with self.write() as conn:
            conn.execute(sa.delete(table).where(table.c.namespace == namespace, table.c.key == key))
            conn.execute(
                sa.insert(table).values(
                    namespace=namespace, key=key, value=value, created_at=now, expires_at=expires
                )
            )

    def cache_purge_expired(self) -> int:
        """Delete expired cache rows; returns how many were removed."""
        table = schema.http_cache
        with self.write() as conn:
            result = conn.execute(
                sa.delete(table).where(
                    table.c.expires_at.is_not(None), table.c.expires_at < time.time()
                )
            )
        return int(result.rowcount or 0)

    # -- activity feed ---------------------------------------------------------------

    def add_activity(self, kind: str, message: str, data: dict[str, Any] | None = None) -> None:
        """Append an entry to the recent-activity feed."""
        with self.write() as conn:
            conn.execute(
                sa.insert(schema.activity).values(
                    at=time.time(),
                    kind=kind,
                    message=message,
                    data=json.dumps(data) if data is not None else None,
                )
            )

    def recent_activity(self, limit: int = 50) -> list[dict[str, Any]]:
        """The newest activity entries first."""
        table = schema.activity
        with self.read() as conn:
            rows = conn.execute(
                sa.select(table).order_by(table.c.at.desc(), table.c.id.desc()).limit(limit)
            ).all()
        return [
            {
                "id": r.id,
                "at": r.at,
                "kind": r.kind,
                "message": r.message,
                "data": json.loads(r.data) if r.data else None,
            }
            for r in rows
        ]


def _on_connect(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
