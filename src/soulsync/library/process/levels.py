"""Opt-in normalisation: one linear gain towards a loudness target, capped by a true-peak ceiling.

This is what FFmpeg's two-pass ``loudnorm`` does in its linear mode
(https://ffmpeg.org/ffmpeg-filters.html#loudnorm): measure first, then apply
a single gain, lowered as far as needed to keep the true peak under the
ceiling, so the audio is never clipped and its dynamics are untouched. A
quiet track with a high peak therefore ends below the target rather than
being compressed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from soulsync.library.process.loudness import SILENT_LUFS, LoudnessMeter, true_peak

__all__ = ["NormalizeSettings", "apply_gain", "normalisation_gain_db"]


@dataclass(frozen=True, slots=True)
class NormalizeSettings:
    """Target integrated loudness (LUFS) and the true-peak ceiling (dBTP)."""

    target_lufs: float = -16.0
    true_peak_db: float = -1.0


def _db(linear: float) -> float:
    return 20.0 * math.log10(linear) if linear > 0 else -math.inf


def normalisation_gain_db(
    samples: np.ndarray, rate: int, weights: tuple[float, ...], settings: NormalizeSettings
) -> tuple[float, float, float]:
    """The gain (dB) to apply, with the measured loudness (LUFS) and true peak (dBTP).

    Silence gets 0 dB (there is nothing to bring up).
    """
    meter = LoudnessMeter(rate, weights)
    meter.add(samples)
    lufs = meter.result().integrated_lufs
    peak_db = _db(true_peak(samples, rate))
    if lufs <= SILENT_LUFS:
        return 0.0, lufs, peak_db
    gain = settings.target_lufs - lufs
    if peak_db + gain > settings.true_peak_db:
        gain = settings.true_peak_db - peak_db
    return gain, lufs, peak_db


def apply_gain(samples: np.ndarray, gain_db: float) -> np.ndarray:
    """``samples`` scaled by ``gain_db`` (float32)."""
    return np.asarray(samples * (10.0 ** (gain_db / 20.0)), dtype=np.float32)
