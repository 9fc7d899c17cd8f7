"""Exactly once under crashes and parallel runs: the record of filed tracks and friends.

* ``filed_tracks``: SoulSync's own record of every file it filed (path, service
  ids, ISRC, duration, quality), written in the same transaction that completes
  the job, so a crash right after filing never leads to a second download;
* ``jobs.wanted_key`` / ``jobs.wanted_isrc`` with a partial unique index: one
  live-or-completed playlist-track job per recording, enforced by SQLite for
  every process on the database (not a read followed by an insert);
* ``sync_runs.owner`` / ``heartbeat_at``: which process runs a sync, so a
  restart can tell its own interrupted run from one another process works on;
* ``sync_playlists.server_playlist_intent``: a media-server playlist being
  created (recorded before the create call, so a resumed run finds it);
* ``slskd_searches``: the search pacer's sliding window, shared by processes
  and kept across restarts;
* ``bad_files``: (peer, file) pairs whose download failed verification.

Revision ID: crash_0004
Revises: 0006_mediasrv_automation
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "crash_0004"
down_revision = "0006_mediasrv_automation"
branch_labels = None
depends_on = None

# Jobs that still stand for their recording: live ones and completed ones.
_LIVE_OR_DONE = "wanted_key IS NOT NULL AND state NOT IN ('failed', 'cancelled')"


def upgrade() -> None:
    op.create_table(
        "filed_tracks",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("path", sa.Text, nullable=False, unique=True),
        sa.Column("track_key", sa.String, nullable=True, index=True),
        sa.Column("spotify_id", sa.String, nullable=True, index=True),
        sa.Column("deezer_id", sa.String, nullable=True, index=True),
        sa.Column("isrc", sa.String, nullable=True, index=True),
        sa.Column("title", sa.String, nullable=False),
        sa.Column("artist", sa.String, nullable=False),
        sa.Column("album", sa.String, nullable=True),
        sa.Column("duration_ms", sa.Integer, nullable=True),
        sa.Column("quality_rank", sa.Integer, nullable=True),
        sa.Column("quality", sa.String, nullable=True),
        sa.Column("size", sa.Integer, nullable=True),
        sa.Column("job_id", sa.Integer, nullable=True),
        sa.Column("filed_at", sa.Float, nullable=False),
    )
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("wanted_key", sa.String, nullable=True))
        batch.add_column(sa.Column("wanted_isrc", sa.String, nullable=True))
    op.create_index(
        "uq_jobs_wanted_live",
        "jobs",
        ["wanted_key"],
        unique=True,
        sqlite_where=sa.text(_LIVE_OR_DONE),
    )
    op.create_index("ix_jobs_wanted_isrc", "jobs", ["wanted_isrc"])
    with op.batch_alter_table("sync_runs") as batch:
        batch.add_column(sa.Column("owner", sa.String, nullable=True))
        batch.add_column(sa.Column("heartbeat_at", sa.Float, nullable=True))
    with op.batch_alter_table("sync_playlists") as batch:
        batch.add_column(sa.Column("server_playlist_intent", sa.Text, nullable=True))
    op.create_table(
        "slskd_searches",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.Float, nullable=False, index=True),
    )
    op.create_table(
        "bad_files",
        sa.Column("username", sa.String, primary_key=True),
        sa.Column("filename", sa.Text, primary_key=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("at", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("bad_files")
    op.drop_table("slskd_searches")
    with op.batch_alter_table("sync_playlists") as batch:
        batch.drop_column("server_playlist_intent")
    with op.batch_alter_table("sync_runs") as batch:
        batch.drop_column("heartbeat_at")
        batch.drop_column("owner")
    op.drop_index("ix_jobs_wanted_isrc", "jobs")
    op.drop_index("uq_jobs_wanted_live", "jobs")
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("wanted_isrc")
        batch.drop_column("wanted_key")
    op.drop_table("filed_tracks")
