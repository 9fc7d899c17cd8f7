"""Real audio files for the sandbox, generated in-process with PyAV and cached on disk.

Each file is a full-length recording (its duration is the catalogue's) made
of a short tone at a track-specific pitch followed by silence, so it is real,
playable audio that PyAV and mutagen read like any other, yet compresses
to a few kilobytes (FLAC) or about a megabyte (MP3, encoded at 32 kbit/s mono
whatever bitrate the peer *claims*; a documented fidelity gap).

Files with equal :class:`AudioSpec` share one cached file. The cache lives in
``$SOULSYNC_SANDBOX_CACHE`` or the user cache dir, and is safe to delete.
Several processes may share it: a file is written under a temporary name
and renamed into place, so a reader never sees half a file.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import platformdirs

from soulsync.library.audio import AudioError, Encoding, sine_blocks, write_audio
from soulsync.sandbox.catalogue import AudioSpec

# v2: PyAV-rendered (v1 files came from the ffmpeg binary and are not reused).
_VERSION = "v2"
_TONE_S = 2.0  # audible in a preview, then silence: tiny on disk
_TONE_AMPLITUDE = 0.3


class MediaError(RuntimeError):
    """Audio could not be generated (unsupported format or the encoder failed)."""


def default_cache_dir() -> Path:
    """Where generated sandbox audio is kept between runs."""
    env = os.environ.get("SOULSYNC_SANDBOX_CACHE")
    base = Path(env) if env else Path(platformdirs.user_cache_dir("soulsync")) / "sandbox-audio"
    return base / _VERSION


class AudioCache:
    """Generates and caches the audio behind sandbox files."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root or default_cache_dir()
        self.root.mkdir(parents=True, exist_ok=True)

    def path_for(self, spec: AudioSpec) -> Path:
        """The cache path of ``spec`` (may not exist yet)."""
        digest = hashlib.sha1(repr(spec).encode()).hexdigest()[:20]
        return self.root / f"{digest}.{spec.fmt}"

    def ensure(self, spec: AudioSpec) -> Path:
        """The cached file for ``spec``, generating it first if needed."""
        target = self.path_for(spec)
        if target.exists():
            return target
        render(spec, target)
        return target

    def ensure_all(self, specs: Iterable[AudioSpec], workers: int = 2) -> dict[AudioSpec, Path]:
        """Generate every missing spec (in parallel) and return their paths."""
        unique = list(dict.fromkeys(specs))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            paths = list(pool.map(self.ensure, unique))
        return dict(zip(unique, paths, strict=True))


def _encoding(spec: AudioSpec) -> tuple[Encoding, int]:
    """The encoder settings and channel count for ``spec``."""
    if spec.fmt == "flac":
        if (spec.bit_depth or 16) > 16:
            # 24-bit FLAC: FFmpeg encodes from s32 and is told the real depth.
            opts = (("bits_per_raw_sample", "24"),)
            return Encoding("flac", "flac", "flac", sample_fmt="s32", options=opts), 2
        return Encoding("flac", "flac", "flac", sample_fmt="s16"), 2
    if spec.fmt == "mp3":
        return Encoding("libmp3lame", "mp3", "mp3", bit_rate=32_000, rate=22_050), 1
    if spec.fmt == "m4a":
        # The video site's audio stream (YouTube's itag 140 is AAC in MP4).
        return Encoding("aac", "ipod", "m4a", bit_rate=32_000, rate=22_050), 1
    raise MediaError(f"unsupported sandbox format {spec.fmt!r}")


def render(spec: AudioSpec, target: Path) -> None:
    """Write the audio of ``spec`` to ``target`` atomically (temp file + rename)."""
    encoding, channels = _encoding(spec)
    rate = encoding.rate or spec.sample_rate
    tags = {"title": spec.title, "artist": spec.artist, "album": spec.album}
    metadata = {key: value for key, value in tags.items() if value}
    blocks = sine_blocks(
        spec.frequency,
        spec.duration_ms / 1000,
        rate,
        channels,
        amplitude=_TONE_AMPLITUDE,
        tone_s=_TONE_S,
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".gen-", suffix=f".{spec.fmt}", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write_audio(tmp, encoding, blocks, sample_rate=rate, channels=channels, metadata=metadata)
        tmp.replace(target)
    except AudioError as exc:
        raise MediaError(f"cannot generate audio for {spec}: {exc.reason}") from exc
    finally:
        tmp.unlink(missing_ok=True)
