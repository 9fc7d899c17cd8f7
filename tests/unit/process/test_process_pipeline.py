"""Conversion, trimming, normalisation, lossy copies and the cache, read back with mutagen."""

from __future__ import annotations

import errno
import io
from pathlib import Path

import mutagen
import numpy as np
import pytest
from mutagen.mp3 import MP3, BitrateMode
from mutagen.mp4 import MP4
from mutagen.oggopus import OggOpus
from PIL import Image
from process_signals import music_like, sine, write_audio

from soulsync.library.process import ProcessError, safe_write
from soulsync.library.process import pipeline as pipeline_module
from soulsync.library.process.cache import ProcessCache, file_hash
from soulsync.library.process.decode import decode_all
from soulsync.library.process.gain_tags import read_gain
from soulsync.library.process.levels import NormalizeSettings
from soulsync.library.process.loudness import analyse_file, true_peak
from soulsync.library.process.pipeline import process_file
from soulsync.library.process.profile import Profile
from soulsync.library.process.trim import TrimSettings
from soulsync.library.tags import Picture, TagSet, diff_tags, read_tags, write_tags

RATE = 44100


def _cover() -> Picture:
    buf = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 30, 90)).save(buf, "JPEG")
    return Picture.from_bytes(buf.getvalue())


TAGS = TagSet(
    title="Song Title",
    artist="Main Artist feat. Guest",
    artists=("Main Artist", "Guest"),
    album="The Album",
    album_artist="Main Artist",
    track_number=3,
    track_total=12,
    disc_number=1,
    disc_total=2,
    date="2021-05-14",
    isrc="GBAYE2100001",
    genres=("Electronic", "House"),
    ids={"SPOTIFY_TRACK_ID": "abc123", "SPOTIFY_ALBUM_ID": "alb9"},
    source_url="https://open.spotify.com/track/abc123",
    cover=_cover(),
)


def _tagged_flac(folder: Path, name: str = "song.flac", seconds: float = 6.0) -> Path:
    path = write_audio(folder / name, music_like(RATE, seconds), RATE, "flac")
    write_tags(path, TAGS)
    return path


def _no_temp_files(folder: Path) -> None:
    assert not [p for p in folder.rglob("*") if p.name.startswith(".soulsync-proc-")]


@pytest.mark.parametrize("kbps", [128, 192, 320])
def test_flac_to_mp3_cbr_has_the_bitrate_tags_and_cover(tmp_path: Path, kbps: int) -> None:
    src = _tagged_flac(tmp_path)
    before = src.read_bytes()
    out = tmp_path / "out"
    result = process_file(src, Profile(convert="mp3", bitrate_kbps=kbps), out_dir=out)
    mp3 = MP3(result.output)
    # mutagen derives the rate from the LAME "Info" frame: frames x size / length.
    assert round(mp3.info.bitrate / 1000) == kbps
    assert mp3.info.bitrate_mode is BitrateMode.CBR
    assert diff_tags(TAGS, read_tags(Path(result.output))) == []
    assert read_tags(Path(result.output)).cover == TAGS.cover
    assert read_gain(Path(result.output)).track_gain_db == pytest.approx(result.track_gain_db)
    assert result.converted and result.output_format.startswith("mp3")
    assert src.read_bytes() == before  # --out leaves the source alone
    _no_temp_files(tmp_path)


def test_mp3_v0_is_vbr(tmp_path: Path) -> None:
    src = _tagged_flac(tmp_path)
    result = process_file(src, Profile(convert="mp3", mp3_vbr=0), out_dir=tmp_path / "o")
    assert MP3(result.output).info.bitrate_mode is BitrateMode.VBR
    assert diff_tags(TAGS, read_tags(Path(result.output))) == []


@pytest.mark.parametrize(("fmt", "kind"), [("opus", OggOpus), ("aac", MP4)])
def test_flac_to_opus_and_aac_carry_tags_and_cover(tmp_path: Path, fmt: str, kind: type) -> None:
    src = _tagged_flac(tmp_path)
    result = process_file(src, Profile(convert=fmt, bitrate_kbps=128), out_dir=tmp_path / "o")
    assert isinstance(mutagen.File(result.output), kind)
    assert diff_tags(TAGS, read_tags(Path(result.output))) == []
    gain = read_gain(Path(result.output))
    assert gain.track_gain_db == pytest.approx(result.track_gain_db, abs=0.01)


def test_in_place_conversion_replaces_the_original_only_when_done(tmp_path: Path) -> None:
    src = _tagged_flac(tmp_path)
    result = process_file(src, Profile(convert="mp3", bitrate_kbps=192))
    assert not src.exists()
    assert Path(result.output) == tmp_path / "song.mp3"
    assert round(MP3(result.output).info.bitrate / 1000) == 192
    assert result.input_bytes > result.output_bytes
    _no_temp_files(tmp_path)


def test_tags_only_keeps_the_audio_bit_exact(tmp_path: Path) -> None:
    src = _tagged_flac(tmp_path)
    _, pcm_before = decode_all(src)
    result = process_file(src, Profile(replaygain="track"))
    assert result.output == str(src) and not result.converted
    _, pcm_after = decode_all(src)
    np.testing.assert_array_equal(pcm_before, pcm_after)
    assert read_gain(src).track_gain_db == pytest.approx(result.track_gain_db)
    assert diff_tags(TAGS, read_tags(src)) == []


def test_lossy_source_is_not_transcoded_upwards(tmp_path: Path) -> None:
    src = write_audio(tmp_path / "low.mp3", music_like(RATE, 4.0), RATE, "mp3", 128)
    result = process_file(src, Profile(convert="mp3", bitrate_kbps=192))
    assert not result.converted
    assert round(MP3(src).info.bitrate / 1000) == 128
    # A higher-rate MP3 is brought down to the target.
    high = write_audio(tmp_path / "high.mp3", music_like(RATE, 4.0), RATE, "mp3", 320)
    result = process_file(high, Profile(convert="mp3", bitrate_kbps=192))
    assert result.converted and round(MP3(result.output).info.bitrate / 1000) == 192


def _padded(lead_s: float, tail_s: float, middle_gap_s: float = 0.0) -> np.ndarray:
    body = music_like(RATE, 4.0)
    parts = [np.zeros((2, round(RATE * lead_s))), body[:, : 2 * RATE]]
    if middle_gap_s:
        parts.append(np.zeros((2, round(RATE * middle_gap_s))))
    parts += [body[:, 2 * RATE :], np.zeros((2, round(RATE * tail_s)))]
    return np.concatenate(parts, axis=1)


def test_silence_padding_is_trimmed_within_50_ms(tmp_path: Path) -> None:
    src = write_audio(tmp_path / "pad.flac", _padded(1.5, 2.0, middle_gap_s=3.0), RATE, "flac")
    result = process_file(src, Profile(trim=TrimSettings()), out_dir=tmp_path / "o")
    assert result.trimmed_ms == pytest.approx(3500, abs=50)
    _, pcm = decode_all(Path(result.output))
    # 4 s of music and the 3 s gap inside it stay.
    assert pcm.shape[1] / RATE == pytest.approx(7.0, abs=0.05)
    assert np.abs(pcm[:, : round(RATE * 0.05)]).max() > 0.001  # audible from the start


def test_trim_never_exceeds_the_maximum(tmp_path: Path) -> None:
    src = write_audio(tmp_path / "pad.flac", _padded(3.0, 3.0), RATE, "flac")
    result = process_file(src, Profile(trim=TrimSettings(max_ms=1000)), out_dir=tmp_path / "o")
    assert result.trimmed_ms == pytest.approx(2000, abs=20)


def test_normalise_reaches_the_target_when_the_peak_allows(tmp_path: Path) -> None:
    quiet = music_like(RATE, 8.0) * 0.1
    src = write_audio(tmp_path / "quiet.flac", quiet, RATE, "flac")
    before = analyse_file(src)[1].integrated_lufs
    result = process_file(
        src,
        Profile(normalize=NormalizeSettings(target_lufs=-16.0, true_peak_db=-1.0)),
        out_dir=tmp_path / "o",
    )
    after = analyse_file(Path(result.output))[1].integrated_lufs
    assert after < before + 30  # sanity: it was raised, not replaced
    expected_gain = min(-16.0 - before, -1.0 - 20 * np.log10(true_peak(quiet, RATE)))
    assert result.normalized_db == pytest.approx(expected_gain, abs=0.05)
    assert after == pytest.approx(before + expected_gain, abs=0.1)


@pytest.mark.parametrize("fmt", ["flac", "mp3"])
def test_normalise_never_clips(tmp_path: Path, fmt: str) -> None:
    # A sine with true peaks above its samples, pushed towards a loud target.
    x = sine(RATE, 5.0, freq=RATE / 4 - 7, peak_dbfs=-3.0, channels=2)
    src = write_audio(tmp_path / "hot.flac", x, RATE, "flac")
    profile = Profile(
        convert="keep" if fmt == "flac" else "mp3",
        normalize=NormalizeSettings(target_lufs=-5.0, true_peak_db=-1.0),
    )
    result = process_file(src, profile, out_dir=tmp_path / "o")
    _, pcm = decode_all(Path(result.output))
    assert np.abs(pcm).max() < 1.0
    if fmt == "flac":
        assert 20 * np.log10(true_peak(pcm, RATE)) <= -1.0 + 0.05


def test_lossy_copy_goes_to_the_second_tree(tmp_path: Path) -> None:
    library = tmp_path / "lib" / "Artist" / "Artist - Album"
    library.mkdir(parents=True)
    src = _tagged_flac(library)
    phone = tmp_path / "phone"
    profile = Profile(lossy_copy_dir=phone, lossy_copy_format="mp3", lossy_copy_bitrate_kbps=128)
    result = process_file(src, profile, lossy_copy_rel=Path("Artist/Artist - Album"))
    assert src.exists() and result.output == str(src)  # the lossless original stays
    copy = phone / "Artist" / "Artist - Album" / "song.mp3"
    assert result.lossy_copy == str(copy)
    assert round(MP3(copy).info.bitrate / 1000) == 128
    assert diff_tags(TAGS, read_tags(copy)) == []


def test_cache_makes_the_second_run_free_and_identical(tmp_path: Path) -> None:
    cache = ProcessCache(tmp_path / "cache")
    src = _tagged_flac(tmp_path)
    first = process_file(
        src, Profile(convert="mp3", bitrate_kbps=192), out_dir=tmp_path / "a", cache=cache
    )
    second = process_file(
        src, Profile(convert="mp3", bitrate_kbps=192), out_dir=tmp_path / "b", cache=cache
    )
    assert not first.cached and second.cached
    assert Path(first.output).read_bytes() == Path(second.output).read_bytes()
    # Another profile is another entry.
    third = process_file(
        src, Profile(convert="mp3", bitrate_kbps=128), out_dir=tmp_path / "c", cache=cache
    )
    assert not third.cached
    # The output's own analysis is cached under its content hash.
    assert cache.get_analysis(file_hash(Path(first.output))) is not None


# ----------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty"])
def test_bad_input_is_a_clear_error_and_the_original_is_kept(tmp_path: Path, damage: str) -> None:
    good = _tagged_flac(tmp_path, "good.flac", seconds=20.0).read_bytes()
    bad = tmp_path / "bad.flac"
    bad.write_bytes(
        {"garbage": b"\x00junk" * 5000, "truncated": good[: len(good) // 2], "empty": b""}[damage]
    )
    before = bad.read_bytes()
    with pytest.raises(ProcessError) as info:
        process_file(bad, Profile(convert="mp3", bitrate_kbps=192))
    assert info.value.reason == "unreadable"
    assert bad.read_bytes() == before
    assert not (tmp_path / "bad.mp3").exists()
    _no_temp_files(tmp_path)


def test_unsupported_rewrite_is_refused(tmp_path: Path) -> None:
    # Ogg Vorbis can be measured but not re-encoded (no libvorbis in PyAV's FFmpeg).
    from soulsync.library.process.decode import AudioSource
    from soulsync.library.process.pipeline import plan_target

    vorbis = AudioSource(
        tmp_path / "x.ogg", "ogg", "vorbis", 44100, 2, ("FL", "FR"), "stereo", 160000, 10.0
    )
    with pytest.raises(ProcessError) as info:
        plan_target(vorbis, Profile(trim=TrimSettings()))
    assert info.value.reason == "unsupported"


def test_disk_full_while_encoding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = _tagged_flac(tmp_path)
    before = src.read_bytes()
    # /dev/full fails every write with ENOSPC: the kernel's own "disk full".
    monkeypatch.setattr(pipeline_module, "temp_path_for", lambda final: Path("/dev/full"))
    with pytest.raises(ProcessError) as info:
        process_file(src, Profile(convert="mp3", bitrate_kbps=192))
    assert info.value.reason == "disk_full"
    assert src.read_bytes() == before
    assert Path("/dev/full").exists()  # a device is never removed
    assert not (tmp_path / "song.mp3").exists()


def test_read_only_target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = _tagged_flac(tmp_path)
    before = src.read_bytes()

    def refuse(*_: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(safe_write.os, "link", refuse)
    with pytest.raises(ProcessError) as info:
        process_file(src, Profile(convert="mp3", bitrate_kbps=192))
    assert info.value.reason == "read_only"
    assert src.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["song.flac"]
