"""Rewriting a file in place without ever losing it.

Every change to a file that already exists goes through a temporary file in
the same folder (``.soulsync-proc-<uuid>-<name>``): the change is made to the
temporary file, which is fsynced and verified, then renamed over the
original (``os.replace`` is atomic on one file system). Until that rename
the original is untouched; after it the new content is complete. A failure
at any step removes the temporary file and raises :class:`ProcessError`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path

from soulsync.library.process.encode import os_error_reason
from soulsync.library.process.errors import ProcessError

__all__ = ["TEMP_PREFIX", "fsync_file", "place_new", "rewrite_in_place", "temp_path_for"]

TEMP_PREFIX = ".soulsync-proc-"


def temp_path_for(final: Path, extension: str | None = None) -> Path:
    """A fresh temporary name beside ``final`` (same folder, so a rename is atomic)."""
    name = final.name if extension is None else f"{final.stem}.{extension}"
    return final.parent / f"{TEMP_PREFIX}{uuid.uuid4().hex[:12]}-{name}"


def fsync_file(path: Path) -> None:
    """Flush ``path``'s data to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _os_failure(exc: OSError, what: str, path: Path) -> ProcessError:
    reason = os_error_reason(exc)
    hint = {
        "disk_full": "the disk is full",
        "read_only": "the folder is not writable",
    }.get(reason, str(exc))
    return ProcessError(reason, f"{what} failed: {hint}", path)


def rewrite_in_place(
    path: Path,
    change: Callable[[Path], None],
    verify: Callable[[Path], None] | None = None,
) -> None:
    """Apply ``change`` to a copy of ``path``, verify the copy, then swap it in.

    Raises:
        ProcessError: the original is unchanged (``disk_full``,
            ``read_only``, or whatever ``change``/``verify`` raised).
    """
    path = Path(path)
    temp = temp_path_for(path)
    try:
        try:
            shutil.copy2(path, temp)
        except OSError as exc:
            raise _os_failure(exc, "copying for the rewrite", path) from exc
        change(temp)
        if verify is not None:
            verify(temp)
        try:
            fsync_file(temp)
            os.replace(temp, path)
        except OSError as exc:
            raise _os_failure(exc, "replacing the file", path) from exc
        _fsync_dir(path.parent)
    finally:
        if temp.is_file() and not temp.is_symlink():
            with contextlib.suppress(OSError):
                temp.unlink()


def place_new(temp: Path, final: Path) -> Path:
    """Give the finished ``temp`` its ``final`` name without replacing another file.

    ``link`` fails if ``final`` exists, so a different file is never
    overwritten; the temporary name is removed afterwards.

    Raises:
        ProcessError: ``exists`` when ``final`` is taken, or an OS failure.
    """
    try:
        fsync_file(temp)
        os.link(temp, final)
    except FileExistsError as exc:
        raise ProcessError("exists", "the output file already exists", final) from exc
    except OSError as exc:
        raise _os_failure(exc, "placing the output", final) from exc
    with contextlib.suppress(OSError):
        temp.unlink()
    _fsync_dir(final.parent)
    return final
