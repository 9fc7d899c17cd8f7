"""Table definitions (SQLAlchemy Core).

The schema itself is created and changed only by the Alembic migrations in
``migrations/versions``; these definitions are what the code queries with and
must stay in step with the newest migration (a unit test checks that).
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

settings = sa.Table(
    "settings",
    metadata,
    sa.Column("key", sa.String, primary_key=True),
    sa.Column("value", sa.Text, nullable=False),  # JSON
    sa.Column("updated_at", sa.Float, nullable=False),
)

http_cache = sa.Table(
    "http_cache",
    metadata,
    sa.Column("namespace", sa.String, primary_key=True),
    sa.Column("key", sa.String, primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("expires_at", sa.Float, nullable=True),
)

activity = sa.Table(
    "activity",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.Float, nullable=False, index=True),
    sa.Column("kind", sa.String, nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("data", sa.Text, nullable=True),  # JSON
)

library_tracks = sa.Table(
    "library_tracks",
    metadata,
    sa.Column("path", sa.String, primary_key=True),
    sa.Column("title", sa.String, nullable=False),
    sa.Column("artist", sa.String, nullable=False),
    sa.Column("album", sa.String, nullable=True),
    sa.Column("album_artist", sa.String, nullable=True),
    sa.Column("track_number", sa.Integer, nullable=True),
    sa.Column("disc_number", sa.Integer, nullable=True),
    sa.Column("duration_ms", sa.Integer, nullable=True),
    sa.Column("isrc", sa.String, nullable=True),
    sa.Column("year", sa.Integer, nullable=True),
    sa.Column("mtime", sa.Float, nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
)
