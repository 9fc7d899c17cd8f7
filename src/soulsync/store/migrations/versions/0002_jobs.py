"""Download queue: jobs (one row per file to fetch) and per-peer failure counters.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        # plain | matched_track | matched_album | playlist_track (domain.JobKind)
        sa.Column("kind", sa.String, nullable=False),
        sa.Column("batch_id", sa.String, nullable=True),
        # queued | searching | downloading | processing | completed | failed | cancelled
        sa.Column("state", sa.String, nullable=False),
        # Source file on Soulseek (null until a playlist-track search picked one).
        sa.Column("username", sa.String, nullable=True),
        sa.Column("filename", sa.Text, nullable=True),
        sa.Column("size", sa.Integer, nullable=True),
        sa.Column("file_json", sa.Text, nullable=True),  # full SoulseekFile
        # What the user asked for and what the engine chose (JSON).
        sa.Column("wanted_json", sa.Text, nullable=True),
        sa.Column("artist_json", sa.Text, nullable=True),
        sa.Column("album_json", sa.Text, nullable=True),
        sa.Column("track_json", sa.Text, nullable=True),
        sa.Column("candidates_json", sa.Text, nullable=True),
        sa.Column("candidate_index", sa.Integer, nullable=False, server_default="0"),
        # Progress of the transfer.
        sa.Column("bytes_done", sa.Integer, nullable=False, server_default="0"),
        sa.Column("percent", sa.Float, nullable=False, server_default="0"),
        sa.Column("speed", sa.Float, nullable=False, server_default="0"),
        # Retries and errors.
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.Float, nullable=True),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("result", sa.String, nullable=True),  # organised | plain | duplicate ...
        # slskd transfer and files on disk.
        sa.Column("transfer_id", sa.String, nullable=True),
        sa.Column("local_path", sa.Text, nullable=True),
        sa.Column("destination", sa.Text, nullable=True),
        # Timestamps (unix seconds).
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.Column("started_at", sa.Float, nullable=True),
        sa.Column("finished_at", sa.Float, nullable=True),
        sa.Column("cleared", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_index("ix_jobs_state", "jobs", ["state"])
    op.create_index("ix_jobs_batch_id", "jobs", ["batch_id"])
    op.create_index("ix_jobs_source", "jobs", ["username", "filename"])
    op.create_table(
        "peer_stats",
        sa.Column("username", sa.String, primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
        sa.Column("successes", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_failure_at", sa.Float, nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("peer_stats")
    op.drop_index("ix_jobs_source", "jobs")
    op.drop_index("ix_jobs_batch_id", "jobs")
    op.drop_index("ix_jobs_state", "jobs")
    op.drop_table("jobs")
