"""The processing step of the matched pipeline: after verify, before the file is filed.

:class:`ProcessingStep` is used by :class:`soulsync.services.matched.Organiser`
(in a worker thread, never on the event loop):

1. :meth:`prepare` runs the profile on the download. When the audio changes
   (convert, trim, normalise) the result goes to a staging folder inside the
   downloads folder, so the download itself is untouched; otherwise the
   download is only measured. Either way the loudness is known.
2. The Organiser moves the staged file with ``safe_move``, whose tag write
   clears every field; :meth:`Staged.add_gain` puts the ReplayGain fields
   back on the temporary copy before it is verified and placed.
3. :meth:`filed` records the ``processing`` row, caches the placed file's
   analysis (by content hash), writes the lossy copy, and, when the album's
   last track has arrived, computes the album gain over all its files and
   writes it into each (copy, tag, verify, replace).

A semaphore bounds how many files are decoded/encoded at once (the
``workers`` setting, default: the number of cores), whatever the number of
download workers.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import threading
import time
import uuid
from dataclasses import dataclass, replace
from pathlib import Path

from soulsync.domain import Album
from soulsync.library.process import ProcessError
from soulsync.library.process.cache import ProcessCache, file_hash
from soulsync.library.process.decode import open_audio
from soulsync.library.process.gain_tags import GainTags, write_gain
from soulsync.library.process.loudness import Loudness, analyse_file
from soulsync.library.process.pipeline import ProcessResult, plan_target, process_file
from soulsync.library.process.profile import Profile
from soulsync.library.process.replaygain import album_gains, default_workers, tag_files, track_gains
from soulsync.library.tags import TagError, read_tags
from soulsync.store.processing_log import ProcessingLog

__all__ = ["STAGING_DIR", "ProcessingStep", "Staged"]

log = logging.getLogger(__name__)

STAGING_DIR = ".soulsync-processing"
_ALBUM_EXTENSIONS = frozenset({".flac", ".mp3", ".m4a", ".opus", ".ogg", ".oga"})


@dataclass(frozen=True, slots=True)
class Staged:
    """A download after processing, ready to be filed."""

    source: Path  # the original download
    path: Path  # what to move: a staged file, or the download itself
    result: ProcessResult | None  # None when only measured
    loudness: Loudness
    gains: GainTags | None
    started: float
    quality: str

    @property
    def rewritten(self) -> bool:
        """True when the audio was re-encoded into a staging file."""
        return self.path != self.source

    def add_gain(self, temp: Path) -> None:
        """The ``safe_move`` hook: ReplayGain fields on the tagged temporary copy."""
        if self.gains is None:
            return
        try:
            write_gain(temp, self.gains)
        except ProcessError as exc:
            raise TagError(str(exc), temp) from exc


class ProcessingStep:
    """Processing for the download pipeline (thread-safe; blocking methods)."""

    def __init__(
        self,
        profile: Profile,
        *,
        staging_root: Path,
        library_root: Path,
        cache: ProcessCache | None = None,
        records: ProcessingLog | None = None,
        source_kind: str = "soulseek",
    ) -> None:
        self.profile = profile
        self.staging_root = Path(staging_root)
        self.library_root = Path(library_root)
        self.cache = cache
        self.records = records
        self.source_kind = source_kind
        self._slots = threading.BoundedSemaphore(profile.workers or default_workers())
        self._album_locks: dict[Path, threading.Lock] = {}
        self._guard = threading.Lock()

    # -- before the move ---------------------------------------------------------------

    def output_extension(self, source: Path) -> str:
        """The extension the filed file will have (a conversion changes it)."""
        try:
            target = plan_target(open_audio(source), self.profile)
        except ProcessError:
            return source.suffix.lstrip(".")  # prepare() will report the problem
        return target.extension if target is not None else source.suffix.lstrip(".")

    def prepare(self, source: Path, *, job_id: int | None = None) -> Staged:
        """Process ``source`` (untouched) into a staged file, or just measure it.

        Raises:
            ProcessError: recorded as a failed row; the download is untouched.
        """
        started = time.perf_counter()
        try:
            with self._slots:
                return self._prepare(Path(source), started)
        except ProcessError as exc:
            self._record_failure(Path(source), exc, started, job_id)
            raise

    def _prepare(self, source: Path, started: float) -> Staged:
        info = open_audio(source)
        target = plan_target(info, self.profile)
        quality = target.label() if target is not None else "keep"
        if target is None:
            loud = self._analysis(source)
            gains = track_gains(loud) if self.profile.replaygain != "off" else None
            return Staged(source, source, None, loud, gains, started, quality)
        stage = self.staging_root / STAGING_DIR / uuid.uuid4().hex[:12]
        # Gains are written during the move (its tag write clears every field).
        staging_profile = replace(self.profile, replaygain="off", lossy_copy_dir=None)
        try:
            result = process_file(source, staging_profile, out_dir=stage, cache=self.cache)
        except BaseException:
            shutil.rmtree(stage, ignore_errors=True)
            raise
        # process_file always measures; the fallback keeps the types honest.
        loud = (
            result.loudness if result.loudness is not None else analyse_file(Path(result.output))[1]
        )
        gains = track_gains(loud) if self.profile.replaygain != "off" else None
        return Staged(source, Path(result.output), result, loud, gains, started, quality)

    def _analysis(self, path: Path) -> Loudness:
        digest = file_hash(path) if self.cache is not None else None
        if self.cache is not None and digest is not None:
            hit = self.cache.get_analysis(digest)
            if hit is not None:
                return hit
        loud = analyse_file(path, measure_true_peak=self.profile.true_peak)[1]
        if self.cache is not None and digest is not None:
            self.cache.put_analysis(digest, loud)
        return loud

    def discard(self, staged: Staged) -> None:
        """Remove a staged file that will not be filed (the move failed)."""
        if staged.rewritten:
            shutil.rmtree(staged.path.parent, ignore_errors=True)

    # -- after the move ----------------------------------------------------------------

    def filed(
        self,
        staged: Staged,
        final: Path,
        album: Album | None,
        *,
        job_id: int | None = None,
    ) -> None:
        """Record, cache, lossy copy, and album gain once the album is complete.

        Nothing here can lose the filed file; failures are logged (the file
        is in the library with its track gain either way).
        """
        if staged.rewritten:
            shutil.rmtree(staged.path.parent, ignore_errors=True)
        if self.cache is not None:
            with contextlib.suppress(OSError):
                self.cache.put_analysis(file_hash(final), staged.loudness)
        self._record_success(staged, final, job_id)
        if self.profile.lossy_copy_dir is not None:
            self._lossy_copy(final)
        if self.profile.replaygain == "album" and album is not None:
            total = album.total_tracks or len(album.tracks)
            if total:
                self.album_gain_if_complete(final.parent, album.title, total)

    def _lossy_copy(self, final: Path) -> None:
        copy_profile = Profile(
            convert=self.profile.lossy_copy_format,
            bitrate_kbps=self.profile.lossy_copy_bitrate_kbps,
            replaygain="track" if self.profile.replaygain != "off" else "off",
        )
        try:
            rel = final.parent.relative_to(self.library_root)
        except ValueError:
            rel = Path()
        target_dir = Path(self.profile.lossy_copy_dir or ".") / rel
        try:
            with self._slots:
                process_file(final, copy_profile, out_dir=target_dir, cache=self.cache)
        except ProcessError as exc:
            log.warning("lossy copy of %s not written: %s", final, exc)

    def album_gain_if_complete(self, folder: Path, album_title: str, total: int) -> bool:
        """Album gain for the files of ``album_title`` in ``folder`` once ``total`` are there."""
        with self._guard:
            lock = self._album_locks.setdefault(folder, threading.Lock())
        with lock:
            members = _album_members(folder, album_title)
            if len(members) < total:
                return False
            try:
                with self._slots:
                    louds = [self._analysis(p) for p in members]
                gains = album_gains(louds)
                tag_files(members, gains, keep_album=False)
            except ProcessError as exc:
                log.warning("album gain for %s not written: %s", folder, exc)
                return False
            if self.records is not None and gains and gains[0].album_gain_db is not None:
                self.records.set_album_gain([str(p) for p in members], gains[0].album_gain_db)
            if self.cache is not None:
                # The tags changed the bytes: remember the analyses under the new hashes.
                for path, loud in zip(members, louds, strict=True):
                    with contextlib.suppress(OSError):
                        self.cache.put_analysis(file_hash(path), loud)
            log.info("album gain written for %d tracks in %s", len(members), folder)
            return True

    # -- records -------------------------------------------------------------------------

    def _record_success(self, staged: Staged, final: Path, job_id: int | None) -> None:
        if self.records is None:
            return
        r = staged.result
        info = open_audio(final) if r is None else None
        gains = staged.gains
        try:
            self.records.add(
                job_id=job_id,
                source=self.source_kind,
                path=str(staged.source),
                output=str(final),
                outcome="cached" if r is not None and r.cached else "ok",
                input_format=r.input_format if r else (info.codec if info else None),
                input_bitrate=r.input_bitrate if r else (info.bit_rate if info else None),
                output_format=r.output_format if r else (info.codec if info else None),
                output_bitrate=r.output_bitrate if r else (info.bit_rate if info else None),
                integrated_lufs=round(staged.loudness.integrated_lufs, 2),
                track_gain_db=round(gains.track_gain_db, 2)
                if gains and gains.track_gain_db is not None
                else None,
                track_peak=round(staged.loudness.peak, 6),
                trimmed_ms=r.trimmed_ms if r else 0,
                normalized_db=r.normalized_db if r else None,
                seconds=round(time.perf_counter() - staged.started, 3),
                input_bytes=r.input_bytes
                if r
                else staged.source.stat().st_size
                if staged.source.exists()
                else None,
                output_bytes=final.stat().st_size,
                quality=staged.quality,
            )
        except Exception as exc:  # noqa: BLE001 - a record must never fail a filed file
            log.warning("processing record for %s not stored: %s", final, exc)

    def _record_failure(
        self, source: Path, exc: ProcessError, started: float, job_id: int | None
    ) -> None:
        if self.records is None:
            return
        try:
            self.records.add(
                job_id=job_id,
                source=self.source_kind,
                path=str(source),
                outcome="failed",
                error=f"{exc.reason}: {exc}",
                seconds=round(time.perf_counter() - started, 3),
                input_bytes=source.stat().st_size if source.exists() else None,
                quality=self.profile.target.label() if self.profile.target else "keep",
            )
        except Exception as record_exc:  # noqa: BLE001 - the job reports the real error
            log.warning("processing failure record for %s not stored: %s", source, record_exc)


def _album_members(folder: Path, album_title: str) -> list[Path]:
    """Audio files in ``folder`` whose ALBUM tag is ``album_title`` (sorted by name)."""
    members: list[Path] = []
    if not folder.is_dir():
        return members
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in _ALBUM_EXTENSIONS or path.name.startswith("."):
            continue
        try:
            if read_tags(path).album == album_title:
                members.append(path)
        except TagError:
            continue
    return members
