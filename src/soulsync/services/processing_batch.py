"""``soulsync process``: run a profile over files already on disk, then album gain per folder.

Files are processed with at most ``workers`` threads (default: cores);
PyAV and scipy release the GIL, so threads use the cores. With ``album``
the files of each folder form one album: once all of them are done, their
blocks are gated together and every file gets the same album gain (written
safely: copy, tag, verify, replace).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from soulsync.library.process import ProcessError
from soulsync.library.process.cache import ProcessCache
from soulsync.library.process.pipeline import ProcessResult, process_file
from soulsync.library.process.profile import Profile
from soulsync.library.process.replaygain import album_gains, default_workers, tag_files
from soulsync.library.process.safe_write import TEMP_PREFIX
from soulsync.store.processing_log import ProcessingLog

__all__ = ["AUDIO_SUFFIXES", "FileOutcome", "collect_files", "process_paths"]

AUDIO_SUFFIXES = frozenset(
    {".flac", ".mp3", ".m4a", ".mp4", ".opus", ".ogg", ".oga", ".wav", ".aif", ".aiff", ".wv"}
)


@dataclass(frozen=True, slots=True)
class FileOutcome:
    """One file's result, or its error."""

    path: Path
    result: ProcessResult | None = None
    error: ProcessError | None = None
    album_gain_db: float | None = None
    album_peak: float | None = None

    def as_dict(self) -> dict[str, Any]:
        """The ``--json`` object."""
        if self.result is None:
            err = self.error
            return {
                "path": str(self.path),
                "output": None,
                "error": str(err) if err else "unknown error",
                "reason": err.reason if err else None,
            }
        data = self.result.as_dict()
        data["album_gain_db"] = (
            round(self.album_gain_db, 2) if self.album_gain_db is not None else None
        )
        data["album_peak"] = round(self.album_peak, 6) if self.album_peak is not None else None
        return data


def collect_files(paths: Iterable[Path]) -> list[Path]:
    """The audio files named or inside the named folders (recursively), in path order.

    Raises:
        ProcessError: a named path does not exist.
    """
    found: list[Path] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            found.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file()
                and p.suffix.lower() in AUDIO_SUFFIXES
                and not p.name.startswith((TEMP_PREFIX, "."))
            )
        elif path.is_file():
            found.append(path)
        else:
            raise ProcessError("unreadable", "no such file or folder", path)
    return list(dict.fromkeys(found))


def process_paths(
    files: Sequence[Path],
    profile: Profile,
    *,
    out_dir: Path | None = None,
    album: bool = False,
    cache: ProcessCache | None = None,
    records: ProcessingLog | None = None,
    on_done: Callable[[FileOutcome], None] | None = None,
) -> list[FileOutcome]:
    """Process ``files``; with ``album`` add album gain per folder. Outcomes in input order.

    ``on_done`` is called for each outcome when its folder is finished (so
    album gains are in it).
    """
    workers = min(len(files), profile.workers or default_workers()) or 1

    def one(path: Path) -> FileOutcome:
        started = time.perf_counter()
        try:
            result = process_file(path, profile, out_dir=out_dir, cache=cache)
        except ProcessError as exc:
            _record(records, path, None, exc, time.perf_counter() - started, profile)
            return FileOutcome(path, error=exc)
        _record(records, path, result, None, result.seconds, profile)
        return FileOutcome(path, result=result)

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="process") as pool:
        outcomes = list(pool.map(one, files))
    if album and profile.replaygain != "off":
        outcomes = _album_pass(outcomes, records)
    if on_done is not None:
        for outcome in outcomes:
            on_done(outcome)
    return outcomes


def _album_pass(outcomes: list[FileOutcome], records: ProcessingLog | None) -> list[FileOutcome]:
    groups: dict[Path, list[int]] = {}
    for i, o in enumerate(outcomes):
        if o.result is not None and o.result.loudness is not None:
            groups.setdefault(Path(o.result.output).parent, []).append(i)
    for indexes in groups.values():
        members = [outcomes[i] for i in indexes]
        louds = [m.result.loudness for m in members if m.result and m.result.loudness]
        gains = album_gains(louds)
        outputs = [Path(m.result.output) for m in members if m.result]
        try:
            tag_files(outputs, gains, keep_album=False)
        except ProcessError as exc:
            for i in indexes:
                outcomes[i] = FileOutcome(outcomes[i].path, error=exc)
            continue
        for i, gain in zip(indexes, gains, strict=True):
            o = outcomes[i]
            outcomes[i] = FileOutcome(o.path, o.result, None, gain.album_gain_db, gain.album_peak)
        if records is not None and gains[0].album_gain_db is not None:
            records.set_album_gain([str(p) for p in outputs], gains[0].album_gain_db)
    return outcomes


def _record(
    records: ProcessingLog | None,
    path: Path,
    result: ProcessResult | None,
    error: ProcessError | None,
    seconds: float,
    profile: Profile,
) -> None:
    if records is None:
        return
    quality = profile.target.label() if profile.target else "keep"
    if result is None:
        records.add(
            source="local",
            path=str(path),
            outcome="failed",
            error=f"{error.reason}: {error}" if error else None,
            seconds=round(seconds, 3),
            quality=quality,
        )
        return
    records.add(
        source="local",
        path=result.path,
        output=result.output,
        outcome="cached" if result.cached else "ok",
        input_format=result.input_format,
        input_bitrate=result.input_bitrate,
        output_format=result.output_format,
        output_bitrate=result.output_bitrate,
        integrated_lufs=result.integrated_lufs,
        track_gain_db=result.track_gain_db,
        track_peak=result.track_peak,
        trimmed_ms=result.trimmed_ms,
        normalized_db=result.normalized_db,
        seconds=result.seconds,
        input_bytes=result.input_bytes,
        output_bytes=result.output_bytes,
        quality=quality if result.converted else "keep",
    )
