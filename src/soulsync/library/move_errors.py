"""Why moving a file into the library failed (:class:`MoveError`, :class:`MoveReason`).

Its own module so that :mod:`.safe_move` and :mod:`.move_audio_check` share it
without importing each other.
"""

from __future__ import annotations

import enum
import errno
from pathlib import Path

__all__ = ["MoveError", "MoveReason", "reason_for_os_error"]


class MoveReason(enum.StrEnum):
    """Why a move failed; stored on the job so the UI can explain it."""

    SOURCE_MISSING = "source_missing"
    UNSAFE_PATH = "unsafe_path"
    NO_SPACE = "no_space"
    PERMISSION = "permission"
    CORRUPT_AUDIO = "corrupt_audio"
    TAG_ERROR = "tag_error"
    VERIFY_FAILED = "verify_failed"
    IO_ERROR = "io_error"


class MoveError(Exception):
    """A move failed; the original file is where it was."""

    def __init__(self, reason: MoveReason, message: str, source: Path | None = None) -> None:
        super().__init__(f"{reason.value}: {message}")
        self.reason = reason
        self.message = message
        self.source = source


def reason_for_os_error(exc: OSError) -> MoveReason:
    """The move failure an ``OSError`` stands for (full disk, permission, other I/O)."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return MoveReason.NO_SPACE
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return MoveReason.PERMISSION
    return MoveReason.IO_ERROR
