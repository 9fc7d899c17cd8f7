"""Matched downloads of single files: organised, tagged, cover art, cleaned up."""

from __future__ import annotations

from collections.abc import Callable

import mutagen
from dl_helpers import find_share

from soulsync.domain import Artist, JobState, SoulseekFile
from soulsync.sandbox.catalogue import SharedFile
from soulsync.sandbox.slskd import SlskdSimulator
from soulsync.services.downloads import DownloadService


async def test_album_track_is_filed_tagged_and_cleaned_up(
    service: DownloadService,
    sim: SlskdSimulator,
    share_file: Callable[[SharedFile], SoulseekFile],
) -> None:
    file = share_file(find_share("flacfan", "Discovery [FLAC]\\03. Digital Love"))
    job_id = await service.enqueue_matched_track(file, Artist("Daft Punk"))
    job = await service.wait_job(job_id, within_s=20)
    assert job.state is JobState.COMPLETED, job.error
    transfer = service.settings.transfer_dir
    dest = transfer / "Daft Punk" / "Daft Punk - Discovery" / "03 Digital Love.flac"
    assert job.destination == str(dest)
    assert dest.is_file()
    tags = mutagen.File(dest)
    assert tags["title"] == ["Digital Love"]
    assert tags["album"] == ["Discovery"]
    assert tags["tracknumber"] == ["3"]
    assert tags.pictures and tags.pictures[0].type == 3
    assert (dest.parent / "cover.jpg").is_file()
    # The original and its folder are gone from the downloads folder.
    assert not any(service.settings.downloads_dir.rglob("*.flac"))
