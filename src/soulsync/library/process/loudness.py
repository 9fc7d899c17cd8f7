"""ITU-R BS.1770-4 / EBU R128 loudness and peaks, in numpy and scipy.

The measurement (https://www.itu.int/rec/R-REC-BS.1770):

1. K-weighting: a high-shelf (+4 dB above ~1.7 kHz, the head's effect) and
   a high-pass (~38 Hz, RLB), both second-order. The recommendation lists
   coefficients for 48 kHz only; for other rates they are derived from the
   analog prototype (centre frequency, gain, Q) by the bilinear transform,
   the way libebur128 does (https://github.com/jiixyj/libebur128,
   ``ebur128_init_filter``), so 44.1 kHz and 96 kHz files are measured
   without resampling.
2. Mean square per channel over 400 ms blocks overlapping by 75 % (a new
   block every 100 ms), channels weighted (1.0 front, 1.41 surround, LFE
   left out) and summed.
3. Gating: blocks below −70 LUFS are dropped (absolute gate), then blocks
   more than 10 LU below the mean of the rest (relative gate); the loudness
   is ``−0.691 + 10·log10(mean energy)`` of what is left.

Album loudness gates the blocks of all tracks together (the EBU R128 way:
an album is one long programme), which is why :class:`Loudness` keeps the
block energies. Peaks: the sample peak always; the true peak (4x
oversampled, BS.1770 annex 2) on request, as it costs more than the rest.

Check values (BS.1770 and the shared reference): a 1 kHz sine at −20 dBFS
peak measures −23.0 LUFS in one channel and −20.0 LUFS as identical stereo
channels.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy import signal

from soulsync.library.process.decode import AudioSource, iter_blocks

__all__ = [
    "SILENT_LUFS",
    "Loudness",
    "LoudnessMeter",
    "album_loudness",
    "analyse_file",
    "gated_loudness",
    "k_weighting",
    "true_peak",
]

# What a silent (or all-gated) programme measures: the absolute gate.
SILENT_LUFS = -70.0
_ABS_GATE_LUFS = -70.0
_REL_GATE_LU = -10.0
_OFFSET = -0.691


def k_weighting(rate: int) -> np.ndarray:
    """The K-weighting filter for ``rate`` Hz as second-order sections (scipy ``sos``)."""
    # Analog prototype parameters of the two stages, as in libebur128.
    f0, gain_db, q = 1681.974450955533, 3.999843853973347, 0.7071752369554196
    k = math.tan(math.pi * f0 / rate)
    vh = 10.0 ** (gain_db / 20.0)
    vb = vh**0.4996667741545416
    a0 = 1.0 + k / q + k * k
    shelf_b = [
        (vh + vb * k / q + k * k) / a0,
        2.0 * (k * k - vh) / a0,
        (vh - vb * k / q + k * k) / a0,
    ]
    shelf_a = [1.0, 2.0 * (k * k - 1.0) / a0, (1.0 - k / q + k * k) / a0]
    f0, q = 38.13547087602444, 0.5003270373238773
    k = math.tan(math.pi * f0 / rate)
    a0 = 1.0 + k / q + k * k
    hp_b = [1.0, -2.0, 1.0]
    hp_a = [1.0, 2.0 * (k * k - 1.0) / a0, (1.0 - k / q + k * k) / a0]
    return np.array([[*shelf_b, *shelf_a], [*hp_b, *hp_a]], dtype=np.float64)


def _energy_to_lufs(energy: float) -> float:
    return _OFFSET + 10.0 * math.log10(energy) if energy > 0 else -math.inf


def _lufs_to_energy(lufs: float) -> float:
    return 10.0 ** ((lufs - _OFFSET) / 10.0)


def gated_loudness(energies: np.ndarray) -> float:
    """Integrated loudness (LUFS) of weighted 400 ms block energies, both gates applied.

    Returns :data:`SILENT_LUFS` when no block passes the absolute gate.
    """
    kept = energies[energies > _lufs_to_energy(_ABS_GATE_LUFS)]
    if kept.size == 0:
        return SILENT_LUFS
    relative = _energy_to_lufs(float(kept.mean())) + _REL_GATE_LU
    kept = kept[kept > _lufs_to_energy(relative)]
    if kept.size == 0:
        return SILENT_LUFS
    return _energy_to_lufs(float(kept.mean()))


@dataclass(frozen=True, slots=True)
class Loudness:
    """The loudness of one programme (a track, or an album)."""

    integrated_lufs: float
    sample_peak: float  # linear, 1.0 = full scale
    true_peak: float | None  # linear, None when not measured
    duration_s: float
    energies: np.ndarray = field(repr=False, compare=False)

    @property
    def peak(self) -> float:
        """The true peak when measured, else the sample peak."""
        return self.true_peak if self.true_peak is not None else self.sample_peak


class LoudnessMeter:
    """Streaming BS.1770 meter: feed planar float blocks with :meth:`add`, then :meth:`result`."""

    def __init__(self, rate: int, weights: Sequence[float], *, measure_true_peak: bool = False):
        if rate <= 0 or not weights:
            raise ValueError("a meter needs a positive rate and at least one channel")
        self.rate = rate
        self.weights = np.asarray(weights, dtype=np.float64)
        self._sos = k_weighting(rate)
        self._zi = np.zeros((self._sos.shape[0], len(weights), 2))
        self._step = max(1, round(rate * 0.1))  # 100 ms: the block hop
        self._carry = np.zeros((len(weights), 0))
        self._subs: list[np.ndarray] = []  # per 100 ms: sum of squares per channel
        self._samples = 0
        self._sample_peak = 0.0
        self._true_peak = _TruePeak(rate) if measure_true_peak else None

    def add(self, block: np.ndarray) -> None:
        """Feed ``block`` (channels x samples, float, full scale 1.0)."""
        if block.ndim != 2 or block.shape[0] != self.weights.size:
            raise ValueError(f"expected {self.weights.size} channels, got shape {block.shape}")
        if block.shape[1] == 0:
            return
        self._samples += block.shape[1]
        self._sample_peak = max(self._sample_peak, float(np.abs(block).max()))
        if self._true_peak is not None:
            self._true_peak.add(block)
        filtered, self._zi = signal.sosfilt(self._sos, block, axis=1, zi=self._zi)
        squared = np.concatenate([self._carry, filtered * filtered], axis=1)
        whole = squared.shape[1] // self._step
        if whole:
            used = whole * self._step
            sums = squared[:, :used].reshape(squared.shape[0], whole, self._step).sum(axis=2)
            self._subs.extend(sums.T)
            squared = squared[:, used:]
        self._carry = squared

    def energies(self) -> np.ndarray:
        """Channel-weighted mean square of every complete 400 ms block (hop 100 ms)."""
        if len(self._subs) < 4:
            return np.zeros(0)
        subs = np.asarray(self._subs) @ self.weights  # weighted sum per 100 ms
        windows = subs[:-3] + subs[1:-2] + subs[2:-1] + subs[3:]
        return np.asarray(windows / (4 * self._step), dtype=np.float64)

    def result(self) -> Loudness:
        """The integrated loudness and peaks of everything fed so far."""
        energies = self.energies()
        return Loudness(
            integrated_lufs=gated_loudness(energies),
            sample_peak=self._sample_peak,
            true_peak=self._true_peak.result() if self._true_peak is not None else None,
            duration_s=self._samples / self.rate,
            energies=energies,
        )


class _TruePeak:
    """Streaming 4x (2x from 96 kHz) oversampled peak.

    Each scan sees ``_HALO`` already-scanned samples before and unscanned
    samples after its range, more than the resampling filter reaches, so the
    result equals a scan of the whole signal at once.
    """

    _HALO = 32

    def __init__(self, rate: int) -> None:
        self.factor = 4 if rate < 96000 else 2 if rate < 192000 else 1
        self.peak = 0.0
        self._buf: np.ndarray | None = None
        self._context = 0  # leading samples of _buf that were already scanned

    def scan(self, x: np.ndarray, lo: int, hi: int) -> None:
        """Raise the peak with the oversampled range [lo, hi) of ``x``."""
        if hi <= lo:
            return
        if self.factor == 1:
            self.peak = max(self.peak, float(np.abs(x[:, lo:hi]).max()))
            return
        up = signal.resample_poly(x, self.factor, 1, axis=1)
        part = up[:, lo * self.factor : hi * self.factor]
        if part.size:
            self.peak = max(self.peak, float(np.abs(part).max()))

    def add(self, block: np.ndarray) -> None:
        buf = block if self._buf is None else np.concatenate([self._buf, block], axis=1)
        hi = buf.shape[1] - self._HALO
        if hi > self._context:
            self.scan(buf, self._context, hi)
            keep = max(0, hi - self._HALO)
            buf, self._context = buf[:, keep:], hi - keep
        self._buf = buf

    def result(self) -> float:
        if self._buf is not None:
            self.scan(self._buf, self._context, self._buf.shape[1])
            self._buf, self._context = None, 0
        return self.peak


def true_peak(samples: np.ndarray, rate: int) -> float:
    """The true peak (linear) of a whole signal (channels x samples)."""
    tp = _TruePeak(rate)
    tp.scan(samples, 0, samples.shape[1])
    return tp.peak


def analyse_file(path: Path, *, measure_true_peak: bool = False) -> tuple[AudioSource, Loudness]:
    """Decode ``path`` once and measure it.

    Raises:
        soulsync.library.process.ProcessError: unreadable, truncated, no audio.
    """
    source, blocks = iter_blocks(Path(path))
    meter = LoudnessMeter(
        source.rate, source.channel_weights(), measure_true_peak=measure_true_peak
    )
    for block in blocks:
        meter.add(block)
    return source, meter.result()


def album_loudness(tracks: Iterable[Loudness]) -> Loudness:
    """One loudness for several tracks: their blocks gated together, the highest peaks."""
    items = list(tracks)
    if not items:
        raise ValueError("an album needs at least one track")
    energies = np.concatenate([t.energies for t in items])
    peaks = [t.true_peak for t in items]
    return Loudness(
        integrated_lufs=gated_loudness(energies),
        sample_peak=max(t.sample_peak for t in items),
        true_peak=None if any(p is None for p in peaks) else max(p for p in peaks if p is not None),
        duration_s=sum(t.duration_s for t in items),
        energies=energies,
    )
