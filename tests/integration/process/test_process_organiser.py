"""The processing step inside the Organiser: convert before filing, gains on the move, album gain."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from mutagen.mp3 import MP3

sys.path.insert(0, str(Path(__file__).parents[2] / "unit" / "process"))
from process_signals import music_like, write_audio

from soulsync.domain import Album, Track
from soulsync.library.process.cache import ProcessCache
from soulsync.library.process.gain_tags import read_gain
from soulsync.library.process.profile import Profile
from soulsync.library.safe_move import MoveError
from soulsync.library.tags import read_tags
from soulsync.services.matched import Organiser, Resolution
from soulsync.services.processing import STAGING_DIR, ProcessingStep
from soulsync.store import Store
from soulsync.store.processing_log import ProcessingLog

TITLES = ("First", "Second", "Third")


def _album() -> Album:
    tracks = tuple(
        Track(
            t,
            ("The Band",),
            album="Record",
            album_artists=("The Band",),
            track_number=i + 1,
            duration_ms=5000,
        )
        for i, t in enumerate(TITLES)
    )
    return Album(
        "Record", ("The Band",), total_tracks=3, total_discs=1, release_date="2020", tracks=tracks
    )


@pytest.fixture()
def setup(tmp_path: Path, store: Store) -> tuple[Organiser, Path, Path, ProcessingLog]:
    downloads, transfer = tmp_path / "downloads", tmp_path / "Transfer"
    (downloads / "peer" / "Record").mkdir(parents=True)
    transfer.mkdir()
    records = ProcessingLog(store)
    step = ProcessingStep(
        Profile(convert="mp3", bitrate_kbps=192, replaygain="album"),
        staging_root=downloads,
        library_root=transfer,
        cache=ProcessCache(tmp_path / "cache"),
        records=records,
    )
    organiser = Organiser(transfer_dir=transfer, downloads_dir=downloads, processing=step)
    return organiser, downloads, transfer, records


def test_album_is_converted_tagged_and_gets_one_album_gain(
    setup: tuple[Organiser, Path, Path, ProcessingLog],
) -> None:
    organiser, downloads, transfer, records = setup
    album = _album()
    finals = []
    for i, track in enumerate(album.tracks):
        # Filing a track prunes the download folders it leaves empty.
        (downloads / "peer" / "Record").mkdir(parents=True, exist_ok=True)
        src = write_audio(
            downloads / "peer" / "Record" / f"{i + 1:02d}.flac",
            music_like(44100, 5.0, seed=i) * (0.2 + 0.3 * i),
            44100,
            "flac",
        )
        resolution = Resolution(track, album, "The Band", 1.0, "test")
        assert organiser.destination(src, resolution).suffix == ".mp3"
        result = organiser.organise(src, resolution, job_id=i + 1)
        finals.append(result.destination)
        assert not src.exists()  # the download went once the MP3 was filed
        assert result.destination.suffix == ".mp3"
        assert round(MP3(result.destination).info.bitrate / 1000) == 192
        assert read_tags(result.destination).title == track.title
        gain = read_gain(result.destination)
        assert gain.track_gain_db is not None
        if i < 2:
            assert gain.album_gain_db is None  # the album is not complete yet
    gains = [read_gain(p) for p in finals]
    assert len({round(g.album_gain_db or 99, 2) for g in gains}) == 1
    assert gains[0].album_gain_db is not None
    assert len({g.track_gain_db for g in gains}) == 3
    assert not (downloads / STAGING_DIR).exists()
    assert not list(transfer.rglob(".soulsync-*"))
    rows = records.recent()
    assert len(rows) == 3
    assert {r["outcome"] for r in rows} == {"ok"}
    assert {r["quality"] for r in rows} == {"mp3 192k"}
    assert {round(r["album_gain_db"], 2) for r in rows} == {round(gains[0].album_gain_db, 2)}
    assert records.stats().bytes_saved > 0


def test_a_broken_download_fails_and_stays(
    setup: tuple[Organiser, Path, Path, ProcessingLog],
) -> None:
    organiser, downloads, transfer, records = setup
    album = _album()
    src = downloads / "peer" / "Record" / "01.flac"
    good = write_audio(
        downloads / "whole.flac", music_like(44100, 20.0), 44100, "flac"
    ).read_bytes()
    src.write_bytes(good[: len(good) // 3])
    with pytest.raises(MoveError, match="processing failed"):
        organiser.organise(src, Resolution(album.tracks[0], album, "The Band", 1.0, "test"))
    assert src.read_bytes() == good[: len(good) // 3]
    assert list(transfer.rglob("*.mp3")) == []
    assert not (downloads / STAGING_DIR).exists() or not any((downloads / STAGING_DIR).iterdir())
    (row,) = records.recent()
    assert row["outcome"] == "failed" and row["error"].startswith("unreadable:")
    assert "truncated" in row["error"]
