"""Decoding audio files to float32 sample blocks with PyAV.

:func:`open_audio` checks a file and describes its first audio stream;
:func:`iter_blocks` streams it as planar float32 blocks (channels x samples,
full scale 1.0) at its own rate and layout, so analysis never holds a whole
file in memory; :func:`decode_all` does hold it, for rewriting.

A truncated file usually decodes "fine" up to where it stops: the header
still promises the full length. :func:`iter_blocks` compares what was
decoded with that promise and raises rather than let a cut-off track pass as
whole.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import numpy as np

from soulsync.library.process.errors import ProcessError

__all__ = ["LOSSLESS_CODECS", "AudioSource", "decode_all", "iter_blocks", "open_audio"]

LOSSLESS_CODECS = frozenset(
    {"flac", "alac", "wavpack", "ape", "tta", "truehd", "mlp"}
    | {f"pcm_{k}" for k in ("s16le", "s24le", "s32le", "s16be", "s24be", "f32le", "u8")}
)

# Channels BS.1770 weights 1.41 (surround) or leaves out (LFE); all others count 1.0.
_SURROUND = frozenset({"BL", "BR", "SL", "SR", "BC"})
_LFE = frozenset({"LFE", "LFE2"})

# Decoded length may fall short of the header by encoder padding and rounding;
# more than this is a truncated file.
_TRUNCATION_SLACK_S = 1.0
_TRUNCATION_SLACK_RATIO = 0.02


@dataclass(frozen=True, slots=True)
class AudioSource:
    """What the first audio stream of a file is."""

    path: Path
    container: str
    codec: str
    rate: int
    channels: int
    channel_names: tuple[str, ...]
    layout: str
    bit_rate: int | None
    duration_s: float | None

    @property
    def lossless(self) -> bool:
        """True for FLAC, ALAC, WAV/AIFF PCM and the other lossless codecs."""
        return self.codec in LOSSLESS_CODECS or self.codec.startswith("pcm_")

    def channel_weights(self) -> tuple[float, ...]:
        """BS.1770 channel weights in stream order (LFE 0, surround 1.41)."""
        return tuple(
            0.0 if n in _LFE else 1.41 if n in _SURROUND else 1.0 for n in self.channel_names
        )


def _open(path: Path) -> Any:
    if not path.is_file():
        raise ProcessError("unreadable", "no such file", path)
    try:
        # "file:" and an absolute path: a relative name such as "pipe:1" or
        # "concat:a|b.flac" would otherwise be read as one of FFmpeg's protocols.
        return av.open(f"file:{path.resolve()}")
    except av.error.FFmpegError as exc:
        raise ProcessError("unreadable", f"not readable audio ({exc})", path) from exc
    except OSError as exc:
        raise ProcessError("unreadable", f"cannot open ({exc})", path) from exc


def _describe(path: Path, container: Any) -> AudioSource:
    if not container.streams.audio:
        raise ProcessError("no_audio", "the file has no audio stream", path)
    stream = container.streams.audio[0]
    ctx = stream.codec_context
    if ctx is None or not ctx.name:
        raise ProcessError("unsupported", "unsupported audio codec", path)
    if not (stream.rate or ctx.sample_rate) or not (stream.channels or stream.layout.channels):
        raise ProcessError("unreadable", "not readable audio (no sample rate or channels)", path)
    duration: float | None = None
    if stream.duration is not None and stream.time_base is not None:
        duration = float(stream.duration * stream.time_base)
    elif container.duration is not None:
        duration = container.duration / av.time_base
    names = tuple(c.name for c in stream.layout.channels) if stream.layout else ()
    return AudioSource(
        path=path,
        container=container.format.name,
        codec=ctx.name,
        rate=int(stream.rate or ctx.sample_rate or 0),
        channels=int(stream.channels or len(names)),
        channel_names=names or tuple(f"c{i}" for i in range(int(stream.channels or 0))),
        layout=stream.layout.name if stream.layout else "",
        bit_rate=int(stream.bit_rate or container.bit_rate or 0) or None,
        duration_s=duration,
    )


def open_audio(path: Path) -> AudioSource:
    """Describe the first audio stream of ``path`` (header only, nothing decoded).

    Raises:
        ProcessError: missing, not audio (``unreadable``), no audio stream
            (``no_audio``) or a codec FFmpeg cannot decode (``unsupported``).
    """
    path = Path(path)
    container = _open(path)
    try:
        return _describe(path, container)
    finally:
        container.close()


def iter_blocks(path: Path, block: int = 1 << 16) -> tuple[AudioSource, Iterator[np.ndarray]]:
    """The stream description and an iterator of float32 blocks (channels x <= ``block``).

    The iterator raises :class:`ProcessError` (``unreadable``) on a decode
    error or when the decoded length falls well short of the header's.
    """
    path = Path(path)
    container = _open(path)
    try:
        source = _describe(path, container)
    except ProcessError:
        container.close()
        raise
    return source, _blocks(container, source, block)


def _blocks(container: Any, source: AudioSource, block: int) -> Iterator[np.ndarray]:
    stream = container.streams.audio[0]
    resampler = av.AudioResampler(format="fltp")
    pending: list[np.ndarray] = []
    held = 0
    total = 0
    try:
        try:
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    arr = out.to_ndarray()
                    pending.append(arr)
                    held += arr.shape[1]
                    total += arr.shape[1]
                if held >= block:
                    yield np.concatenate(pending, axis=1)
                    pending, held = [], 0
            for out in resampler.resample(None):
                arr = out.to_ndarray()
                pending.append(arr)
                total += arr.shape[1]
        except av.error.FFmpegError as exc:
            raise ProcessError(
                "unreadable", f"damaged or truncated audio (decoder: {exc})", source.path
            ) from exc
        if pending:
            yield np.concatenate(pending, axis=1)
        if total == 0:
            raise ProcessError("unreadable", "no audio could be decoded", source.path)
        if source.duration_s and source.rate:
            decoded_s = total / source.rate
            short = source.duration_s - decoded_s
            if short > max(_TRUNCATION_SLACK_S, source.duration_s * _TRUNCATION_SLACK_RATIO):
                raise ProcessError(
                    "unreadable",
                    f"truncated: {decoded_s:.1f} s of audio, the header says "
                    f"{source.duration_s:.1f} s",
                    source.path,
                )
    finally:
        container.close()


def decode_all(path: Path) -> tuple[AudioSource, np.ndarray]:
    """The whole file as one float32 array (channels x samples)."""
    source, blocks = iter_blocks(path)
    parts = list(blocks)
    return source, np.concatenate(parts, axis=1)
