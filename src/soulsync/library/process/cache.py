"""A disk cache of processing results, keyed by content hash.

Two kinds of entry under the cache folder:

* ``outputs/<key>.<ext>``: a converted/trimmed/normalised file, keyed by
  the source file's content hash plus the settings that shaped the audio,
  so processing the same download with the same profile again copies the
  result instead of decoding and encoding;
* ``analysis/<hash>.json``: the loudness of a file (integrated loudness,
  peaks, the 400 ms block energies album gain needs), keyed by that file's
  own content hash, so measuring it again (an album completed later, a
  second ``soulsync process`` run) is free.

Entries are written to a temporary name and renamed, so a reader never sees
half an entry; a damaged entry reads as a miss.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import shutil
import uuid
from pathlib import Path

import numpy as np

from soulsync.library.process.loudness import Loudness

__all__ = ["ANALYSIS_VERSION", "ProcessCache", "file_hash"]

# Bump when the loudness measurement changes: old entries then read as misses.
ANALYSIS_VERSION = 1
_CHUNK = 1 << 20


def file_hash(path: Path) -> str:
    """BLAKE2b-128 of the file's bytes, hex."""
    digest = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class ProcessCache:
    """Outputs and analyses on disk under ``root`` (created on first write)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.hits = 0
        self.misses = 0

    @staticmethod
    def output_key(source_hash: str, settings_key: str) -> str:
        """The key of the output for one source and one set of audio settings."""
        return hashlib.blake2b(f"{source_hash}|{settings_key}".encode(), digest_size=16).hexdigest()

    def _write(self, final: Path, write: object) -> None:
        final.parent.mkdir(parents=True, exist_ok=True)
        temp = final.parent / f".tmp-{uuid.uuid4().hex[:8]}-{final.name}"
        try:
            if isinstance(write, Path):
                shutil.copyfile(write, temp)
            else:
                temp.write_text(str(write), encoding="utf-8")
            os.replace(temp, final)
        finally:
            with contextlib.suppress(OSError):
                temp.unlink(missing_ok=True)

    def get_output(self, key: str, extension: str) -> Path | None:
        """The cached output file, or None."""
        path = self.root / "outputs" / f"{key}.{extension}"
        if path.is_file() and path.stat().st_size > 0:
            self.hits += 1
            return path
        self.misses += 1
        return None

    def put_output(self, key: str, file: Path) -> None:
        """Keep a copy of ``file`` as the output for ``key`` (best effort: a full disk skips it)."""
        with contextlib.suppress(OSError):
            self._write(self.root / "outputs" / f"{key}{file.suffix}", file)

    def get_analysis(self, content_hash: str) -> Loudness | None:
        """The stored loudness of the file with this content hash, or None."""
        path = self.root / "analysis" / f"{content_hash}.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("v") != ANALYSIS_VERSION:
                return None
            energies = np.frombuffer(base64.b64decode(data["energies"]), dtype="<f8").copy()
            return Loudness(
                integrated_lufs=float(data["lufs"]),
                sample_peak=float(data["sample_peak"]),
                true_peak=None if data["true_peak"] is None else float(data["true_peak"]),
                duration_s=float(data["duration_s"]),
                energies=energies,
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put_analysis(self, content_hash: str, loudness: Loudness) -> None:
        """Store the loudness of the file with this content hash (best effort)."""
        data = {
            "v": ANALYSIS_VERSION,
            "lufs": loudness.integrated_lufs,
            "sample_peak": loudness.sample_peak,
            "true_peak": loudness.true_peak,
            "duration_s": loudness.duration_s,
            "energies": base64.b64encode(
                np.asarray(loudness.energies, dtype="<f8").tobytes()
            ).decode("ascii"),
        }
        with contextlib.suppress(OSError):
            self._write(self.root / "analysis" / f"{content_hash}.json", json.dumps(data))
