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
    # The recording a playlist-track job stands for (migration crash_0004).
    sa.Column("wanted_key", sa.String, nullable=True),
    sa.Column("wanted_isrc", sa.String, nullable=True),
    sa.Index("ix_jobs_source", "username", "filename"),
    sa.Index(
        "uq_jobs_wanted_live",
        "wanted_key",
        unique=True,
        sqlite_where=sa.text("wanted_key IS NOT NULL AND state NOT IN ('failed', 'cancelled')"),
    ),
    sa.Index("ix_jobs_wanted_isrc", "wanted_isrc"),
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

# -- playlist sync, match memory, run reports, wishlist (migration 0003) ------------

# Playlists the user follows or selected for sync, with the media-server playlist
# they are mirrored to (found again by its stored id, never by name alone).
sync_playlists = sa.Table(
    "sync_playlists",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("source", sa.String, nullable=False),
    sa.Column("source_id", sa.String, nullable=False),
    sa.Column("name", sa.String, nullable=False),
    sa.Column("owner", sa.String, nullable=True),
    sa.Column("selected", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("mode", sa.String, nullable=False, server_default="mirror"),
    sa.Column("snapshot_id", sa.String, nullable=True),
    sa.Column("entries_json", sa.Text, nullable=True),
    sa.Column("track_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("server_name", sa.String, nullable=True),
    sa.Column("server_playlist_id", sa.String, nullable=True),
    # A server playlist being created: {"title", "marker", "at"} (migration crash_0004).
    sa.Column("server_playlist_intent", sa.Text, nullable=True),
    sa.Column("last_run_id", sa.String, nullable=True),
    sa.Column("last_synced_at", sa.Float, nullable=True),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
    sa.UniqueConstraint("source", "source_id", name="uq_sync_playlists_source"),
)

# What was decided about a source track: confirmed/corrected by the user,
# "owned" (matched or downloaded once, so never fetched again), or "rejected"
# (this library track is NOT that song).
match_decisions = sa.Table(
    "match_decisions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("track_key", sa.String, nullable=False, index=True),
    sa.Column("isrc", sa.String, nullable=True, index=True),
    sa.Column("kind", sa.String, nullable=False),
    sa.Column("library_id", sa.String, nullable=True),
    sa.Column("library_path", sa.Text, nullable=True),
    sa.Column("title", sa.String, nullable=True),
    sa.Column("artist", sa.String, nullable=True),
    sa.Column("decided_by", sa.String, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
)

sync_runs = sa.Table(
    "sync_runs",
    metadata,
    sa.Column("id", sa.String, primary_key=True),
    sa.Column("playlist_row_id", sa.Integer, nullable=True, index=True),
    sa.Column("playlist_name", sa.String, nullable=False),
    sa.Column("source", sa.String, nullable=False),
    sa.Column("source_id", sa.String, nullable=False),
    sa.Column("snapshot_id", sa.String, nullable=True),
    sa.Column("mode", sa.String, nullable=False),
    sa.Column("download_missing", sa.Boolean, nullable=False),
    sa.Column("dry_run", sa.Boolean, nullable=False),
    sa.Column("state", sa.String, nullable=False, index=True),
    sa.Column("phase", sa.String, nullable=True),
    sa.Column("media_server", sa.String, nullable=True),
    sa.Column("server_reachable", sa.Boolean, nullable=True),
    sa.Column("started_at", sa.Float, nullable=False, index=True),
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
    # host:pid:nonce of the process running it, and its last sign of life.
    sa.Column("owner", sa.String, nullable=True),
    sa.Column("heartbeat_at", sa.Float, nullable=True),
)

sync_run_tracks = sa.Table(
    "sync_run_tracks",
    metadata,
    sa.Column("run_id", sa.String, primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("track_key", sa.String, nullable=True, index=True),
    sa.Column("title", sa.String, nullable=True),
    sa.Column("artist", sa.String, nullable=True),
    sa.Column("album", sa.String, nullable=True),
    sa.Column("isrc", sa.String, nullable=True),
    sa.Column("track_json", sa.Text, nullable=True),
    sa.Column("status", sa.String, nullable=False),
    sa.Column("confidence", sa.Float, nullable=True),
    sa.Column("reason", sa.Text, nullable=True),
    sa.Column("library_id", sa.String, nullable=True),
    sa.Column("library_path", sa.Text, nullable=True),
    sa.Column("job_id", sa.Integer, nullable=True),
    sa.Column("updated_at", sa.Float, nullable=False),
)

wishlist = sa.Table(
    "wishlist",
    metadata,
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
    sa.Column("next_retry_at", sa.Float, nullable=True, index=True),
    sa.Column("state", sa.String, nullable=False, server_default="waiting"),
    sa.Column("job_id", sa.Integer, nullable=True),
    sa.Column("ignored", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
    sa.Column("resolved_at", sa.Float, nullable=True),
)

# Release types from metadata services, keyed by matching keys (migration
# 0004_matching_release_types).
release_types = sa.Table(
    "release_types",
    metadata,
    sa.Column("artist_key", sa.String, primary_key=True),
    sa.Column("album_key", sa.String, primary_key=True),
    sa.Column("types_json", sa.Text, nullable=False),
    sa.Column("source", sa.String, nullable=False),
    sa.Column("release_group_id", sa.String, nullable=True),
    sa.Column("fetched_at", sa.Float, nullable=False),
)


# -- audio processing (migration p0004_processing) ------------------------------------------

processing = sa.Table(
    "processing",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.Float, nullable=False, index=True),
    sa.Column("job_id", sa.Integer, nullable=True),
    sa.Column("source", sa.String, nullable=False),
    sa.Column("path", sa.Text, nullable=False),
    sa.Column("output", sa.Text, nullable=True, index=True),
    sa.Column("outcome", sa.String, nullable=False),
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
    sa.Column("quality", sa.String, nullable=True),
)


# -- automation (migration 0006_mediasrv_automation) ----------------------------------------

sync_schedules = sa.Table(
    "sync_schedules",
    metadata,
    sa.Column(
        "playlist_id",
        sa.Integer,
        sa.ForeignKey("sync_playlists.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("every_hours", sa.Float, nullable=True),
    sa.Column("daily_at", sa.String, nullable=True),  # "HH:MM", local time
    sa.Column("download_missing", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("enabled", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("next_run_at", sa.Float, nullable=True, index=True),
    sa.Column("last_run_at", sa.Float, nullable=True),
    sa.Column("last_run_id", sa.String, nullable=True),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
)

artist_watches = sa.Table(
    "artist_watches",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("artist_ref", sa.String, nullable=False, unique=True),  # spotify:ID | deezer:ID
    sa.Column("artist_name", sa.String, nullable=False),
    sa.Column("since", sa.String, nullable=False),  # "YYYY-MM-DD": releases after this count
    sa.Column("types", sa.String, nullable=False),  # comma-separated album types
    sa.Column("include_live", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("action", sa.String, nullable=False, server_default="wishlist"),  # | download
    sa.Column("last_checked_at", sa.Float, nullable=True),
    sa.Column("created_at", sa.Float, nullable=False),
)

watch_releases = sa.Table(
    "watch_releases",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "watch_id",
        sa.Integer,
        sa.ForeignKey("artist_watches.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("release_ref", sa.String, nullable=False),
    sa.Column("release_key", sa.String, nullable=False),  # normalised title + type
    sa.Column("title", sa.String, nullable=False),
    sa.Column("album_type", sa.String, nullable=False),
    sa.Column("release_date", sa.String, nullable=True),
    sa.Column("outcome", sa.String, nullable=False),  # wishlisted | queued | failed
    sa.Column("tracks", sa.Integer, nullable=False, server_default="0"),
    sa.Column("seen_at", sa.Float, nullable=False),
    sa.UniqueConstraint("watch_id", "release_key", name="uq_watch_releases_key"),
)


# -- exactly once under crashes (migration crash_0004) -------------------------------

# SoulSync's own record of the files it filed, written in the transaction that
# completes the job: the recording identity checked before any download.
filed_tracks = sa.Table(
    "filed_tracks",
    metadata,
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

# Every Soulseek search sent, for the pacer's sliding window across processes.
slskd_searches = sa.Table(
    "slskd_searches",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.Float, nullable=False, index=True),
)

# (peer, file) pairs whose download failed verification: never picked again.
bad_files = sa.Table(
    "bad_files",
    metadata,
    sa.Column("username", sa.String, primary_key=True),
    sa.Column("filename", sa.Text, primary_key=True),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("at", sa.Float, nullable=False),
)
