"""ffmpeg and ffprobe: locating them, probing audio files, generating test audio.

Everything here blocks (it runs subprocesses); async callers use
``asyncio.to_thread``. ffmpeg is looked up on ``PATH`` first and, failing that,
taken from the ``imageio-ffmpeg`` wheel if it is installed. That wheel ships no
ffprobe, so without a system ffprobe :func:`probe` cannot run and says so.

:func:`probe` answers two questions with one ffprobe run: what the stream is
(codec, rate, depth, channels, duration) and whether the audio really reaches
the end the header promises. The second part asks ffprobe to seek past the end
and list the last packets: a truncated FLAC or MP3 keeps its full-length
header but its last packet sits far before that length.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "AUDIO_EXTENSIONS",
    "TONE_FORMATS",
    "AudioError",
    "AudioInfo",
    "ProbeRun",
    "ffmpeg_path",
    "ffprobe_json",
    "ffprobe_path",
    "generate_tone",
    "probe",
]

# Extensions the library layer knows how to tag and verify.
AUDIO_EXTENSIONS = frozenset({"flac", "mp3", "m4a", "mp4", "ogg", "oga", "opus"})

# Formats ``generate_tone`` can make: name -> (ffmpeg codec args, container, extension).
TONE_FORMATS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "flac": (("-c:a", "flac", "-sample_fmt", "s16"), "flac", "flac"),
    "mp3": (("-c:a", "libmp3lame", "-b:a", "192k"), "mp3", "mp3"),
    "aac": (("-c:a", "aac", "-b:a", "160k"), "ipod", "m4a"),
    "m4a": (("-c:a", "aac", "-b:a", "160k"), "ipod", "m4a"),
    "alac": (("-c:a", "alac", "-sample_fmt", "s16p"), "ipod", "m4a"),
    "ogg": (("-c:a", "libvorbis", "-q:a", "4"), "ogg", "ogg"),
    "opus": (("-c:a", "libopus", "-b:a", "128k"), "opus", "opus"),
    "wav": (
        (
            "-c:a",
            "pcm_s16le",
        ),
        "wav",
        "wav",
    ),
}

_PROBE_TIMEOUT_S = 60
_GENERATE_TIMEOUT_S = 300


class AudioError(Exception):
    """A file is not readable audio, or ffmpeg/ffprobe is unavailable or failed."""

    def __init__(self, message: str, path: Path | None = None) -> None:
        super().__init__(f"{message}: {path}" if path is not None else message)
        self.path = path
        self.reason = message


@dataclass(frozen=True, slots=True)
class AudioInfo:
    """What ffprobe says about the first audio stream of a file.

    ``end_s`` is where the last audio packet ends; for an intact file it is
    (close to) ``duration_s``, for a truncated one it is much earlier. It is
    None when ffprobe listed no packets at the end.
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
        return self.end_s is not None and self.end_s >= self.duration_s - 1.0


@functools.cache
def ffmpeg_path() -> str:
    """Path of the ffmpeg binary: system first, then imageio-ffmpeg's bundled one.

    Raises:
        AudioError: neither is available.
    """
    found = shutil.which("ffmpeg")
    if found:
        return found
    try:
        import imageio_ffmpeg
    except ImportError as exc:
        raise AudioError("ffmpeg not found on PATH and imageio-ffmpeg is not installed") from exc
    return str(imageio_ffmpeg.get_ffmpeg_exe())


@functools.cache
def ffprobe_path() -> str:
    """Path of the ffprobe binary: system first, then next to the ffmpeg in use.

    Raises:
        AudioError: no ffprobe can be found (imageio-ffmpeg does not ship one).
    """
    found = shutil.which("ffprobe")
    if found:
        return found
    sibling = Path(ffmpeg_path()).with_name("ffprobe")
    if sibling.is_file() and os.access(sibling, os.X_OK):
        return str(sibling)
    raise AudioError("ffprobe not found on PATH or next to ffmpeg; install ffmpeg")


def _ff_url(path: Path) -> str:
    """An explicit ``file:`` URL, so a hostile name like ``http:…``, ``pipe:1`` or
    ``concat:…`` is never taken for one of ffmpeg's other protocols."""
    return "file:" + str(Path(path).absolute())


def ffprobe_json(path: Path, *extra: str) -> dict[str, Any]:
    """Run ffprobe on ``path`` with ``-of json -show_format -show_streams`` plus ``extra``.

    Returns the parsed JSON. Tests use this as the independent second tool that
    reads tags back (``format.tags``, attached picture streams).

    Raises:
        AudioError: the file is missing or ffprobe cannot read it.
    """
    path = Path(path)
    if not path.is_file():
        raise AudioError("no such file", path)
    cmd = [ffprobe_path(), "-v", "error", "-of", "json", "-show_format", "-show_streams", *extra]
    cmd += ["-i", _ff_url(path)]
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=_PROBE_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired as exc:
        raise AudioError("ffprobe timed out", path) from exc
    return _parse_probe_output(path, proc.returncode, proc.stdout, proc.stderr)


def _parse_probe_output(path: Path, rc: int, out: bytes, err: bytes) -> dict[str, Any]:
    if rc != 0:
        detail = err.decode("utf-8", "replace").strip().splitlines()
        raise AudioError(f"not readable audio ({detail[-1] if detail else f'rc {rc}'})", path)
    try:
        data: dict[str, Any] = json.loads(out or b"{}")
    except json.JSONDecodeError as exc:
        raise AudioError("ffprobe returned unreadable output", path) from exc
    return data


def _probe_cmd(path: Path) -> list[str]:
    # "-read_intervals 99999%" seeks far past the end, so only the last packets
    # are listed: cheap even for a 30 MB file, and it exposes truncation.
    return [
        ffprobe_path(),
        "-v",
        "error",
        "-of",
        "json",
        "-show_format",
        "-show_streams",
        "-select_streams",
        "a:0",
        "-read_intervals",
        "99999%",
        "-show_entries",
        "packet=pts_time,duration_time",
        "-i",
        _ff_url(path),
    ]


class ProbeRun:
    """A probe started in the background; :meth:`result` waits for it.

    Lets a caller overlap the ffprobe subprocess with other work (the mover
    probes the original while it copies it).
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise AudioError("no such file", self.path)
        self._proc = subprocess.Popen(
            _probe_cmd(self.path), stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )

    def cancel(self) -> None:
        """Kill the probe if it is still running (its result is no longer wanted)."""
        if self._proc.returncode is not None:
            return  # already collected
        if self._proc.poll() is None:
            self._proc.kill()
        self._proc.communicate()

    def result(self) -> AudioInfo:
        """Wait for ffprobe and interpret its output.

        Raises:
            AudioError: not audio, no audio stream, or ffprobe failed.
        """
        try:
            out, err = self._proc.communicate(timeout=_PROBE_TIMEOUT_S)
        except subprocess.TimeoutExpired as exc:
            self._proc.kill()
            self._proc.communicate()
            raise AudioError("ffprobe timed out", self.path) from exc
        data = _parse_probe_output(self.path, self._proc.returncode, out, err)
        return _audio_info(self.path, data)


def probe(path: Path) -> AudioInfo:
    """Describe the first audio stream of ``path``.

    Raises:
        AudioError: the file is missing, is not audio, or has no audio stream.
    """
    return ProbeRun(path).result()


def _num(value: Any, kind: type[int] | type[float]) -> Any:
    if value in (None, "", "N/A"):
        return None
    try:
        return kind(float(value)) if kind is int else float(value)
    except (TypeError, ValueError):
        return None


def _audio_info(path: Path, data: dict[str, Any]) -> AudioInfo:
    streams = [s for s in data.get("streams", []) if s.get("codec_type") == "audio"]
    if not streams:
        raise AudioError("no audio stream", path)
    stream = streams[0]
    fmt = data.get("format", {})
    duration = _num(stream.get("duration"), float) or _num(fmt.get("duration"), float)
    if not duration or duration <= 0:
        raise AudioError("audio has no duration", path)
    bit_depth = _num(stream.get("bits_per_raw_sample"), int) or _num(
        stream.get("bits_per_sample"), int
    )
    end_s: float | None = None
    for packet in data.get("packets", []):
        pts = _num(packet.get("pts_time"), float)
        if pts is None:
            continue
        end = pts + (_num(packet.get("duration_time"), float) or 0.0)
        end_s = end if end_s is None else max(end_s, end)
    return AudioInfo(
        duration_s=float(duration),
        codec=str(stream.get("codec_name", "")),
        container=str(fmt.get("format_name", "")),
        bitrate=_num(fmt.get("bit_rate"), int),
        sample_rate=_num(stream.get("sample_rate"), int),
        bit_depth=bit_depth or None,
        channels=_num(stream.get("channels"), int),
        end_s=end_s,
    )


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
    """Write real audio to ``path`` with ffmpeg and return the path.

    ``fmt`` is one of :data:`TONE_FORMATS` (flac, mp3, aac/m4a, alac, ogg,
    opus, wav); when None it is taken from the path's extension. A sine at
    ``freq`` Hz by default; ``noise=True`` writes independent white noise per
    channel instead, which barely compresses (a 3-minute stereo FLAC is about
    30 MB), for benchmarks. Opus is always encoded at 48 kHz, as the codec requires.

    Raises:
        AudioError: unknown format or ffmpeg failed.
    """
    path = Path(path)
    name = (fmt or path.suffix.lstrip(".")).lower()
    if name not in TONE_FORMATS:
        raise AudioError(f"unknown test audio format {name!r}", path)
    codec_args, container, _ext = TONE_FORMATS[name]
    rate = 48000 if name == "opus" else sample_rate
    cmd = [ffmpeg_path(), "-v", "error", "-y", "-nostdin"]
    if noise:
        for ch in range(channels):
            cmd += [
                "-f",
                "lavfi",
                "-i",
                f"anoisesrc=d={duration_s}:c=white:r={rate}:a=1:seed={ch + 1}",
            ]
        if channels > 1:
            cmd += ["-filter_complex", f"amerge=inputs={channels}"]
    else:
        cmd += [
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency={freq}:duration={duration_s}:sample_rate={rate}",
        ]
        cmd += ["-ac", str(channels)]
    cmd += [*codec_args, "-f", container, _ff_url(path)]
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=_GENERATE_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired as exc:
        raise AudioError("ffmpeg timed out generating audio", path) from exc
    if proc.returncode != 0:
        detail = proc.stderr.decode("utf-8", "replace").strip()
        raise AudioError(f"ffmpeg failed generating {name} ({detail[-300:]})", path)
    return path
