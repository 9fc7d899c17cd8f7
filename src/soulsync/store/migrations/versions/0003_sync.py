"""Playlist sync: followed playlists, match memory, run reports, wishlist.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_playlists",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("source", sa.String, nullable=False),  # spotify | deezer | file
        sa.Column("source_id", sa.String, nullable=False),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("owner", sa.String, nullable=True),
        sa.Column("selected", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("mode", sa.String, nullable=False, server_default="mirror"),  # | append
        sa.Column("snapshot_id", sa.String, nullable=True),
        # The last fetched entries, so the UI can show a playlist without a source call.
        sa.Column("entries_json", sa.Text, nullable=True),
        sa.Column("track_count", sa.Integer, nullable=False, server_default="0"),
        # Media-server playlist this one is mirrored to (server name + its id).
        sa.Column("server_name", sa.String, nullable=True),
        sa.Column("server_playlist_id", sa.String, nullable=True),
        sa.Column("last_run_id", sa.String, nullable=True),
        sa.Column("last_synced_at", sa.Float, nullable=True),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.UniqueConstraint("source", "source_id", name="uq_sync_playlists_source"),
    )
    op.create_table(
        "match_decisions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        # "spotify:<id>", "deezer:<id>", "isrc:<ISRC>" or a text key for file playlists.
        sa.Column("track_key", sa.String, nullable=False),
        sa.Column("isrc", sa.String, nullable=True),
        sa.Column("kind", sa.String, nullable=False),  # confirmed|corrected|owned|rejected
        sa.Column("library_id", sa.String, nullable=True),
        sa.Column("library_path", sa.Text, nullable=True),
        sa.Column("title", sa.String, nullable=True),
        sa.Column("artist", sa.String, nullable=True),
        sa.Column("decided_by", sa.String, nullable=False),  # user | sync
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
    )
    op.create_index("ix_match_decisions_track_key", "match_decisions", ["track_key"])
    op.create_index("ix_match_decisions_isrc", "match_decisions", ["isrc"])
    op.create_table(
        "sync_runs",
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("playlist_row_id", sa.Integer, nullable=True),
        sa.Column("playlist_name", sa.String, nullable=False),
        sa.Column("source", sa.String, nullable=False),
        sa.Column("source_id", sa.String, nullable=False),
        sa.Column("snapshot_id", sa.String, nullable=True),
        sa.Column("mode", sa.String, nullable=False),
        sa.Column("download_missing", sa.Boolean, nullable=False),
        sa.Column("dry_run", sa.Boolean, nullable=False),
        # pending|running|completed|failed|cancelled (see services.sync.RunState)
        sa.Column("state", sa.String, nullable=False),
        sa.Column("phase", sa.String, nullable=True),
        sa.Column("media_server", sa.String, nullable=True),
        sa.Column("server_reachable", sa.Boolean, nullable=True),
        sa.Column("started_at", sa.Float, nullable=False),
        sa.Column("finished_at", sa.Float, nullable=True),
        sa.Column("duration_s", sa.Float, nullable=True),
        sa.Column("total", sa.Integer, nullable=False, server_default="0"),
        sa.Column("owned", sa.Integer, nullable=False, server_default="0"),
        sa.Column("uncertain", sa.Integer, nullable=False, server_default="0"),
        sa.Column("missing", sa.Integer, nullable=False, server_default="0"),
        sa.Column("downloaded", sa.Integer, nullable=False, server_default="0"),
        sa.Column("wishlisted", sa.Integer, nullable=False, server_default="0"),
        sa.Column("failed", sa.Integer, nullable=False, server_default="0"),
        sa.Column("unavailable", sa.Integer, nullable=False, server_default="0"),
        sa.Column("in_server_playlist", sa.Integer, nullable=False, server_default="0"),
        sa.Column("playlist_synced", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("server_playlist_id", sa.String, nullable=True),
        sa.Column("message", sa.Text, nullable=True),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("resume_json", sa.Text, nullable=True),
    )
    op.create_index("ix_sync_runs_playlist_row_id", "sync_runs", ["playlist_row_id"])
    op.create_index("ix_sync_runs_state", "sync_runs", ["state"])
    op.create_index("ix_sync_runs_started_at", "sync_runs", ["started_at"])
    op.create_table(
        "sync_run_tracks",
        sa.Column("run_id", sa.String, primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("track_key", sa.String, nullable=True),
        sa.Column("title", sa.String, nullable=True),
        sa.Column("artist", sa.String, nullable=True),
        sa.Column("album", sa.String, nullable=True),
        sa.Column("isrc", sa.String, nullable=True),
        sa.Column("track_json", sa.Text, nullable=True),
        # owned|uncertain|missing|queued|downloaded|wishlisted|failed|unavailable|skipped
        sa.Column("status", sa.String, nullable=False),
        sa.Column("confidence", sa.Float, nullable=True),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("library_id", sa.String, nullable=True),
        sa.Column("library_path", sa.Text, nullable=True),
        sa.Column("job_id", sa.Integer, nullable=True),
        sa.Column("updated_at", sa.Float, nullable=False),
    )
    op.create_index("ix_sync_run_tracks_track_key", "sync_run_tracks", ["track_key"])
    op.create_table(
        "wishlist",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("track_key", sa.String, nullable=False, unique=True),
        sa.Column("isrc", sa.String, nullable=True),
        sa.Column("title", sa.String, nullable=False),
        sa.Column("artist", sa.String, nullable=False),
        sa.Column("track_json", sa.Text, nullable=False),
        sa.Column("playlist_ref", sa.String, nullable=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("queries_json", sa.Text, nullable=False, server_default="[]"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_attempt_at", sa.Float, nullable=True),
        sa.Column("next_retry_at", sa.Float, nullable=True),
        sa.Column("state", sa.String, nullable=False, server_default="waiting"),  # |queued|resolved
        sa.Column("job_id", sa.Integer, nullable=True),
        sa.Column("ignored", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.Column("resolved_at", sa.Float, nullable=True),
    )
    op.create_index("ix_wishlist_next_retry_at", "wishlist", ["next_retry_at"])


def downgrade() -> None:
    op.drop_index("ix_wishlist_next_retry_at", "wishlist")
    op.drop_table("wishlist")
    op.drop_index("ix_sync_run_tracks_track_key", "sync_run_tracks")
    op.drop_table("sync_run_tracks")
    op.drop_index("ix_sync_runs_started_at", "sync_runs")
    op.drop_index("ix_sync_runs_state", "sync_runs")
    op.drop_index("ix_sync_runs_playlist_row_id", "sync_runs")
    op.drop_table("sync_runs")
    op.drop_index("ix_match_decisions_isrc", "match_decisions")
    op.drop_index("ix_match_decisions_track_key", "match_decisions")
    op.drop_table("match_decisions")
    op.drop_table("sync_playlists")
