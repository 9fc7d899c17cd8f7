"""Release types known from metadata services (issue 17: live albums without "live").

Revision ID: 0004_matching_release_types
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_matching_release_types"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "release_types",
        # Matching keys (ascii, lower case) of the artist and album asked about.
        sa.Column("artist_key", sa.String, primary_key=True),
        sa.Column("album_key", sa.String, primary_key=True),
        # JSON list in MusicBrainz wording (["Album", "Live"]); [] = looked up, unknown.
        sa.Column("types_json", sa.Text, nullable=False),
        sa.Column("source", sa.String, nullable=False),  # musicbrainz | spotify | deezer | none
        sa.Column("release_group_id", sa.String, nullable=True),
        sa.Column("fetched_at", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("release_types")
