"""Silence trimming at the start and end of a track only (never inside it).

The signal is cut into 10 ms windows; a window is silent when its highest
absolute sample (over all channels) is below the threshold. Leading and
trailing runs of silent windows are removed when they last at least
``min_ms``, and never more than ``max_ms`` at either end, so a hidden track
after a long gap or a deliberate intro of near silence is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["TrimSettings", "TrimSpan", "find_trim"]

_WINDOW_S = 0.010


@dataclass(frozen=True, slots=True)
class TrimSettings:
    """Threshold in dBFS, the shortest run worth trimming, the most trimmed per end."""

    threshold_db: float = -60.0
    min_ms: int = 200
    max_ms: int = 10_000


@dataclass(frozen=True, slots=True)
class TrimSpan:
    """Samples to drop at the start and at the end."""

    start: int
    end: int
    rate: int

    @property
    def trimmed_ms(self) -> int:
        """Total time removed, in milliseconds."""
        return round((self.start + self.end) * 1000 / self.rate)

    def apply(self, samples: np.ndarray) -> np.ndarray:
        """``samples`` without the trimmed ends."""
        return samples[:, self.start : samples.shape[1] - self.end]


def find_trim(samples: np.ndarray, rate: int, settings: TrimSettings) -> TrimSpan:
    """Where the audible part of ``samples`` (channels x n) starts and ends.

    An all-silent signal is left as it is (there is nothing to keep).
    """
    n = samples.shape[1]
    win = max(1, round(rate * _WINDOW_S))
    count = n // win
    if count == 0:
        return TrimSpan(0, 0, rate)
    limit = 10.0 ** (settings.threshold_db / 20.0)
    body = np.abs(samples[:, : count * win]).reshape(samples.shape[0], count, win)
    loud = body.max(axis=(0, 2)) >= limit
    tail_loud = bool(n > count * win and np.abs(samples[:, count * win :]).max() >= limit)
    if not loud.any() and not tail_loud:
        return TrimSpan(0, 0, rate)
    first = int(np.argmax(loud)) if loud.any() else count
    start = first * win
    if tail_loud or not loud.any():
        end = 0
    else:
        last = count - 1 - int(np.argmax(loud[::-1]))
        end = n - (last + 1) * win
    min_samples = round(settings.min_ms * rate / 1000)
    max_samples = round(settings.max_ms * rate / 1000)
    start = 0 if start < min_samples else min(start, max_samples)
    end = 0 if end < min_samples else min(end, max_samples)
    return TrimSpan(start, end, rate)
