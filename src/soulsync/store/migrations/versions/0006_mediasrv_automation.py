"""Automation: per-playlist sync schedules, watched artists and the releases they brought.

Revision ID: 0006_mediasrv_automation
Revises: p0004_processing
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_mediasrv_automation"
down_revision = "p0004_processing"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_schedules",
        sa.Column(
            "playlist_id",
            sa.Integer,
            sa.ForeignKey("sync_playlists.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("every_hours", sa.Float, nullable=True),
        sa.Column("daily_at", sa.String, nullable=True),
        sa.Column("download_missing", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("enabled", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("next_run_at", sa.Float, nullable=True),
        sa.Column("last_run_at", sa.Float, nullable=True),
        sa.Column("last_run_id", sa.String, nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
    )
    op.create_index("ix_sync_schedules_next_run_at", "sync_schedules", ["next_run_at"])
    op.create_table(
        "artist_watches",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("artist_ref", sa.String, nullable=False, unique=True),
        sa.Column("artist_name", sa.String, nullable=False),
        sa.Column("since", sa.String, nullable=False),
        sa.Column("types", sa.String, nullable=False),
        sa.Column("include_live", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("action", sa.String, nullable=False, server_default="wishlist"),
        sa.Column("last_checked_at", sa.Float, nullable=True),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_table(
        "watch_releases",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "watch_id",
            sa.Integer,
            sa.ForeignKey("artist_watches.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("release_ref", sa.String, nullable=False),
        sa.Column("release_key", sa.String, nullable=False),
        sa.Column("title", sa.String, nullable=False),
        sa.Column("album_type", sa.String, nullable=False),
        sa.Column("release_date", sa.String, nullable=True),
        sa.Column("outcome", sa.String, nullable=False),
        sa.Column("tracks", sa.Integer, nullable=False, server_default="0"),
        sa.Column("seen_at", sa.Float, nullable=False),
        sa.UniqueConstraint("watch_id", "release_key", name="uq_watch_releases_key"),
    )


def downgrade() -> None:
    op.drop_table("watch_releases")
    op.drop_table("artist_watches")
    op.drop_index("ix_sync_schedules_next_run_at", table_name="sync_schedules")
    op.drop_table("sync_schedules")
