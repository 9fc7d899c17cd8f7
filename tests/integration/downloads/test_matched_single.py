"""Matched downloads of single files: organised, tagged, cover art, cleaned up.

Each file comes from the slskd simulator (real HTTP, real generated audio);
metadata comes from the Spotify simulator. Tags are read back with a fresh
mutagen object and the cover with FFmpeg's demuxer (PyAV), not with the code
that wrote them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import av
import mutagen
import pytest
from dl_helpers import find_share, tree

from soulsync.domain import Artist, JobState, SoulseekFile
from soulsync.sandbox.catalogue import SharedFile
from soulsync.services.downloads.service import DownloadService


def _has_attached_picture(path: Path) -> bool:
    """True if FFmpeg's demuxer (PyAV) sees an embedded cover picture."""
    with av.open(str(path)) as container:
        return any(s.disposition.attached_pic for s in container.streams.video)


def _vorbis_or_id3(path: Path) -> dict[str, list[str]]:
    """Tags as {lower-case key: values}, read by a fresh mutagen object (easy mode)."""
    audio = mutagen.File(path, easy=True)
    assert audio is not None and audio.tags is not None
    return {k.lower(): [str(v) for v in vals] for k, vals in audio.tags.items()}


CASES = [
    pytest.param(
        ("flacfan", "Discovery [FLAC]\\03. Digital Love"),
        "Daft Punk",
        "Daft Punk/Daft Punk - Discovery/03 Digital Love.flac",
        {
            "title": ["Digital Love"],
            "album": ["Discovery"],
            "tracknumber": ["3"],
            "tracktotal": ["5"],
        },
        id="album-track",
    ),
    pytest.param(
        ("flacfan", "1978 - September [FLAC]\\01. September"),
        "Earth, Wind & Fire",
        "Earth, Wind & Fire/Earth, Wind & Fire - September/September.flac",
        {"title": ["September"], "artist": ["Earth, Wind & Fire"]},
        id="one-track-single",
    ),
    pytest.param(
        ("flacfan", "Группа крови [FLAC]\\01. Группа крови"),
        "Кино",
        "Кино/Кино - Группа крови/01 Группа крови.flac",
        {"title": ["Группа крови"], "artist": ["Кино"], "album": ["Группа крови"]},
        id="non-latin",
    ),
    pytest.param(
        ("flacfan", "Chromatics Remix) [FLAC]\\01. Blinding Lights - Chromatics Remix"),
        "The Weeknd",
        "The Weeknd/The Weeknd - Blinding Lights - Chromatics Remix/Blinding Lights - Chromatics Remix.flac",
        {"artist": ["Chromatics"], "albumartist": ["The Weeknd"]},
        id="remix",
    ),
]


@pytest.mark.parametrize(("share", "artist", "relative", "expected_tags"), CASES)
async def test_matched_track_is_filed_tagged_and_cleaned_up(
    service: DownloadService,
    share_file: Callable[[SharedFile], SoulseekFile],
    share: tuple[str, str],
    artist: str,
    relative: str,
    expected_tags: dict[str, list[str]],
) -> None:
    file = share_file(find_share(*share))
    job_id = await service.enqueue_matched_track(file, Artist(artist))
    job = await service.wait_job(job_id, within_s=20)
    assert job.state is JobState.COMPLETED, job.error
    dest = service.settings.transfer_dir / relative
    assert job.destination == str(dest)
    assert dest.is_file()
    tags = _vorbis_or_id3(dest)
    for key, values in expected_tags.items():
        assert tags.get(key) == values, (key, tags)
    # Front cover embedded (FFmpeg sees an attached picture) and cover.jpg beside it.
    assert _has_attached_picture(dest)
    assert (dest.parent / "cover.jpg").is_file()
    # The original and its now-empty folder are gone; the transfer is cleared in slskd.
    assert not any(p.is_file() for p in service.settings.downloads_dir.rglob("*"))
    assert not any(service.settings.downloads_dir.iterdir())


async def test_remix_tags_remixer_first_and_original_artist_as_contributor(
    service: DownloadService, share_file: Callable[[SharedFile], SoulseekFile]
) -> None:
    share = find_share(
        "flacfan", "Chromatics Remix) [FLAC]\\01. Blinding Lights - Chromatics Remix"
    )
    job = await service.wait_job(
        await service.enqueue_matched_track(share_file(share), Artist("The Weeknd")), within_s=20
    )
    assert job.destination is not None
    raw = mutagen.File(job.destination)
    assert raw is not None
    assert raw["ARTIST"] == ["Chromatics"]
    assert raw["ARTISTS"] == ["Chromatics", "The Weeknd"]
    assert raw["REMIXER"] == ["Chromatics"]
    assert raw["ORIGINALARTIST"] == ["The Weeknd"]


async def test_the_same_file_twice_is_recognised_and_not_duplicated(
    service: DownloadService, share_file: Callable[[SharedFile], SoulseekFile]
) -> None:
    file = share_file(find_share("flacfan", "Discovery [FLAC]\\03. Digital Love"))
    first = await service.enqueue_matched_track(file, Artist("Daft Punk"))
    # Queued again while the first is unfinished: the same job, not a second download.
    assert await service.enqueue_matched_track(file, Artist("Daft Punk")) == first
    done = await service.wait_job(first, within_s=20)
    assert done.state is JobState.COMPLETED and done.result == "moved"
    # Downloaded again later (same recording in the filed-tracks record): not duplicated.
    again = await service.wait_job(
        await service.enqueue_matched_track(file, Artist("Daft Punk")), within_s=20
    )
    assert again.id != first
    assert again.state is JobState.COMPLETED and again.result == "duplicate_kept_existing"
    assert again.destination == done.destination
    assert tree(service.settings.transfer_dir) == {
        "Daft Punk/Daft Punk - Discovery/03 Digital Love.flac",
        "Daft Punk/Daft Punk - Discovery/cover.jpg",
    }
    assert tree(service.settings.downloads_dir) == set()


async def test_a_different_file_at_the_destination_is_never_overwritten(
    service: DownloadService, share_file: Callable[[SharedFile], SoulseekFile]
) -> None:
    folder = service.settings.transfer_dir / "Daft Punk" / "Daft Punk - Discovery"
    _write(folder / "03 Digital Love.flac", b"someone else's rip")
    file = share_file(find_share("flacfan", "Discovery [FLAC]\\03. Digital Love"))
    job = await service.wait_job(
        await service.enqueue_matched_track(file, Artist("Daft Punk")), within_s=20
    )
    assert job.state is JobState.COMPLETED, job.error
    assert job.destination == str(folder / "03 Digital Love (2).flac")
    assert _read(folder / "03 Digital Love.flac") == b"someone else's rip"


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _read(path: Path) -> bytes:
    return path.read_bytes()
