"""The one error type of the processing layer."""

from __future__ import annotations

from pathlib import Path

__all__ = ["ProcessError"]


class ProcessError(Exception):
    """A file could not be analysed, converted or rewritten.

    ``reason`` is machine-readable (``unreadable``, ``no_audio``,
    ``unsupported``, ``encode_failed``, ``verify_failed``, ``disk_full``,
    ``read_only``, ``tags``); the message says what to do. Whoever raises it
    has left the original file untouched.
    """

    def __init__(self, reason: str, message: str, path: Path | None = None) -> None:
        super().__init__(f"{message}: {path}" if path is not None else message)
        self.reason = reason
        self.path = path
