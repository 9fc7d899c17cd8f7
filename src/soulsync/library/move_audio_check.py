"""The audio half of a move's verification: the original's probe and the copy's length.

:class:`AudioCheck` starts a PyAV probe of the original as soon as a move
begins (it runs while the file is copied and tagged) and is collected when the
copy is verified; :func:`copy_length` reads the placed copy's duration with a
second tool (mutagen), so one library's misreading cannot pass unnoticed.
"""

from __future__ import annotations

from pathlib import Path

import mutagen

from soulsync.library.audio import AudioError, AudioInfo, ProbeRun
from soulsync.library.move_errors import MoveError, MoveReason

__all__ = ["AudioCheck", "copy_length"]


def copy_length(path: Path, source: Path) -> float:
    """Duration of the placed copy as mutagen reads it from a fresh object."""
    try:
        audio = mutagen.File(path)
    except (mutagen.MutagenError, OSError, ValueError, EOFError) as exc:
        raise MoveError(MoveReason.VERIFY_FAILED, f"copy is unreadable ({exc})", source) from exc
    length = getattr(getattr(audio, "info", None), "length", None)
    if audio is None or not length:
        raise MoveError(MoveReason.VERIFY_FAILED, "copy has no readable audio length", source)
    return float(length)


class AudioCheck:
    """Probe of the original, started at once and collected when needed."""

    def __init__(self, source: Path, expected: float | None, tolerance: float) -> None:
        self.source = source
        self.expected = expected
        self.tolerance = tolerance
        self.duration_s: float | None = None
        try:
            self._run: ProbeRun | None = ProbeRun(source)
        except AudioError as exc:
            raise MoveError(MoveReason.IO_ERROR, exc.reason, source) from exc

    def abandon(self) -> None:
        """Stop a probe nobody will wait for (on failure paths)."""
        if self._run is not None:
            self._run.cancel()
            self._run = None

    def original(self) -> AudioInfo:
        """The original's probe result; CORRUPT_AUDIO if unreadable or truncated."""
        if self._run is None:
            raise MoveError(MoveReason.IO_ERROR, "audio check already finished", self.source)
        try:
            info = self._run.result()
        except AudioError as exc:
            raise MoveError(MoveReason.CORRUPT_AUDIO, exc.reason, self.source) from exc
        finally:
            self._run = None
        self.check_info(info, "original")
        self.duration_s = info.duration_s
        return info

    def check_info(self, info: AudioInfo, what: str) -> None:
        if info.end_s is None:
            raise MoveError(
                MoveReason.CORRUPT_AUDIO, f"{what}: no audio decodes at the end", self.source
            )
        if info.end_s < info.duration_s - self.tolerance:
            raise MoveError(
                MoveReason.CORRUPT_AUDIO,
                f"{what}: audio stops at {info.end_s:.1f}s of {info.duration_s:.1f}s (truncated)",
                self.source,
            )
        if self.expected is not None and abs(info.duration_s - self.expected) > self.tolerance:
            raise MoveError(
                MoveReason.VERIFY_FAILED,
                f"{what} lasts {info.duration_s:.1f}s, expected {self.expected:.1f}s",
                self.source,
            )

    def compare(self, what: str, duration_s: float) -> None:
        """Fail unless ``duration_s`` matches the original within the tolerance."""
        assert self.duration_s is not None  # original() ran first
        if abs(duration_s - self.duration_s) > self.tolerance:
            raise MoveError(
                MoveReason.VERIFY_FAILED,
                f"{what} lasts {duration_s:.1f}s, original {self.duration_s:.1f}s",
                self.source,
            )
