"""audio: ffprobe wrapper and test-audio generation, on real files."""

from __future__ import annotations

from pathlib import Path

import pytest

from soulsync.library.audio import (
    TONE_FORMATS,
    AudioError,
    ffmpeg_path,
    ffprobe_json,
    ffprobe_path,
    generate_tone,
    probe,
)


def test_binaries_are_found() -> None:
    assert Path(ffmpeg_path()).name.startswith("ffmpeg")
    assert Path(ffprobe_path()).name.startswith("ffprobe")


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
    path = generate_tone(tmp_path / f"x.{TONE_FORMATS[fmt][2]}", fmt, 1.5, 880)
    info = probe(path)
    assert info.codec == codec
    assert info.duration_s == pytest.approx(1.5, abs=0.08)
    assert info.sample_rate == sample_rate
    assert info.channels == 2
    assert info.bit_depth == bit_depth
    assert info.bitrate is not None and info.bitrate > 8000
    if fmt != "wav":  # ffprobe lists no packets past the end of a WAV
        assert info.is_complete


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


def test_ffprobe_json_reports_streams(tmp_path: Path) -> None:
    path = generate_tone(tmp_path / "x.ogg", "ogg", 1.0)
    data = ffprobe_json(path)
    assert data["streams"][0]["codec_name"] == "vorbis"
    assert float(data["format"]["duration"]) == pytest.approx(1.0, abs=0.05)


@pytest.mark.parametrize("name", ["pipe:1", "http:x.flac", "concat:a|b.flac", "-i.flac"])
def test_names_that_look_like_ffmpeg_protocols_are_plain_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.chdir(tmp_path)
    out = generate_tone(Path(name), "flac", 0.5)
    assert (tmp_path / name).is_file()
    assert probe(out).codec == "flac"
