"""BS.1770 loudness against known signals, and against FFmpeg's own ebur128 filter."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from av.filter import Graph
from process_signals import music_like, sine, write_audio, write_wav

from soulsync.library.process import ProcessError
from soulsync.library.process.loudness import (
    SILENT_LUFS,
    LoudnessMeter,
    album_loudness,
    analyse_file,
    true_peak,
)


@pytest.mark.parametrize(
    ("rate", "channels", "expected"),
    [
        (48000, 1, -23.0),
        (44100, 1, -23.0),
        (48000, 2, -20.0),
        (44100, 2, -20.0),
        (96000, 2, -20.0),
        (32000, 1, -23.0),
    ],
)
def test_sine_at_minus_20_dbfs_measures_the_bs1770_check_value(
    tmp_path: Path, rate: int, channels: int, expected: float
) -> None:
    path = write_wav(tmp_path / "sine.wav", sine(rate, 10.0, channels=channels), rate)
    source, loud = analyse_file(path)
    assert source.channels == channels
    assert source.rate == rate
    assert loud.integrated_lufs == pytest.approx(expected, abs=0.2)
    assert loud.sample_peak == pytest.approx(0.1, abs=0.001)
    assert loud.duration_s == pytest.approx(10.0, abs=0.01)


def test_level_changes_move_loudness_by_the_same_db(tmp_path: Path) -> None:
    quiet = analyse_file(write_wav(tmp_path / "q.wav", sine(peak_dbfs=-30.0), 48000))[1]
    loud = analyse_file(write_wav(tmp_path / "l.wav", sine(peak_dbfs=-10.0), 48000))[1]
    assert loud.integrated_lufs - quiet.integrated_lufs == pytest.approx(20.0, abs=0.05)


def test_relative_gate_ignores_quiet_passages() -> None:
    # 10 s at -20 dBFS then 10 s at -60 dBFS: the quiet half is > 10 LU below,
    # so the relative gate drops it and the result is the loud half's.
    loud = sine(48000, 10.0)
    quiet = sine(48000, 10.0, peak_dbfs=-60.0)
    meter = LoudnessMeter(48000, [1.0])
    meter.add(np.concatenate([loud, quiet], axis=1))
    assert meter.result().integrated_lufs == pytest.approx(-23.0, abs=0.2)


def test_silence_is_below_the_absolute_gate() -> None:
    meter = LoudnessMeter(44100, [1.0, 1.0])
    meter.add(np.zeros((2, 44100 * 3)))
    result = meter.result()
    assert result.integrated_lufs == SILENT_LUFS
    assert result.sample_peak == 0.0


def test_block_size_does_not_change_the_result() -> None:
    x = music_like(44100, 6.0)
    whole = LoudnessMeter(44100, [1.0, 1.0], measure_true_peak=True)
    whole.add(x)
    pieces = LoudnessMeter(44100, [1.0, 1.0], measure_true_peak=True)
    for start in range(0, x.shape[1], 3001):
        pieces.add(x[:, start : start + 3001])
    a, b = whole.result(), pieces.result()
    assert b.integrated_lufs == pytest.approx(a.integrated_lufs, abs=1e-9)
    assert b.true_peak == pytest.approx(a.true_peak, abs=1e-9)
    np.testing.assert_allclose(a.energies, b.energies, rtol=1e-9)


def test_true_peak_finds_the_peak_between_samples() -> None:
    # A quarter-rate sine sampled 45 degrees off its crest: every sample is
    # at 0.707 of the real peak, which only oversampling sees.
    rate = 48000
    n = np.arange(rate)
    x = 0.5 * np.sin(2 * np.pi * n / 4 + np.pi / 4)[None, :]
    assert np.abs(x).max() == pytest.approx(0.5 * np.sqrt(0.5), abs=1e-6)
    assert true_peak(x, rate) == pytest.approx(0.5, abs=0.01)


def test_album_loudness_gates_all_blocks_together() -> None:
    rate = 48000
    first, second = sine(rate, 8.0, peak_dbfs=-20.0), sine(rate, 8.0, peak_dbfs=-26.0)
    meters = []
    for x in (first, second):
        m = LoudnessMeter(rate, [1.0])
        m.add(x)
        meters.append(m.result())
    album = album_loudness(meters)
    # Equal durations: the mean energy of -23 and -29 LUFS.
    expected = -0.691 + 10 * np.log10(
        (10 ** ((-23.0 + 0.691) / 10) + 10 ** ((-29.0 + 0.691) / 10)) / 2
    )
    assert album.integrated_lufs == pytest.approx(expected, abs=0.1)
    assert album.sample_peak == pytest.approx(0.1, abs=0.001)
    assert album.duration_s == pytest.approx(16.0, abs=0.01)


def _ffmpeg_ebur128(path: Path) -> float:
    """Integrated loudness from FFmpeg's ``ebur128`` filter, run through PyAV."""
    container: Any = av.open(str(path))
    stream = container.streams.audio[0]
    graph = Graph()
    src = graph.add_abuffer(template=stream)
    meter = graph.add("ebur128", "metadata=1")
    sink = graph.add("abuffersink")
    src.link_to(meter)
    meter.link_to(sink)
    graph.configure()
    last: dict[str, str] = {}

    def drain() -> None:
        nonlocal last
        while True:
            try:
                frame = graph.pull()
            except (av.error.BlockingIOError, av.error.EOFError):
                return
            last = dict(frame.metadata)

    for frame in container.decode(stream):
        graph.push(frame)
        drain()
    graph.push(None)
    drain()
    container.close()
    return float(last["lavfi.r128.I"])


@pytest.mark.parametrize(("fmt", "rate"), [("flac", 44100), ("flac", 48000), ("mp3", 44100)])
def test_agrees_with_ffmpeg_ebur128(tmp_path: Path, fmt: str, rate: int) -> None:
    path = write_audio(
        tmp_path / f"music.{fmt}", music_like(rate, 20.0), rate, fmt, 320 if fmt == "mp3" else None
    )
    ours = analyse_file(path)[1].integrated_lufs
    assert ours == pytest.approx(_ffmpeg_ebur128(path), abs=0.1)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "unreadable"),
        (b"this is not audio at all" * 100, "unreadable"),
    ],
)
def test_garbage_is_a_clear_error(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "bad.flac"
    path.write_bytes(content)
    with pytest.raises(ProcessError) as info:
        analyse_file(path)
    assert info.value.reason == reason
    assert path.read_bytes() == content


def test_truncated_flac_is_refused(tmp_path: Path) -> None:
    path = write_audio(tmp_path / "whole.flac", music_like(44100, 20.0), 44100, "flac")
    data = path.read_bytes()
    cut = tmp_path / "cut.flac"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(ProcessError, match="truncated") as info:
        analyse_file(cut)
    assert info.value.reason == "unreadable"
    assert cut.read_bytes() == data[: len(data) // 2]


def test_file_without_audio_stream(tmp_path: Path) -> None:
    # An MP4 holding only a PNG still image: a container, but no audio.
    from PIL import Image

    frame_png = tmp_path / "still.mp4"
    container: Any = av.open(str(frame_png), "w")
    stream = container.add_stream("mpeg4", rate=1)
    stream.width, stream.height = 16, 16
    img = av.VideoFrame.from_image(Image.new("RGB", (16, 16), "red"))
    for packet in stream.encode(img.reformat(format="yuv420p")):
        container.mux(packet)
    for packet in stream.encode(None):
        container.mux(packet)
    container.close()
    with pytest.raises(ProcessError) as info:
        analyse_file(frame_png)
    assert info.value.reason == "no_audio"
