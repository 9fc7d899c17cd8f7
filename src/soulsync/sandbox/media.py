"""Real audio files for the sandbox, generated with ffmpeg and cached on disk.

Each file is a full-length recording (its duration is the catalogue's) made
of a short tone at a track-specific pitch followed by silence, so it is real,
playable audio that ffprobe and mutagen read like any other, yet compresses
to a few kilobytes (FLAC) or about a megabyte (MP3, encoded at 32 kbit/s mono
whatever bitrate the peer *claims*; a documented fidelity gap).

Files with equal :class:`AudioSpec` share one cached file. The cache lives in
``$SOULSYNC_SANDBOX_CACHE`` or the user cache dir, and is safe to delete.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import platformdirs

from soulsync.sandbox.catalogue import AudioSpec

_VERSION = "v1"


class MediaError(RuntimeError):
    """Audio could not be generated (ffmpeg missing or failing)."""


def default_cache_dir() -> Path:
    """Where generated sandbox audio is kept between runs."""
    env = os.environ.get("SOULSYNC_SANDBOX_CACHE")
    base = Path(env) if env else Path(platformdirs.user_cache_dir("soulsync")) / "sandbox-audio"
    return base / _VERSION


def _ffmpeg() -> str:
    found = shutil.which("ffmpeg")
    if found:
        return found
    try:
        import imageio_ffmpeg

        return str(imageio_ffmpeg.get_ffmpeg_exe())
    except ImportError as exc:
        raise MediaError("ffmpeg is not installed (apt-get install ffmpeg)") from exc


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


def render(spec: AudioSpec, target: Path) -> None:
    """Write the audio of ``spec`` to ``target`` atomically (temp file + rename)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    seconds = spec.duration_ms / 1000
    tone = f"sine=frequency={spec.frequency}:sample_rate={spec.sample_rate}:duration={seconds:.3f}"
    args = [_ffmpeg(), "-v", "error", "-y", "-f", "lavfi", "-i", tone]
    # A two-second tone, then silence: audible in a preview, tiny on disk.
    args += ["-af", "volume='if(lt(t,2),0.3,0)':eval=frame"]
    if spec.fmt == "flac":
        sample_fmt = "s32" if (spec.bit_depth or 16) > 16 else "s16"
        args += ["-ac", "2", "-sample_fmt", sample_fmt, "-c:a", "flac"]
        if (spec.bit_depth or 16) > 16:
            args += ["-bits_per_raw_sample", "24"]
    elif spec.fmt == "mp3":
        args += ["-ac", "1", "-ar", "22050", "-c:a", "libmp3lame", "-b:a", "32k"]
    elif spec.fmt == "m4a":
        # The video site's audio stream (YouTube's itag 140 is AAC in MP4).
        args += ["-ac", "1", "-ar", "22050", "-c:a", "aac", "-b:a", "32k", "-f", "ipod"]
    else:
        raise MediaError(f"unsupported sandbox format {spec.fmt!r}")
    if spec.title:
        args += ["-metadata", f"title={spec.title}"]
    if spec.artist:
        args += ["-metadata", f"artist={spec.artist}"]
    if spec.album:
        args += ["-metadata", f"album={spec.album}"]
    fd, tmp_name = tempfile.mkstemp(prefix=".gen-", suffix=f".{spec.fmt}", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        done = subprocess.run([*args, str(tmp)], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise MediaError(f"ffmpeg failed for {spec}: {done.stderr.strip()[:500]}")
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)
