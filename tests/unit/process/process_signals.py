"""Known test signals, written as real files (WAV with the stdlib, others with PyAV)."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
from scipy import signal

from soulsync.library.process.encode import Target, encode


def sine(
    rate: int = 48000,
    seconds: float = 10.0,
    *,
    freq: float = 1000.0,
    peak_dbfs: float = -20.0,
    channels: int = 1,
) -> np.ndarray:
    """A sine (channels x n, float64) with the given peak level."""
    t = np.arange(round(rate * seconds)) / rate
    x = 10 ** (peak_dbfs / 20) * np.sin(2 * np.pi * freq * t)
    return np.tile(x, (channels, 1))


def music_like(rate: int = 44100, seconds: float = 20.0, *, seed: int = 7) -> np.ndarray:
    """Stereo band-limited noise with a changing level (quiet and loud passages)."""
    rng = np.random.default_rng(seed)
    n = round(rate * seconds)
    noise = rng.standard_normal((2, n))
    b, a = signal.butter(2, [60 / (rate / 2), 8000 / (rate / 2)], btype="band")
    shaped = signal.lfilter(b, a, noise, axis=1)
    envelope = 0.05 + 0.25 * (0.5 + 0.5 * np.sin(2 * np.pi * np.arange(n) / (rate * 7.0)))
    x = shaped * envelope
    return np.asarray(x / np.abs(x).max() * 0.8)


def write_wav(path: Path, samples: np.ndarray, rate: int) -> Path:
    """16-bit PCM WAV through the standard library's :mod:`wave` (independent of PyAV)."""
    pcm = np.clip(np.round(samples.T * 32767), -32768, 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(samples.shape[0])
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm.tobytes())
    return path


def write_audio(
    path: Path, samples: np.ndarray, rate: int, fmt: str, kbps: int | None = None
) -> Path:
    """Encode ``samples`` into ``path`` (flac, mp3, opus, aac, wav)."""
    layout = "mono" if samples.shape[0] == 1 else "stereo"
    encode(samples, rate, layout, path, Target(fmt, bitrate_kbps=kbps))
    return path
