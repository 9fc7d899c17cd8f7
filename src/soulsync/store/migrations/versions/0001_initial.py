"""Initial tables: settings, HTTP cache, activity feed, folder library.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "settings",
        sa.Column("key", sa.String, primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
    )
    op.create_table(
        "http_cache",
        sa.Column("namespace", sa.String, primary_key=True),
        sa.Column("key", sa.String, primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("expires_at", sa.Float, nullable=True),
    )
    op.create_table(
        "activity",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.Float, nullable=False),
        sa.Column("kind", sa.String, nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("data", sa.Text, nullable=True),
    )
    op.create_index("ix_activity_at", "activity", ["at"])
    op.create_table(
        "library_tracks",
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


def downgrade() -> None:
    op.drop_table("library_tracks")
    op.drop_index("ix_activity_at", "activity")
    op.drop_table("activity")
    op.drop_table("http_cache")
    op.drop_table("settings")
