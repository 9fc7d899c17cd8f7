"""Alembic environment: runs migrations on the connection the Store hands in."""

from __future__ import annotations

from alembic import context

from soulsync.store.schema import metadata

target_metadata = metadata
connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only when run by the alembic CLI
    raise RuntimeError("run migrations through soulsync.store.Store, not the alembic CLI")
context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
