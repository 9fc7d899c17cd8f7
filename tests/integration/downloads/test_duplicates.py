"""Issue 15 item 1: one file per recording, whatever order the downloads come in.

A matched album download, then a playlist download of the same track from
another peer, filed ``03 Digital Love (2).flac`` beside ``03 Digital Love.flac``.
Now every filed track is registered in SoulSync's own record (path, Spotify id,
ISRC, duration, quality) as its job completes; a second copy of the recording
is compared by the quality profile: the worse one is removed, never numbered.
"""

from __future__ import annotations

from collections.abc import Callable

import mutagen
from dl_helpers import find_share, tree

from soulsync.domain import Artist, JobState, SoulseekFile
from soulsync.sandbox.catalogue import SharedFile
from soulsync.services.downloads.service import DownloadService
from soulsync.services.filed import FiledTracks

DEST = "Daft Punk/Daft Punk - Discovery/03 Digital Love.flac"


async def test_second_copy_of_a_recording_is_dropped_or_replaces_the_worse_one(
    service: DownloadService, share_file: Callable[[SharedFile], SoulseekFile]
) -> None:
    transfer = service.settings.transfer_dir
    album_rip = share_file(find_share("flacfan", "Discovery [FLAC]\\03. Digital Love"))
    first = await service.wait_job(
        await service.enqueue_matched_track(album_rip, Artist("Daft Punk")), within_s=30
    )
    assert first.state is JobState.COMPLETED, first.error
    assert first.track is not None and first.track.ids.get("spotify")
    record = FiledTracks(service.store).find(first.track)
    # Registered at once, with the recording's identity and the file's quality.
    assert record is not None and record.path == str(transfer / DEST)
    assert record.spotify_id == first.track.ids["spotify"] and record.quality == "flac 16"
    assert record.job_id == first.id

    # "Download missing tracks" on a playlist sharing the track: a 16-bit FLAC again.
    again = await service.wait_job(
        await service.enqueue_playlist_track(first.track, candidates=[album_rip]), within_s=60
    )
    assert again.state is JobState.COMPLETED, again.error
    assert again.result == "duplicate_kept_existing"
    assert again.destination == str(transfer / DEST)
    assert tree(transfer) == {DEST, "Daft Punk/Daft Punk - Discovery/cover.jpg"}
    assert tree(service.settings.downloads_dir) == set()

    # A 24-bit copy is better by the quality profile: it takes the name, atomically.
    hires = share_file(find_share("hires_hoarder", "03 - Daft Punk - Digital Love"))
    better = await service.wait_job(
        await service.enqueue_matched_track(hires, Artist("Daft Punk")), within_s=60
    )
    assert better.state is JobState.COMPLETED, better.error
    assert better.result == "replaced_worse_copy"
    assert better.destination == str(transfer / DEST)
    assert tree(transfer) == {DEST, "Daft Punk/Daft Punk - Discovery/cover.jpg"}
    info = mutagen.File(transfer / DEST).info  # read back by mutagen, not our code
    assert info.bits_per_sample == 24
    rows = FiledTracks(service.store).all()
    assert [(r.path, r.quality, r.job_id) for r in rows] == [
        (str(transfer / DEST), "flac 24", better.id)
    ]
