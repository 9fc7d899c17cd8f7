"""Jinja filters: sizes, speeds, durations, times and ETAs as people read them."""

from __future__ import annotations

import re
import time
from typing import Any

_UNITS = ("B", "KB", "MB", "GB", "TB")


def human_size(value: float | int | None) -> str:
    """``12.3 MB`` (decimal units, like file managers)."""
    if value is None:
        return "–"
    size = float(value)
    for unit in _UNITS:
        if abs(size) < 1000 or unit == _UNITS[-1]:
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.1f} TB"  # pragma: no cover - loop always returns


def human_speed(value: float | int | None) -> str:
    """``1.2 MB/s``; empty for no speed."""
    if not value:
        return ""
    return human_size(value) + "/s"


def human_duration(seconds: float | int | None) -> str:
    """``3:25`` or ``1:02:03``; ``–`` when unknown."""
    if seconds is None:
        return "–"
    total = max(0, round(float(seconds)))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def eta(size: int | None, done: int | None, speed: float | None) -> str:
    """Time left for a transfer, ``""`` when it cannot be told."""
    if not size or not speed or speed <= 0:
        return ""
    left = max(0, size - (done or 0))
    return human_duration(left / speed) + " left"


def time_ago(timestamp: float | None, now: float | None = None) -> str:
    """``just now``, ``5 min ago``, ``3 h ago``, ``2 d ago``."""
    if not timestamp:
        return "never"
    delta = (now or time.time()) - float(timestamp)
    if delta < 0:
        ahead = -delta
        if ahead < 3600:
            return f"in {int(ahead // 60) or 1} min"
        if ahead < 86400:
            return f"in {int(ahead // 3600)} h"
        return f"in {int(ahead // 86400)} d"
    if delta < 45:
        return "just now"
    if delta < 3600:
        return f"{int(delta // 60) or 1} min ago"
    if delta < 86400:
        return f"{int(delta // 3600)} h ago"
    return f"{int(delta // 86400)} d ago"


def percent(part: int | float | None, whole: int | float | None) -> int:
    """Whole-number percentage, 0 when the whole is 0."""
    if not whole or part is None:
        return 0
    return max(0, min(100, round(100 * float(part) / float(whole))))


def quality_label(file: Any) -> str:
    """``FLAC 24/96``, ``MP3 320``, ``MP3 V0~245`` for a SoulseekFile."""
    ext = (getattr(file, "extension", "") or "?").upper()
    depth = getattr(file, "bit_depth", None)
    rate = getattr(file, "sample_rate", None)
    bitrate = getattr(file, "bit_rate", None)
    if depth and rate:
        return f"{ext} {depth}/{rate / 1000:g}"
    if bitrate:
        vbr = "~" if getattr(file, "is_variable_bit_rate", False) else ""
        return f"{ext} {vbr}{bitrate}"
    return ext


def plural(count: int, noun: str, plural_form: str | None = None) -> str:
    """``1 track``, ``2 tracks``, ``1 try``/``2 tries`` (``plural_form`` for irregular nouns)."""
    if count == 1:
        return f"{count} {noun}"
    if plural_form is None:
        plural_form = (
            noun[:-1] + "ies" if noun.endswith("y") and noun[-2:-1] not in "aeiou" else noun + "s"
        )
    return f"{count} {plural_form}"


# An absolute POSIX or Windows path to a file (components may hold spaces and
# brackets, as album folders do): shown as the file name only.
_ABS_PATH = re.compile(
    r"(?:(?<![\w.])/|\b[A-Za-z]:[\\/])(?:[^/\\\n]+[/\\])+([^/\\\n]+?\.[A-Za-z0-9]{2,5})\b"
)


def plain_reason(reason: str | None) -> str:
    """A verdict's reason for the web page: no absolute server paths, just file names."""
    if not reason:
        return ""
    return _ABS_PATH.sub(lambda m: m.group(1), reason)


FILTERS = {
    "size": human_size,
    "speed": human_speed,
    "duration": human_duration,
    "ago": time_ago,
    "quality": quality_label,
    "plural": plural,
    "plain_reason": plain_reason,
}
GLOBALS = {"eta": eta, "percent": percent}
