"""audio: in-process probing, the integrity check and test-audio generation, on real files.

Every file is made in-process with PyAV and its facts are checked against
mutagen, a second reader that shares no code with FFmpeg.
"""

from __future__ import annotations

import threading
from pathlib import Path

import mutagen
import pytest
from mutagen.mp3 import MP3, BitrateMode

from soulsync.library.audio import (
    TONE_FORMATS,
    AudioError,
    ProbeRun,
    generate_tone,
    probe,
)


@pytest.mark.parametrize(
    ("fmt", "codec", "sample_rate", "bit_depth"),
    [
        ("flac", "flac", 44100, 16),
        ("mp3", "mp3", 44100, None),
        ("aac", "aac", 44100, None),
        ("m4a", "aac", 44100, None),
        ("alac", "alac", 44100, 16),
        ("ogg", "vorbis", 44100, None),
        ("opus", "opus", 48000, None),
        ("wav", "pcm_s16le", 44100, 16),
    ],
)
def test_generate_and_probe_every_format(
    tmp_path: Path, fmt: str, codec: str, sample_rate: int, bit_depth: int | None
) -> None:
    path = generate_tone(tmp_path / f"x.{TONE_FORMATS[fmt].ext}", fmt, 1.5, 880)
    info = probe(path)
    assert info.codec == codec
    assert info.duration_s == pytest.approx(1.5, abs=0.08)
    assert info.sample_rate == sample_rate
    assert info.channels == 2
    assert info.bit_depth == bit_depth
    assert info.bitrate is not None and info.bitrate > 8000
    assert info.is_complete
    # mutagen, which shares no code with FFmpeg, reads the same file the same way.
    other = mutagen.File(path)
    assert other is not None
    assert other.info.length == pytest.approx(info.duration_s, abs=0.08)
    # Opus always decodes at 48 kHz; mutagen's OggOpusInfo has no sample_rate.
    assert getattr(other.info, "sample_rate", 48000) == sample_rate
    assert other.info.channels == 2
    if bit_depth is not None:
        assert other.info.bits_per_sample == bit_depth


def test_generate_takes_format_from_extension_and_makes_noise(tmp_path: Path) -> None:
    path = generate_tone(tmp_path / "n.flac", duration_s=2.0, noise=True)
    info = probe(path)
    assert info.codec == "flac"
    # White noise barely compresses: close to 16-bit stereo PCM (1411 kb/s).
    assert info.bitrate is not None and info.bitrate > 1_200_000


def test_sine_compresses_much_better_than_noise(tmp_path: Path) -> None:
    sine = generate_tone(tmp_path / "s.flac", duration_s=2.0)
    noise = generate_tone(tmp_path / "n.flac", duration_s=2.0, noise=True)
    assert sine.stat().st_size * 3 < noise.stat().st_size


def test_generate_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(AudioError, match="unknown test audio format"):
        generate_tone(tmp_path / "x.xyz")


@pytest.mark.parametrize(
    "content",
    [b"", b"not audio at all" * 100, b"fLaC" + b"\x00" * 64, bytes(range(256)) * 40],
)
def test_probe_garbage_raises_audio_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.flac"
    path.write_bytes(content)
    with pytest.raises(AudioError) as err:
        probe(path)
    assert err.value.path == path


def test_probe_missing_file(tmp_path: Path) -> None:
    with pytest.raises(AudioError, match="no such file"):
        probe(tmp_path / "nope.flac")


@pytest.mark.parametrize("fmt", ["flac", "mp3"])
def test_probe_detects_truncation(tmp_path: Path, fmt: str) -> None:
    path = generate_tone(tmp_path / f"full.{fmt}", fmt, 20.0, noise=True)
    data = path.read_bytes()
    cut = tmp_path / f"cut.{fmt}"
    cut.write_bytes(data[: len(data) // 3])
    full, short = probe(path), probe(cut)
    assert full.is_complete
    # The header still promises the full length, but the audio stops early.
    assert short.duration_s == pytest.approx(full.duration_s, abs=0.1)
    assert short.end_s is not None and short.end_s < full.duration_s / 2
    assert not short.is_complete


@pytest.mark.parametrize("name", ["pipe:1", "http:x.flac", "concat:a|b.flac", "-i.flac"])
def test_names_that_look_like_ffmpeg_protocols_are_plain_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.chdir(tmp_path)
    out = generate_tone(Path(name), "flac", 0.5)
    assert (tmp_path / name).is_file()
    assert probe(out).codec == "flac"


def test_mp3_is_cbr_at_the_requested_bitrate(tmp_path: Path) -> None:
    path = generate_tone(tmp_path / "x.mp3", duration_s=4.0)
    info = MP3(path).info
    assert info.bitrate == pytest.approx(192_000, abs=1000)
    assert info.bitrate_mode == BitrateMode.CBR


def test_24_bit_flac_depth_is_read_from_streaminfo(tmp_path: Path) -> None:
    from soulsync.library.audio import Encoding, sine_blocks, write_audio

    enc = Encoding(
        "flac", "flac", "flac", sample_fmt="s32", options=(("bits_per_raw_sample", "24"),)
    )
    path = write_audio(
        tmp_path / "hi.flac", enc, sine_blocks(440, 1.0, 96000, 2), sample_rate=96000, channels=2
    )
    info = probe(path)
    assert (info.bit_depth, info.sample_rate) == (24, 96000)
    assert mutagen.File(path).info.bits_per_sample == 24


@pytest.mark.parametrize("fmt", ["flac", "mp3"])
def test_probe_rejects_audio_that_is_garbage_after_the_header(tmp_path: Path, fmt: str) -> None:
    # A real header (full length promised) followed by noise bytes: the
    # demuxer finds no decodable frames at all, so the check must fail.
    path = generate_tone(tmp_path / f"full.{fmt}", fmt, 5.0, noise=True)
    data = bytearray(path.read_bytes())
    keep = 8192 if fmt == "flac" else 0
    noise = bytes((i * 7919 + 13) % 251 for i in range(len(data) - keep))
    bad = tmp_path / f"bad.{fmt}"
    bad.write_bytes(bytes(data[:keep]) + noise)
    with pytest.raises(AudioError):
        probe(bad)


@pytest.mark.parametrize("fmt", ["flac", "mp3"])
def test_probe_sees_garbage_in_place_of_the_end(tmp_path: Path, fmt: str) -> None:
    # Same size as the intact file, but its last 40% overwritten (a botched
    # transfer): the header is intact, the decodable audio stops early.
    path = generate_tone(tmp_path / f"full.{fmt}", fmt, 20.0, noise=True)
    data = path.read_bytes()
    keep = len(data) * 6 // 10
    bad = tmp_path / f"bad.{fmt}"
    bad.write_bytes(data[:keep] + bytes((i * 7919 + 13) % 251 for i in range(len(data) - keep)))
    info = probe(bad)
    assert info.duration_s == pytest.approx(20.0, abs=0.1)
    assert info.end_s is not None and info.end_s < 14.0
    assert not info.is_complete


def test_probe_run_overlaps_and_cancels(tmp_path: Path) -> None:
    path = generate_tone(tmp_path / "x.flac", duration_s=2.0)
    run = ProbeRun(path)
    assert run.result().codec == "flac"
    cancelled = ProbeRun(path)
    cancelled.cancel()  # never raises, whether or not the probe had finished
    stop = threading.Event()
    stop.set()
    with pytest.raises(AudioError, match="probe cancelled"):
        probe(path, stop)
    with pytest.raises(AudioError, match="no such file"):
        ProbeRun(tmp_path / "missing.flac")


def test_works_without_any_ffmpeg_binary_on_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    import shutil

    assert shutil.which("ffmpeg") is None and shutil.which("ffprobe") is None
    path = generate_tone(tmp_path / "x.mp3", "mp3", 20.0, noise=True)
    info = probe(path)
    assert info.codec == "mp3" and info.is_complete
    cut = tmp_path / "cut.mp3"
    cut.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    assert not probe(cut).is_complete


def test_mono_vorbis_is_refused_with_a_clear_reason(tmp_path: Path) -> None:
    with pytest.raises(AudioError, match="stereo only"):
        generate_tone(tmp_path / "x.ogg", channels=1)


@pytest.mark.parametrize("fmt", ["flac", "mp3", "opus"])
def test_mono_tones(tmp_path: Path, fmt: str) -> None:
    path = generate_tone(tmp_path / f"m.{TONE_FORMATS[fmt].ext}", fmt, 1.0, channels=1)
    assert probe(path).channels == 1
    assert mutagen.File(path).info.channels == 1


def _scramble_mp3_tail(path: Path, frames: int = 40) -> Path:
    """Overwrite the payload of an MP3's last ``frames`` frames, keeping their headers.

    The demuxer still finds frames up to the very end, but none of them
    decodes: the file looks complete and is not.
    """
    data = bytearray(path.read_bytes())
    frame_len = 627  # 192 kbit/s at 44.1 kHz, without the padding byte
    tail_from = len(data) - frames * frame_len
    starts = [i for i in range(tail_from, len(data) - 1) if data[i : i + 2] == b"\xff\xfb"]
    for start in starts:
        for k in range(start + 4, min(start + frame_len - 27, len(data))):
            data[k] = (k * 37) & 0xFF
    path.write_bytes(bytes(data))
    return path


def test_probe_reports_no_end_when_the_last_frames_do_not_decode(tmp_path: Path) -> None:
    path = _scramble_mp3_tail(generate_tone(tmp_path / "x.mp3", "mp3", 10.0, noise=True))
    info = probe(path)
    assert info.duration_s == pytest.approx(10.0, abs=0.1)
    assert info.end_s is None
    assert not info.is_complete
