"""Encoding float32 samples to a file with PyAV's bundled encoders.

Targets (codec, container, extension): MP3 through LAME (CBR at a bit rate,
or VBR ``V0``-``V9`` through LAME's quality scale), Opus through libopus in
an Ogg ``.opus`` file (always 48 kHz: the only rate Opus codes internally),
AAC through FFmpeg's native encoder in an ``.m4a`` (iPod MP4) file, and
FLAC/WAV for lossless output (used by trimming and normalising a lossless
file, and by the tests to make source files).

Rates above 48 kHz become 48 kHz (44.1 kHz for multiples of 44.1 kHz) for
the lossy targets, which do not code more; MP3 is at most stereo.
"""

from __future__ import annotations

import contextlib
import errno
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import numpy as np

from soulsync.library.process.errors import ProcessError

__all__ = ["FORMATS", "Target", "encode", "os_error_reason"]

# format -> (encoder, container, extension)
FORMATS: dict[str, tuple[str, str, str]] = {
    "mp3": ("libmp3lame", "mp3", "mp3"),
    "opus": ("libopus", "opus", "opus"),
    "aac": ("aac", "ipod", "m4a"),
    "flac": ("flac", "flac", "flac"),
    "alac": ("alac", "ipod", "m4a"),
    "wav": ("pcm_s16le", "wav", "wav"),
}
LOSSY = frozenset({"mp3", "opus", "aac"})
# LAME's VBR scale goes through FFmpeg's global_quality in lambda units.
_FF_QP2LAMBDA = 118
_BLOCK = 1 << 15


@dataclass(frozen=True, slots=True)
class Target:
    """What to encode to. ``bitrate_kbps`` for CBR/ABR, ``vbr_quality`` (0 = V0) for MP3 VBR."""

    format: str
    bitrate_kbps: int | None = None
    vbr_quality: int | None = None

    def __post_init__(self) -> None:
        if self.format not in FORMATS:
            raise ValueError(f"unknown output format {self.format!r} (use {', '.join(FORMATS)})")
        if self.vbr_quality is not None and not (0 <= self.vbr_quality <= 9):
            raise ValueError("MP3 VBR quality runs from 0 (V0, best) to 9")
        if self.bitrate_kbps is not None and not (8 <= self.bitrate_kbps <= 512):
            raise ValueError("bit rate must be between 8 and 512 kbit/s")

    @property
    def extension(self) -> str:
        """The file extension, without the dot."""
        return FORMATS[self.format][2]

    @property
    def lossy(self) -> bool:
        """True for MP3, Opus and AAC."""
        return self.format in LOSSY

    def label(self) -> str:
        """A short description, e.g. ``mp3 192k`` or ``mp3 V0``."""
        if self.vbr_quality is not None:
            return f"{self.format} V{self.vbr_quality}"
        return f"{self.format} {self.bitrate_kbps}k" if self.bitrate_kbps else self.format


def os_error_reason(exc: OSError) -> str:
    """``disk_full``, ``read_only`` or ``io`` for an OS error."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "disk_full"
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return "read_only"
    return "io"


_DEFAULT_LAYOUTS = {
    1: "mono",
    2: "stereo",
    3: "2.1",
    4: "quad",
    5: "5.0",
    6: "5.1",
    7: "6.1",
    8: "7.1",
}


def default_layout(channels: int) -> str:
    """FFmpeg's usual layout name for ``channels`` channels."""
    try:
        return _DEFAULT_LAYOUTS[channels]
    except KeyError:
        raise ProcessError("unsupported", f"{channels} channels are not supported") from None


def _out_rate(fmt: str, rate: int) -> int:
    if fmt == "opus":
        return 48000
    if fmt in LOSSY and rate > 48000:
        return 44100 if rate % 44100 == 0 else 48000
    return rate


def _out_layout(fmt: str, layout: str, channels: int) -> str:
    name = layout or ("mono" if channels == 1 else "stereo" if channels == 2 else "")
    if fmt == "mp3" and channels > 2:
        return "stereo"
    return name or default_layout(channels)


def encode(
    samples: np.ndarray,
    rate: int,
    layout: str,
    dest: Path,
    target: Target,
    progress: Callable[[float], None] | None = None,
) -> None:
    """Encode ``samples`` (channels x n, float, full scale 1.0) into a new file ``dest``.

    ``progress`` is called with the fraction done (0..1) as blocks are encoded.

    Raises:
        ProcessError: ``encode_failed`` (FFmpeg refused), ``disk_full`` or
            ``read_only``; a partial ``dest`` is removed.
    """
    dest = Path(dest)
    # Only a file this call creates may be removed on failure: never a device
    # or someone else's file.
    existed = dest.exists()
    codec, container_name, _ = FORMATS[target.format]
    channels = samples.shape[0]
    in_layout = layout or default_layout(channels)
    out_rate = _out_rate(target.format, rate)
    out_layout = _out_layout(target.format, layout, channels)
    try:
        # "file:" + absolute path: never one of FFmpeg's protocols (see decode._open).
        container: Any = av.open(f"file:{dest.resolve()}", mode="w", format=container_name)
        try:
            stream: Any = container.add_stream(codec, rate=out_rate, layout=out_layout)
            ctx = stream.codec_context
            if target.format == "wav":
                ctx.format = "s16"
            elif target.format in ("flac", "alac"):
                ctx.format = _lossless_format(target.format, _needs_24(samples))
            if target.vbr_quality is not None:
                ctx.qscale = True
                ctx.global_quality = target.vbr_quality * _FF_QP2LAMBDA
            elif target.bitrate_kbps:
                ctx.bit_rate = target.bitrate_kbps * 1000
            resampler = av.AudioResampler(format=ctx.format.name, layout=out_layout, rate=out_rate)
            data = np.ascontiguousarray(samples, dtype=np.float32)
            for start in range(0, data.shape[1], _BLOCK):
                frame = av.AudioFrame.from_ndarray(
                    np.ascontiguousarray(data[:, start : start + _BLOCK]),
                    format="fltp",
                    layout=in_layout,
                )
                frame.sample_rate = rate
                frame.pts = start
                for out in resampler.resample(frame):
                    for packet in stream.encode(out):
                        container.mux(packet)
                if progress is not None:
                    progress(min(1.0, (start + _BLOCK) / max(1, data.shape[1])))
            for out in resampler.resample(None):
                for packet in stream.encode(out):
                    container.mux(packet)
            for packet in stream.encode(None):
                container.mux(packet)
        finally:
            container.close()
    except (OSError, av.error.FFmpegError) as exc:
        if not existed and dest.is_file():
            with contextlib.suppress(OSError):
                dest.unlink()
        code = getattr(exc, "errno", None)
        reason = os_error_reason(exc) if isinstance(exc, OSError) and code else "encode_failed"
        if reason == "encode_failed" and code in (errno.ENOSPC, errno.EROFS, errno.EACCES):
            reason = "disk_full" if code == errno.ENOSPC else "read_only"
        if reason == "io":
            reason = "encode_failed"
        raise ProcessError(reason, f"could not write {target.label()} ({exc})", dest) from exc


def _lossless_format(fmt: str, deep: bool) -> str:
    if fmt == "alac":
        return "s32p" if deep else "s16p"
    return "s32" if deep else "s16"


def _needs_24(samples: np.ndarray) -> bool:
    """Lossless output keeps 24 bits when the samples carry more than 16 bits' worth."""
    probe = samples[:, : min(samples.shape[1], 1 << 16)] * 32768.0
    return bool(np.any(np.abs(probe - np.round(probe)) > 1e-3))
