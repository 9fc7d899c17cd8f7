"""Audio in-process with PyAV: probing, the integrity check, writing test audio.

No ffmpeg or ffprobe binary is used anywhere: PyAV's wheels bundle FFmpeg's
libraries (FLAC, MP3 via libmp3lame, AAC, ALAC, Opus, Vorbis). Everything
here blocks; async callers use ``asyncio.to_thread``. ``av`` is imported
inside the functions so that importing this module (and the CLI) stays cheap.

:func:`probe` answers two questions in one pass: what the stream is (codec,
rate, depth, channels, duration) and whether the audio really reaches the
end the header promises. It decodes only the first few packets and, after a
seek to just before the promised end, the last few: a truncated FLAC or MP3
keeps its full-length header, but its last decodable audio ends far earlier.

Files are opened by Python and handed to PyAV as file objects, so a name
that looks like one of FFmpeg's protocols (``pipe:1``, ``http:x.flac``,
``concat:a|b.flac``) is always just a file.
"""

from __future__ import annotations

import contextlib
import errno
import re
import threading
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    import numpy as np
    from av.audio.codeccontext import AudioCodecContext
    from av.audio.stream import AudioStream
    from av.container import InputContainer
    from av.packet import Packet

__all__ = [
    "AUDIO_EXTENSIONS",
    "TONE_FORMATS",
    "AudioError",
    "AudioInfo",
    "Encoding",
    "ProbeRun",
    "generate_tone",
    "probe",
    "sine_blocks",
    "write_audio",
]

# Extensions the library layer knows how to tag and verify.
AUDIO_EXTENSIONS = frozenset({"flac", "mp3", "m4a", "mp4", "ogg", "oga", "opus"})

_HEAD_PACKETS = 3  # decoded at the start: the stream really is audio
_TAIL_PACKETS = 12  # decoded at the end: where the audio really stops
_TAIL_S = 1.0  # seek this far before the promised end
_COMPLETE_SLACK_S = 1.0


class AudioError(Exception):
    """A file is not readable audio, or encoding audio failed."""

    def __init__(self, message: str, path: Path | None = None) -> None:
        super().__init__(f"{message}: {path}" if path is not None else message)
        self.path = path
        self.reason = message


@dataclass(frozen=True, slots=True)
class AudioInfo:
    """The first audio stream of a file, as its header describes it and as it decodes.

    ``end_s`` is where the last decodable audio ends, measured from the
    stream's start; for an intact file it is (close to) ``duration_s``, for a
    truncated one it is much earlier. None when nothing at the end decoded.
    """

    duration_s: float
    codec: str
    container: str
    bitrate: int | None  # bits per second, whole file
    sample_rate: int | None
    bit_depth: int | None
    channels: int | None
    end_s: float | None = None

    @property
    def is_complete(self) -> bool:
        """True if the audio reaches the length the header promises (within 1 s)."""
        return self.end_s is not None and self.end_s >= self.duration_s - _COMPLETE_SLACK_S


class _Cancelled(Exception):
    pass


def probe(path: Path, cancel: threading.Event | None = None) -> AudioInfo:
    """Describe the first audio stream of ``path`` and check that it decodes to its end.

    Only the first and the last few packets are decoded, so this costs a few
    milliseconds whatever the file's size. ``cancel``, when set, stops the
    work early (the result is then an :class:`AudioError`).

    Raises:
        AudioError: the file is missing, is not audio, has no audio stream,
            has no duration, or its first packets do not decode.
    """
    import av

    path = Path(path)
    if not path.is_file():
        raise AudioError("no such file", path)
    try:
        with path.open("rb") as fh:
            if fh.seek(0, 2) == 0:
                raise AudioError("empty file", path)
            fh.seek(0)
            with av.open(_Reader(fh), mode="r") as container:
                return _inspect(path, container, cancel)
    except _Cancelled as exc:
        raise AudioError("probe cancelled", path) from exc
    except av.FFmpegError as exc:
        raise AudioError(f"not readable audio ({exc.strerror or exc})", path) from exc
    except (ValueError, IndexError, EOFError) as exc:
        raise AudioError(f"not readable audio ({exc})", path) from exc
    except OSError as exc:
        raise AudioError(f"cannot read file ({exc.strerror or exc})", path) from exc


class _Reader:
    """A read-only file for PyAV whose failed seeks return an error code.

    A demuxer probing garbage may seek to a negative offset; a plain file
    object would raise, and PyAV would print that exception as "dropped".
    """

    def __init__(self, fh: BinaryIO) -> None:
        self._fh = fh
        self.read = fh.read
        self.tell = fh.tell

    def seek(self, offset: int, whence: int = 0) -> int:
        try:
            return self._fh.seek(offset, whence)
        except OSError as exc:
            return -(exc.errno or errno.EINVAL)  # FFmpeg's AVERROR(e) is -e


def _inspect(path: Path, container: InputContainer, cancel: threading.Event | None) -> AudioInfo:
    if not container.streams.audio:
        raise AudioError("no audio stream", path)
    stream = container.streams.audio[0]
    ctx = stream.codec_context
    tb = stream.time_base or Fraction(1, 1)
    start_s = float(stream.start_time * tb) if stream.start_time is not None else 0.0
    if stream.duration:
        duration = float(stream.duration * tb)
    elif container.duration:
        duration = container.duration / 1_000_000  # AV_TIME_BASE
    else:
        duration = 0.0
    if duration <= 0:
        raise AudioError("audio has no duration", path)
    head = _decode_ends(ctx, _first_packets(container, stream, cancel))
    if head is None:
        raise AudioError("audio does not decode", path)
    end = _tail_end(container, stream, start_s + duration - _TAIL_S, cancel)
    return AudioInfo(
        duration_s=duration,
        codec=ctx.codec.canonical_name,
        container=container.format.name,
        bitrate=container.bit_rate or None,
        sample_rate=ctx.sample_rate or None,
        bit_depth=_bit_depth(ctx),
        channels=ctx.channels or None,
        end_s=None if end is None else end - start_s,
    )


def _first_packets(
    container: InputContainer, stream: AudioStream, cancel: threading.Event | None
) -> list[Packet]:
    packets = []
    for packet in container.demux(stream):
        if cancel is not None and cancel.is_set():
            raise _Cancelled
        if packet.size:
            packets.append(packet)
        if len(packets) >= _HEAD_PACKETS:
            break
    return packets


def _tail_end(
    container: InputContainer,
    stream: AudioStream,
    target_s: float,
    cancel: threading.Event | None,
) -> float | None:
    """End time (s, stream clock) of the last audio that decodes at the file's end.

    Seeks to ``target_s`` and keeps only the last packets it demuxes. If the
    seek fails or finds nothing (an index pointing past a truncated end), the
    whole file is demuxed instead: slower, but only for odd files.
    """
    import av

    tb = stream.time_base or Fraction(1, 1)
    for seek in (True, False):
        try:
            container.seek(max(0, int(target_s / tb)) if seek else 0, stream=stream, backward=True)
        except av.FFmpegError:
            continue
        tail: deque[Packet] = deque(maxlen=_TAIL_PACKETS)
        for packet in container.demux(stream):
            if cancel is not None and cancel.is_set():
                raise _Cancelled
            if packet.size:
                tail.append(packet)
        stream.codec_context.flush_buffers()
        end = _decode_ends(stream.codec_context, tail, flush=True)
        if end is not None:
            return end
    return None


def _decode_ends(
    ctx: AudioCodecContext, packets: Iterable[Packet], *, flush: bool = False
) -> float | None:
    """Decode ``packets``; the latest end time of a decoded frame, None if none decoded.

    A packet that fails to decode is skipped: the first packets after a seek
    may lack context (MP3's bit reservoir), and a cut-off last packet is
    exactly what the caller wants to see stop the audio early.
    """
    import av

    end: float | None = None

    def note(frames: Iterable[av.AudioFrame]) -> None:
        nonlocal end
        for frame in frames:
            if frame.time is None or not frame.sample_rate:
                continue
            stop = frame.time + frame.samples / frame.sample_rate
            end = stop if end is None else max(end, stop)

    for packet in packets:
        try:
            note(ctx.decode(packet))
        except (av.FFmpegError, ValueError):
            continue
    if flush:
        with contextlib.suppress(av.FFmpegError, ValueError):
            note(ctx.decode(None))
    ctx.flush_buffers()
    return end


_PCM_BITS = re.compile(r"^pcm_[suf](\d+)")


def _bit_depth(ctx: AudioCodecContext) -> int | None:
    """Bits per sample of lossless audio (None for lossy codecs).

    PyAV does not expose FFmpeg's ``bits_per_raw_sample``, so it is read
    where the format stores it: FLAC's STREAMINFO and ALAC's magic cookie
    (both are the codec's extradata), or the PCM codec's name.
    """
    name = ctx.codec.canonical_name
    extra = bytes(ctx.extradata or b"")
    if name == "flac":
        if extra.startswith(b"fLaC"):
            extra = extra[8:]  # "fLaC" + metadata block header
        if len(extra) >= 14:
            # STREAMINFO: 5 bits of (bits per sample - 1) start at bit 103.
            return (((extra[12] & 0x01) << 4) | (extra[13] >> 4)) + 1
        return None
    if name == "alac":
        # ALACSpecificConfig: frameLength(4) compatibleVersion(1) bitDepth(1);
        # FFmpeg keeps it inside its 12-byte 'alac' atom header.
        base = 12 if extra[4:8] == b"alac" else 0
        return extra[base + 5] if len(extra) > base + 5 else None
    match = _PCM_BITS.match(name)
    return int(match.group(1)) if match else None


class ProbeRun:
    """A :func:`probe` started on a background thread; :meth:`result` waits for it.

    Lets a caller overlap the probe with other work (the mover probes the
    original while it copies it). PyAV releases the GIL while it decodes.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise AudioError("no such file", self.path)
        self._cancel = threading.Event()
        self._info: AudioInfo | None = None
        self._error: AudioError | None = None
        self._thread = threading.Thread(target=self._run, name="soulsync-probe", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._info = probe(self.path, self._cancel)
        except AudioError as exc:
            self._error = exc

    def cancel(self) -> None:
        """Stop the probe if it is still running (its result is no longer wanted)."""
        self._cancel.set()
        self._thread.join()

    def result(self) -> AudioInfo:
        """Wait for the probe and return what it found.

        Raises:
            AudioError: not audio, no audio stream, or the probe was cancelled.
        """
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._info is not None  # the thread sets one of the two
        return self._info


# --- writing audio -------------------------------------------------------------------

_BLOCK = 4096  # frames per block handed to the encoder


@dataclass(frozen=True, slots=True)
class Encoding:
    """How to encode: FFmpeg encoder and muxer names plus their settings.

    ``sample_fmt`` fixes the encoder's sample format, which sets the bit depth
    of lossless codecs (``s16`` FLAC is 16-bit); ``rate`` forces a sample rate
    the codec requires (Opus: 48 kHz); ``options`` are encoder AVOptions.
    """

    codec: str
    container: str
    ext: str
    sample_fmt: str | None = None
    bit_rate: int | None = None
    rate: int | None = None
    options: tuple[tuple[str, str], ...] = ()


# Formats ``generate_tone`` can make. MP3 is CBR at the given bit rate;
# compression_level 7 only makes LAME's search faster (same size, same rate).
# Ogg uses FFmpeg's own Vorbis encoder (the wheels carry no libvorbis), which
# FFmpeg marks experimental and which writes stereo only.
TONE_FORMATS: dict[str, Encoding] = {
    "flac": Encoding("flac", "flac", "flac", sample_fmt="s16"),
    "mp3": Encoding(
        "libmp3lame", "mp3", "mp3", bit_rate=192_000, options=(("compression_level", "7"),)
    ),
    "aac": Encoding("aac", "ipod", "m4a", bit_rate=160_000),
    "m4a": Encoding("aac", "ipod", "m4a", bit_rate=160_000),
    "alac": Encoding("alac", "ipod", "m4a", sample_fmt="s16p"),
    "ogg": Encoding("vorbis", "ogg", "ogg", options=(("strict", "experimental"),)),
    "opus": Encoding("libopus", "opus", "opus", bit_rate=128_000, rate=48_000),
    "wav": Encoding("pcm_s16le", "wav", "wav", sample_fmt="s16"),
}


def sine_blocks(
    freq: float,
    duration_s: float,
    sample_rate: int,
    channels: int,
    *,
    amplitude: float = 0.125,
    tone_s: float | None = None,
) -> Iterator[np.ndarray]:
    """Planar float32 blocks (channels x frames) of a sine lasting ``duration_s``.

    With ``tone_s`` the sine stops after that many seconds and the rest is
    silence (compresses to almost nothing). The phase runs on across blocks.
    """
    import numpy as np

    total = round(duration_s * sample_rate)
    tone_end = total if tone_s is None else min(total, round(tone_s * sample_rate))
    silence = np.zeros((channels, _BLOCK), dtype=np.float32)
    step = 2.0 * np.pi * freq / sample_rate
    for start in range(0, total, _BLOCK):
        n = min(_BLOCK, total - start)
        if start >= tone_end:
            yield silence[:, :n]
            continue
        idx = np.arange(start, start + n, dtype=np.float64)
        wave = (amplitude * np.sin(step * idx)).astype(np.float32)
        wave[max(0, tone_end - start) :] = 0.0
        yield np.repeat(wave[np.newaxis, :], channels, axis=0)


def _noise_blocks(duration_s: float, sample_rate: int, channels: int) -> Iterator[np.ndarray]:
    """Independent full-scale white noise per channel (barely compressible)."""
    import numpy as np

    total = round(duration_s * sample_rate)
    rng = np.random.default_rng(1)  # fixed seed: the same call makes the same file
    for start in range(0, total, _BLOCK):
        n = min(_BLOCK, total - start)
        yield rng.uniform(-1.0, 1.0, (channels, n)).astype(np.float32)


def write_audio(
    path: Path,
    encoding: Encoding,
    blocks: Iterable[np.ndarray],
    *,
    sample_rate: int,
    channels: int,
    metadata: Mapping[str, str] | None = None,
) -> Path:
    """Encode planar float32 ``blocks`` into a new file at ``path``.

    ``metadata`` goes into the container's tags (Vorbis comments in FLAC,
    ID3v2 in MP3, ...). Overwrites ``path``; not atomic (callers that share
    a file write a temporary name and rename it).

    Raises:
        AudioError: the encoder or muxer failed.
    """
    import av
    import numpy as np
    from av.audio.stream import AudioStream

    path = Path(path)
    if encoding.codec == "vorbis" and channels != 2:
        raise AudioError("FFmpeg's Vorbis encoder writes stereo only", path)
    layout = "mono" if channels == 1 else "stereo" if channels == 2 else f"{channels}c"
    try:
        with path.open("wb") as fh, av.open(fh, mode="w", format=encoding.container) as out:
            if metadata:
                out.metadata.update(metadata)
            stream = out.add_stream(
                encoding.codec, rate=sample_rate, options=dict(encoding.options)
            )
            if not isinstance(stream, AudioStream):
                raise AudioError(f"{encoding.codec} is not an audio encoder", path)
            ctx = stream.codec_context
            ctx.layout = layout
            if encoding.sample_fmt:
                ctx.format = encoding.sample_fmt
            if encoding.bit_rate:
                ctx.bit_rate = encoding.bit_rate
            pts = 0
            for block in blocks:
                frame = av.AudioFrame.from_ndarray(
                    np.ascontiguousarray(block, dtype=np.float32), format="fltp", layout=layout
                )
                frame.sample_rate = sample_rate
                frame.pts = pts
                pts += frame.samples
                out.mux(stream.encode(frame))
            out.mux(stream.encode(None))
    except (av.FFmpegError, ValueError) as exc:
        raise AudioError(f"encoding {encoding.codec} failed ({exc})", path) from exc
    return path


def generate_tone(
    path: Path,
    fmt: str | None = None,
    duration_s: float = 3.0,
    freq: float = 440.0,
    *,
    noise: bool = False,
    sample_rate: int = 44100,
    channels: int = 2,
) -> Path:
    """Write real audio to ``path`` (in-process, PyAV) and return the path.

    ``fmt`` is one of :data:`TONE_FORMATS` (flac, mp3, aac/m4a, alac, ogg,
    opus, wav); when None it is taken from the path's extension. A sine at
    ``freq`` Hz by default; ``noise=True`` writes independent white noise per
    channel instead, which barely compresses (a 3-minute stereo FLAC is about
    30 MB), for benchmarks. Opus is always encoded at 48 kHz, as the codec requires.

    Raises:
        AudioError: unknown format or the encoder failed.
    """
    path = Path(path)
    name = (fmt or path.suffix.lstrip(".")).lower()
    encoding = TONE_FORMATS.get(name)
    if encoding is None:
        raise AudioError(f"unknown test audio format {name!r}", path)
    rate = encoding.rate or sample_rate
    blocks = (
        _noise_blocks(duration_s, rate, channels)
        if noise
        else sine_blocks(freq, duration_s, rate, channels)
    )
    return write_audio(path, encoding, blocks, sample_rate=rate, channels=channels)
