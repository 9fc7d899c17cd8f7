"""A playlist sync with a processing profile: MP3 192 files with track and album gain.

The sandbox's MP3 shares are tiny 32 kbit/s files (whatever their listing
claims), and a lossy file is never transcoded upwards, so the queue is told
to take FLAC only: every filed file is then a real FLAC -> MP3 192 conversion.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from mutagen.mp3 import MP3

from soulsync.config import QualitySettings
from soulsync.config_processing import ProcessingSettings
from soulsync.library.process.gain_tags import read_gain
from soulsync.library.tags import read_tags
from soulsync.sandbox.catalogue import build_catalogue
from soulsync.services.downloads.service import DownloadService
from soulsync.services.downloads.slskd_port import SlskdPort
from soulsync.services.sync.models import RunState
from soulsync.store.processing_log import ProcessingLog

pytestmark = pytest.mark.slow

# Whole albums that a reliable peer shares as FLAC, none of them in the seeded library.
ALBUMS = ("unplugged", "ggbg")


def _check_tree(tracks: list[dict[str, Any]], library: Path, downloads: Path) -> int:
    """Every filed track is an organised MP3 192 with gains; albums share one album gain."""
    by_album: dict[str, list[Path]] = {}
    for t in tracks:
        path = Path(t["library_path"])
        assert path.suffix == ".mp3", path
        rel = path.relative_to(library)
        assert len(rel.parts) == 3 and rel.parts[1].startswith(rel.parts[0] + " - "), rel
        assert round(MP3(path).info.bitrate / 1000) == 192, path
        tags = read_tags(path)
        assert tags.title and tags.album and tags.track_number
        assert tags.cover is not None  # the release cover carried into the MP3
        by_album.setdefault(tags.album, []).append(path)
    for album, paths in by_album.items():
        gains = [read_gain(p) for p in paths]
        assert all(g.track_gain_db is not None and g.track_peak for g in gains), album
        shared = {(g.album_gain_db, g.album_peak) for g in gains}
        assert len(shared) == 1, (album, shared)
        album_gain, album_peak = shared.pop()
        assert album_gain is not None and album_peak is not None, album
        assert max(g.track_peak or 0.0 for g in gains) == album_peak
        track_gains = [g.track_gain_db or 0.0 for g in gains]
        assert min(track_gains) - 0.01 <= album_gain <= max(track_gains) + 0.01
    # Nothing left behind: no temporary or staged files, no downloaded FLAC.
    assert not list(library.rglob(".soulsync-*"))
    assert not list(downloads.rglob("*.flac"))
    return len(by_album)


async def test_sync_files_mp3_192_with_shared_album_gain(sandbox) -> None:  # type: ignore[no-untyped-def]
    # Restart the queue with the processing profile (as a new config would).
    await sandbox.sync.stop()
    await sandbox.queue.stop()
    settings = sandbox.settings.model_copy(
        update={
            "processing": ProcessingSettings(convert="mp3", bitrate_kbps=192, replaygain="album"),
            "quality": QualitySettings(profile=["flac"], allowed_formats=["flac"]),
        }
    )
    catalogue = build_catalogue()
    keys = [k for album in ALBUMS for k in catalogue.albums[album].track_keys]
    pid = sandbox.spotify_sim.add_playlist("Whole albums", keys)
    queue = DownloadService(
        sandbox.store,
        SlskdPort(sandbox.slskd_client, search_timeout_ms=1000),
        sandbox.spotify,
        sandbox.bus,
        settings,
        queue=sandbox.queue_settings,
        match=settings.match_settings(),
    )
    await queue.start()
    sync = sandbox.new_sync(queue)
    try:
        await sync.start()
        run = await sandbox.run(f"spotify:{pid}", service=sync, download_missing=True, within_s=300)
        tracks = sync.status(run.id)["tracks"]
    finally:
        await sync.stop()
        await queue.stop()
    assert run.state is RunState.COMPLETED, (run.error, run.message)
    assert (run.total, run.downloaded, run.failed) == (len(keys), len(keys), 0), [
        (t["status"], t.get("reason")) for t in tracks
    ]
    assert run.playlist_synced and run.in_server_playlist == len(keys)
    albums = _check_tree(tracks, sandbox.library_dir, settings.slskd_downloads_dir)
    assert albums == len(ALBUMS)
    stats = ProcessingLog(sandbox.store).stats()
    assert (stats.ok + stats.cached, stats.failed, stats.converted) == (len(keys), 0, len(keys))
