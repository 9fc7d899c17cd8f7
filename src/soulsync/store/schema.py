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

# -- download queue (migration 0002) ------------------------------------------------

jobs = sa.Table(
    "jobs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String, nullable=False),
    sa.Column("batch_id", sa.String, nullable=True, index=True),
    sa.Column("state", sa.String, nullable=False, index=True),
    sa.Column("username", sa.String, nullable=True),
    sa.Column("filename", sa.Text, nullable=True),
    sa.Column("size", sa.Integer, nullable=True),
    sa.Column("file_json", sa.Text, nullable=True),
    sa.Column("wanted_json", sa.Text, nullable=True),
    sa.Column("artist_json", sa.Text, nullable=True),
    sa.Column("album_json", sa.Text, nullable=True),
    sa.Column("track_json", sa.Text, nullable=True),
    sa.Column("candidates_json", sa.Text, nullable=True),
    sa.Column("candidate_index", sa.Integer, nullable=False, server_default="0"),
    sa.Column("bytes_done", sa.Integer, nullable=False, server_default="0"),
    sa.Column("percent", sa.Float, nullable=False, server_default="0"),
    sa.Column("speed", sa.Float, nullable=False, server_default="0"),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", sa.Float, nullable=True),
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("result", sa.String, nullable=True),
    sa.Column("transfer_id", sa.String, nullable=True),
    sa.Column("local_path", sa.Text, nullable=True),
    sa.Column("destination", sa.Text, nullable=True),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
    sa.Column("started_at", sa.Float, nullable=True),
    sa.Column("finished_at", sa.Float, nullable=True),
    sa.Column("cleared", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Index("ix_jobs_source", "username", "filename"),
)

peer_stats = sa.Table(
    "peer_stats",
    metadata,
    sa.Column("username", sa.String, primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
    sa.Column("successes", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_failure_at", sa.Float, nullable=True),
    sa.Column("last_error", sa.Text, nullable=True),
)
