"""sandbox.media: catalogue audio rendered in-process (PyAV), read back by mutagen."""

from __future__ import annotations

import threading
from pathlib import Path

import mutagen
import pytest
from mutagen.flac import FLAC
from mutagen.mp3 import MP3

from soulsync.library.audio import probe
from soulsync.sandbox.catalogue import AudioSpec
from soulsync.sandbox.media import AudioCache, MediaError, default_cache_dir, render


def test_flac_spec_is_honoured_full_length_and_tagged(tmp_path: Path) -> None:
    spec = AudioSpec("flac", 187_250, 523, 24, 96000, "Tïtle", "Ärtist", "Album")
    path = AudioCache(tmp_path).ensure(spec)
    audio = FLAC(path)
    assert audio.info.length == pytest.approx(187.25, abs=0.01)
    assert (audio.info.bits_per_sample, audio.info.sample_rate) == (24, 96000)
    assert audio.info.channels == 2
    assert (audio["title"], audio["artist"], audio["album"]) == (["Tïtle"], ["Ärtist"], ["Album"])
    # A two-second tone then silence: a full-length file of a few hundred KB.
    assert path.stat().st_size < 1_000_000
    info = probe(path)
    assert info.is_complete and info.bit_depth == 24


def test_untagged_16_bit_flac(tmp_path: Path) -> None:
    path = AudioCache(tmp_path).ensure(AudioSpec("flac", 30_000, 440, 16))
    audio = FLAC(path)
    assert (audio.info.bits_per_sample, audio.info.sample_rate) == (16, 44100)
    assert "title" not in audio


def test_mp3_is_32k_mono_22k_cbr_with_id3(tmp_path: Path) -> None:
    spec = AudioSpec("mp3", 200_000, 330, None, 44100, "T", "A", "B")
    path = AudioCache(tmp_path).ensure(spec)
    audio = MP3(path)
    assert audio.info.length == pytest.approx(200.0, abs=0.1)
    assert (audio.info.sample_rate, audio.info.channels) == (22050, 1)
    assert audio.info.bitrate == pytest.approx(32_000, abs=500)
    assert audio.tags is not None
    assert [str(audio.tags[k]) for k in ("TIT2", "TPE1", "TALB")] == ["T", "A", "B"]


def test_unsupported_format(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match="unsupported"):
        render(AudioSpec("ogg", 1000, 440), tmp_path / "x.ogg")


def test_cache_version_is_not_the_ffmpeg_era(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOULSYNC_SANDBOX_CACHE", str(tmp_path))
    # v1 held files rendered by the ffmpeg binary; they must not be reused.
    assert default_cache_dir() == tmp_path / "v2"


def test_concurrent_renders_leave_one_whole_file_and_no_temporaries(tmp_path: Path) -> None:
    spec = AudioSpec("flac", 20_000, 600, 16)
    caches = [AudioCache(tmp_path) for _ in range(4)]
    barrier = threading.Barrier(len(caches))
    paths: list[Path] = []

    def work(cache: AudioCache) -> None:
        barrier.wait()
        target = cache.path_for(spec)
        render(spec, target)  # all four write the same target at once
        paths.append(target)

    threads = [threading.Thread(target=work, args=(c,)) for c in caches]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(paths)) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == [paths[0].name]
    audio = mutagen.File(paths[0])
    assert audio is not None and audio.info.length == pytest.approx(20.0, abs=0.01)


def test_renders_without_any_ffmpeg_binary_on_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    cache = AudioCache(tmp_path / "cache")
    flac = cache.ensure(AudioSpec("flac", 5_000, 440, 16))
    mp3 = cache.ensure(AudioSpec("mp3", 5_000, 440))
    assert probe(flac).is_complete and probe(mp3).is_complete
