"""Audio processing: one record per processed file.

Revision ID: p0004_processing
Revises: 0004_matching_release_types
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "p0004_processing"
down_revision = "0004_matching_release_types"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "processing",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.Float, nullable=False),
        sa.Column("job_id", sa.Integer, nullable=True),
        sa.Column("source", sa.String, nullable=False),  # soulseek | youtube | local
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("output", sa.Text, nullable=True),
        sa.Column("outcome", sa.String, nullable=False),  # ok | cached | failed
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("input_format", sa.String, nullable=True),
        sa.Column("input_bitrate", sa.Integer, nullable=True),
        sa.Column("output_format", sa.String, nullable=True),
        sa.Column("output_bitrate", sa.Integer, nullable=True),
        sa.Column("integrated_lufs", sa.Float, nullable=True),
        sa.Column("track_gain_db", sa.Float, nullable=True),
        sa.Column("track_peak", sa.Float, nullable=True),
        sa.Column("album_gain_db", sa.Float, nullable=True),
        sa.Column("trimmed_ms", sa.Integer, nullable=True),
        sa.Column("normalized_db", sa.Float, nullable=True),
        sa.Column("seconds", sa.Float, nullable=True),
        sa.Column("input_bytes", sa.Integer, nullable=True),
        sa.Column("output_bytes", sa.Integer, nullable=True),
        sa.Column("quality", sa.String, nullable=True),  # e.g. "mp3 192k", "keep"
    )
    op.create_index("ix_processing_at", "processing", ["at"])
    op.create_index("ix_processing_output", "processing", ["output"])


def downgrade() -> None:
    op.drop_index("ix_processing_output", table_name="processing")
    op.drop_index("ix_processing_at", table_name="processing")
    op.drop_table("processing")
