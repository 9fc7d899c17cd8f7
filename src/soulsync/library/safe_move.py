"""Move a downloaded file into the library without ever losing it.

Steps of :func:`safe_move` (blocking; async callers use a thread):

1. **check**: the destination is a safe relative path under the library
   root and the source is a regular file (not a symlink) under the downloads
   root. A probe of the original starts on a background thread (PyAV,
   in-process): it reports the duration and whether the last decodable audio
   reaches it (a truncated FLAC/MP3 keeps its full-length header but its
   audio stops early).
2. **copy** the original to ``<dest dir>/.soulsync-tmp-<uuid>-<name>`` and
   compare sizes.
3. **tag** the temporary copy (the original is never written to). A plain
   FLAC is copied in two parts instead: its metadata blocks, which are
   tagged, then its audio frames appended (see :mod:`.file_copy`), so a
   cover bigger than the padding does not make mutagen rewrite 30 MB.
4. **verify**: fsync the copy, read the tags back from a fresh mutagen object
   and compare field by field; collect the probe result (unreadable or
   truncated audio fails here) and require the copy's duration (mutagen) to
   match the probe's within the tolerance, and ``expected_duration_s`` too if
   given. ``probe_copy=True`` also probes the tagged copy.
5. **place**: hard-link the copy to its final name (``link`` fails instead
   of overwriting, so a different file is never replaced; the next free
   ``Title (2).ext`` is tried), fsync the folder, remove the temporary name.
   If the final name already holds identical bytes (size + BLAKE2 hash), the
   copy is dropped and the result is ``already_present``.
6. **clean up**: delete the original, then its folders that are now empty,
   up to but not including the downloads root.

Invariants (what makes a crash at any point recoverable):

* The original is not modified before step 6 and not deleted until a
  complete, verified, fsynced copy exists under its final name.
* A ``.soulsync-tmp-*`` file is never the only copy of anything: deleting it
  at any time loses nothing. :func:`recover_incomplete` does exactly that
  after a crash (plus removing folders left empty by it).
* A final name only ever appears atomically (``link``/``rename``) pointing at
  complete, verified data; it is never overwritten.
* Re-running the same move is idempotent: after a crash between steps 5 and
  6 both the original and the final file exist, and the re-run finds the
  final name with identical content (tagging is deterministic), reports
  ``already_present`` and deletes the original. So the queue simply retries
  an interrupted move.
* Any error before step 6 removes the temporary file and any folder this
  call created, leaves the original untouched, and raises :class:`MoveError`
  with a machine-readable ``reason``. If deleting the original fails, the
  just-placed file is removed again so the state is as before the call.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Literal

from soulsync.library.audio import AudioError, ProbeRun
from soulsync.library.file_copy import append_range, copy_file, flac_audio_offset
from soulsync.library.layout import (
    UnsafePathError,
    _cut_bytes,
    check_relative,
    numbered_variant,
)
from soulsync.library.move_audio_check import AudioCheck, copy_length
from soulsync.library.move_errors import MoveError, MoveReason, reason_for_os_error
from soulsync.library.tags import TagError, TagSet, diff_tags, read_tags, write_tags

__all__ = [
    "REPLACING_PREFIX",
    "TEMP_PREFIX",
    "MoveError",
    "MoveReason",
    "MoveResult",
    "RecoveryReport",
    "copy_file",
    "files_identical",
    "finish_replacement",
    "is_within",
    "link_no_replace",
    "prune_empty_dirs",
    "recover_incomplete",
    "replacing_name",
    "safe_move",
    "temp_name",
]

TEMP_PREFIX = ".soulsync-tmp-"
# A complete, verified file waiting to replace its worse copy of the same recording
# (``os.replace`` onto the final name). Unlike a temporary copy it may be the only
# copy of its download, so recovery finishes the replacement instead of deleting it.
REPLACING_PREFIX = ".soulsync-replacing-"
_MAX_VARIANTS = 999
_NAME_MAX = 255


@dataclass(frozen=True, slots=True)
class MoveResult:
    """What a successful :func:`safe_move` did."""

    status: Literal["moved", "already_present"]
    source: Path
    destination: Path
    size: int
    duration_s: float | None
    removed_dirs: tuple[Path, ...] = ()
    timings_ms: dict[str, float] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True, slots=True)
class RecoveryReport:
    """What :func:`recover_incomplete` cleaned up."""

    removed_files: tuple[Path, ...] = ()
    removed_dirs: tuple[Path, ...] = ()
    errors: tuple[tuple[Path, str], ...] = ()


def replacing_name(final_name: str) -> str:
    """The sibling name a better copy of ``final_name`` is placed under before replacing it."""
    return REPLACING_PREFIX + _cut_bytes(final_name, _NAME_MAX - len(REPLACING_PREFIX))


def finish_replacement(staged: Path) -> Path:
    """Atomically put a staged better copy (``replacing_name``) onto its final name.

    The worse file under the final name is replaced in one ``rename``: at no
    moment is there no file for the recording. Returns the final path.
    """
    staged = Path(staged)
    if not staged.name.startswith(REPLACING_PREFIX):
        raise ValueError(f"not a staged replacement: {staged}")
    final = staged.with_name(staged.name[len(REPLACING_PREFIX) :])
    os.replace(staged, final)
    _fsync_path(final.parent, directory=True)
    return final


def temp_name(final_name: str) -> str:
    """The temporary sibling name for ``final_name`` (kept within 255 bytes)."""
    prefix = f"{TEMP_PREFIX}{uuid.uuid4().hex}-"
    return prefix + _cut_bytes(final_name, _NAME_MAX - len(prefix))


def is_within(path: Path, root: Path) -> bool:
    """True if ``path`` (symlinks resolved) is ``root`` or below it."""
    real = Path(os.path.realpath(path))
    base = Path(os.path.realpath(root))
    return real == base or base in real.parents


def files_identical(a: Path, b: Path) -> bool:
    """Same size and same BLAKE2b digest."""
    if a.stat().st_size != b.stat().st_size:
        return False
    return _digest(a) == _digest(b)


def _digest(path: Path) -> bytes:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "blake2b").digest()


def _fsync_path(path: Path, *, directory: bool = False) -> None:
    fd = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if directory else 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class _Timer:
    def __init__(self) -> None:
        self.marks: dict[str, float] = {}
        self._last = time.perf_counter()

    def mark(self, name: str) -> None:
        now = time.perf_counter()
        self.marks[name] = round((now - self._last) * 1000, 2)
        self._last = now


@contextlib.contextmanager
def _os_errors(source: Path, what: str) -> Iterator[None]:
    try:
        yield
    except OSError as exc:
        raise MoveError(reason_for_os_error(exc), f"{what}: {exc.strerror or exc}", source) from exc


def _make_dirs(folder: Path, root: Path, source: Path, created: list[Path]) -> None:
    """Create ``folder`` below ``root``, appending each folder made to ``created``.

    ``created`` is filled as we go (outermost first) so that a failure half-way
    still leaves the caller a complete list to clean up.

    The deepest existing ancestor is checked first, so a symlink inside the
    library cannot make us create folders outside it.
    """
    missing: list[Path] = []
    probe = folder
    while not probe.exists() and probe != root:
        missing.append(probe)
        probe = probe.parent
    if not is_within(probe, root):
        raise MoveError(MoveReason.UNSAFE_PATH, "destination escapes the library", source)
    for path in reversed(missing):
        try:
            path.mkdir()
        except FileExistsError:
            continue  # another worker made it just now; fine
        created.append(path)


def prune_empty_dirs(start: Path, stop: Path) -> list[Path]:
    """rmdir ``start`` and its parents while empty, never ``stop`` or anything above it.

    Returns the folders removed, innermost first. Used after deleting an
    original (and by the queue to finish a move interrupted after the delete).
    """
    removed: list[Path] = []
    current = start
    stop_real = Path(os.path.realpath(stop))
    while True:
        real = Path(os.path.realpath(current))
        if real == stop_real or stop_real not in real.parents:
            break
        try:
            current.rmdir()
        except OSError:
            break  # not empty (or not ours to remove): stop climbing
        removed.append(current)
        current = current.parent
    return removed


def safe_move(
    source: Path,
    relative_dest: str | PurePosixPath,
    *,
    library_root: Path,
    downloads_root: Path,
    tags: TagSet | None = None,
    id3v23: bool = False,
    verify_audio: bool = True,
    probe_copy: bool = False,
    expected_duration_s: float | None = None,
    duration_tolerance_s: float = 2.0,
    after_tag: Callable[[Path], None] | None = None,
) -> MoveResult:
    """Copy, tag, verify and place ``source`` at ``library_root / relative_dest``.

    See the module docstring for the steps and crash-safety invariants.

    ``verify_audio`` (default) probes the original (PyAV: its first and last
    packets are decoded) on a thread while it is being copied and tagged,
    rejects unreadable or truncated audio, and compares the tagged copy's
    duration (mutagen, fresh object) with the probe's. ``probe_copy=True``
    additionally probes the tagged copy itself (a few more milliseconds).
    ``verify_audio=False`` with ``tags=None`` moves any file (a booklet, a
    cover) with the size check only. ``after_tag`` is called with the
    temporary copy after tagging and before verifying (the processing step
    adds its ReplayGain fields there); a :class:`TagError` from it fails the
    move with ``tag_error``.

    Raises:
        MoveError: with ``reason`` set; the original is untouched.
    """
    timer = _Timer()
    source, library_root, downloads_root = Path(source), Path(library_root), Path(downloads_root)
    try:
        rel = check_relative(relative_dest)
    except UnsafePathError as exc:
        raise MoveError(MoveReason.UNSAFE_PATH, str(exc), source) from exc
    if source.is_symlink() or not source.is_file():
        reason = MoveReason.UNSAFE_PATH if source.is_symlink() else MoveReason.SOURCE_MISSING
        raise MoveError(reason, f"not a regular file: {source}", source)
    if not is_within(source.parent, downloads_root):
        raise MoveError(MoveReason.UNSAFE_PATH, "source is outside the downloads root", source)
    if not library_root.is_dir():
        raise MoveError(MoveReason.UNSAFE_PATH, f"library root missing: {library_root}", source)
    dest = library_root / rel
    check = AudioCheck(source, expected_duration_s, duration_tolerance_s) if verify_audio else None
    timer.mark("check")

    created: list[Path] = []
    temp = dest.parent / temp_name(dest.name)
    try:
        with _os_errors(source, "cannot create destination folder"):
            _make_dirs(dest.parent, library_root, source, created)
            # New folders' own entries must be durable before the original goes.
            for folder in created:
                _fsync_path(folder.parent, directory=True)
        if not is_within(dest.parent, library_root):
            raise MoveError(MoveReason.UNSAFE_PATH, "destination escapes the library", source)
        size = _copy_tag_verify(
            source,
            temp,
            tags=tags,
            id3v23=id3v23,
            check=check,
            probe_copy=probe_copy,
            timer=timer,
            after_tag=after_tag,
        )
        final, status = _place(source, temp, dest)
        timer.mark("place")
    except BaseException:
        # Undo everything of ours; the original was never touched.
        if check is not None:
            check.abandon()
        _undo(temp, created)
        raise

    try:
        source.unlink()
    except OSError as exc:
        if status == "moved":
            # Put things back as they were so the job's state stays simple.
            _undo(final, created)
        raise MoveError(
            reason_for_os_error(exc), f"cannot delete original: {exc.strerror}", source
        ) from exc
    removed = prune_empty_dirs(source.parent, downloads_root)
    timer.mark("cleanup")
    return MoveResult(
        status=status,
        source=source,
        destination=final,
        size=size,
        duration_s=check.duration_s if check is not None else None,
        removed_dirs=tuple(removed),
        timings_ms=timer.marks,
    )


def _undo(path: Path, created: list[Path]) -> None:
    """Best-effort removal of a file we made and of the folders we created for it.

    Errors are ignored on purpose: this runs while another error is being
    reported, and anything left is a ``.soulsync-tmp-*`` file or an empty
    folder, both harmless and cleared by :func:`recover_incomplete`.
    """
    with contextlib.suppress(OSError):
        path.unlink()
    for folder in reversed(created):
        with contextlib.suppress(OSError):
            folder.rmdir()


def _copy_tag_verify(
    source: Path,
    temp: Path,
    *,
    tags: TagSet | None,
    id3v23: bool,
    check: AudioCheck | None,
    probe_copy: bool,
    timer: _Timer,
    after_tag: Callable[[Path], None] | None = None,
) -> int:
    audio_at = flac_audio_offset(source) if tags is not None else None
    if audio_at is None:
        with _os_errors(source, "copy failed"):
            copy_file(source, temp)
            copied, expected = temp.stat().st_size, source.stat().st_size
        timer.mark("copy")
        if tags is not None:
            _tag(source, temp, tags, id3v23, check)
            timer.mark("tag")
    else:
        # FLAC: copy and tag the metadata blocks alone, then append the audio
        # frames, so a cover that outgrows the padding costs no rewrite.
        with _os_errors(source, "copy failed"):
            copy_file(source, temp, length=audio_at)
        assert tags is not None  # audio_at is only looked up when tagging
        _tag(source, temp, tags, id3v23, check)
        timer.mark("tag")
        with _os_errors(source, "copy failed"):
            header = temp.stat().st_size
            expected = header + append_range(source, temp, audio_at)
            copied = temp.stat().st_size
        timer.mark("copy")
    if copied != expected:
        raise MoveError(
            MoveReason.VERIFY_FAILED, f"copy has {copied} bytes, expected {expected}", source
        )
    if after_tag is not None:
        try:
            after_tag(temp)
        except TagError as exc:
            raise MoveError(MoveReason.TAG_ERROR, exc.reason, source) from exc
        timer.mark("after_tag")
    copy_probe = ProbeRun(temp) if (check is not None and probe_copy) else None
    try:
        size = _fsync_and_verify(source, temp, tags=tags, id3v23=id3v23, check=check, timer=timer)
        if copy_probe is not None and check is not None:
            try:
                info = copy_probe.result()
            except AudioError as exc:
                raise MoveError(MoveReason.VERIFY_FAILED, f"copy: {exc.reason}", source) from exc
            check.check_info(info, "copy")
            check.compare("copy (probe)", info.duration_s)
            timer.mark("probe_copy")
    finally:
        if copy_probe is not None:
            copy_probe.cancel()
    return size


def _tag(source: Path, temp: Path, tags: TagSet, id3v23: bool, check: AudioCheck | None) -> None:
    try:
        write_tags(temp, tags, id3v23=id3v23)
    except TagError as exc:
        if check is not None:
            check.original()  # a broken original is the better explanation
        raise MoveError(MoveReason.TAG_ERROR, exc.reason, source) from exc


def _fsync_and_verify(
    source: Path,
    temp: Path,
    *,
    tags: TagSet | None,
    id3v23: bool,
    check: AudioCheck | None,
    timer: _Timer,
) -> int:
    with _os_errors(source, "fsync failed"):
        _fsync_path(temp)
        size = temp.stat().st_size
    timer.mark("fsync")
    if tags is not None:
        try:
            differing = diff_tags(tags, read_tags(temp), id3v23=id3v23)
        except TagError as exc:
            raise MoveError(
                MoveReason.TAG_ERROR, f"read-back failed: {exc.reason}", source
            ) from exc
        if differing:
            raise MoveError(
                MoveReason.VERIFY_FAILED, f"tags read back differ: {', '.join(differing)}", source
            )
        timer.mark("readback")
    if check is not None:
        check.original()
        check.compare("copy", copy_length(temp, source))
        timer.mark("probe")
    return size


def _place(
    source: Path, temp: Path, dest: Path
) -> tuple[Path, Literal["moved", "already_present"]]:
    """Give ``temp`` its final name without overwriting; dedupe identical files."""
    candidate = dest
    for n in range(2, _MAX_VARIANTS + 2):
        try:
            link_no_replace(temp, candidate)
        except FileExistsError:
            with _os_errors(source, "cannot compare with existing file"):
                same = candidate.is_file() and files_identical(temp, candidate)
            if same:
                temp.unlink()
                return candidate, "already_present"
            candidate = dest.with_name(numbered_variant(dest.name, n))
            continue
        except OSError as exc:
            raise MoveError(
                reason_for_os_error(exc), f"cannot place file: {exc.strerror}", source
            ) from exc
        with _os_errors(source, "cannot finish placing file"):
            temp.unlink(missing_ok=True)
            _fsync_path(candidate.parent, directory=True)
        return candidate, "moved"
    raise MoveError(
        MoveReason.IO_ERROR, f"more than {_MAX_VARIANTS} files named {dest.name}", source
    )


def link_no_replace(temp: Path, final: Path) -> None:
    """Atomically create ``final`` for ``temp``'s data; FileExistsError if taken."""
    try:
        os.link(temp, final)
    except FileExistsError:
        raise
    except OSError as exc:
        # Some filesystems (FAT, SMB, some FUSE) have no hard links: fall back to
        # an existence check + rename. The window between them is tiny and only
        # another writer in the same album folder could hit it.
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
            raise
        if final.exists():
            raise FileExistsError(errno.EEXIST, "exists", str(final)) from exc
        os.rename(temp, final)  # consumes temp; the caller's unlink tolerates that


def recover_incomplete(dest_root: Path) -> RecoveryReport:
    """Delete leftover ``.soulsync-tmp-*`` files below ``dest_root`` after a crash.

    Each temp file is a copy whose original still exists (module invariants),
    so removing it loses nothing. Folders left empty by the removal are removed
    too, up to but not including ``dest_root``. Symlinks are not followed.

    Call it at start-up, before any mover runs: a live move's temporary file
    would be removed from under it (that move then fails cleanly and is retried).
    """
    dest_root = Path(dest_root)
    removed: list[Path] = []
    dirs: list[Path] = []
    errors: list[tuple[Path, str]] = []
    if not dest_root.is_dir():
        return RecoveryReport()
    for folder, _subdirs, files in os.walk(dest_root):
        for name in files:
            if name.startswith(REPLACING_PREFIX):
                # A verified better copy whose replacement a crash interrupted: finish it.
                try:
                    finish_replacement(Path(folder) / name)
                except OSError as exc:
                    errors.append((Path(folder) / name, exc.strerror or str(exc)))
                continue
            if not name.startswith(TEMP_PREFIX):
                continue
            path = Path(folder) / name
            try:
                path.unlink()
            except OSError as exc:
                errors.append((path, exc.strerror or str(exc)))
                continue
            removed.append(path)
    for parent in sorted({p.parent for p in removed}, key=lambda p: len(p.parts), reverse=True):
        dirs.extend(d for d in prune_empty_dirs(parent, dest_root) if d not in dirs)
    return RecoveryReport(tuple(removed), tuple(dirs), tuple(errors))
