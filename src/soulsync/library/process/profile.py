"""What to do to a file: the processing profile as the library layer sees it.

The configuration's pydantic model (:mod:`soulsync.config_processing`)
turns into this frozen value, and so do the ``soulsync process`` options.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from soulsync.library.process.encode import Target
from soulsync.library.process.levels import NormalizeSettings
from soulsync.library.process.trim import TrimSettings

__all__ = ["DEFAULT_BITRATES", "Profile", "target_for"]

# Bit rates when the profile names a format but no rate (kbit/s).
DEFAULT_BITRATES = {"mp3": 320, "opus": 160, "aac": 256}
CONVERT_CHOICES = ("keep", "mp3", "opus", "aac")
REPLAYGAIN_CHOICES = ("off", "track", "album")


def target_for(fmt: str, bitrate_kbps: int | None, mp3_vbr: int | None = None) -> Target:
    """The encoder target for a profile's format and rate."""
    if fmt == "mp3" and mp3_vbr is not None:
        return Target("mp3", vbr_quality=mp3_vbr)
    return Target(fmt, bitrate_kbps=bitrate_kbps or DEFAULT_BITRATES.get(fmt))


@dataclass(frozen=True, slots=True)
class Profile:
    """One processing profile.

    ``convert`` keep | mp3 | opus | aac. ``convert_lossless_only`` leaves a
    lossy source alone (no lossy-to-lossy transcoding); when it is False a
    lossy source is converted unless it already is the target format at no
    more than the target rate (never transcoded upwards). ``replaygain``
    off | track | album (album gain needs the whole album, so callers apply
    it when the album is complete). ``lossy_copy_dir`` writes an extra
    lossy copy there, mirroring the library's folders.
    """

    convert: str = "keep"
    bitrate_kbps: int | None = None
    mp3_vbr: int | None = None
    convert_lossless_only: bool = False
    replaygain: str = "track"
    true_peak: bool = False
    normalize: NormalizeSettings | None = None
    trim: TrimSettings | None = None
    lossy_copy_dir: Path | None = None
    lossy_copy_format: str = "mp3"
    lossy_copy_bitrate_kbps: int | None = None
    workers: int = 0
    extra: dict[str, str] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if self.convert not in CONVERT_CHOICES:
            raise ValueError(f"convert must be one of {', '.join(CONVERT_CHOICES)}")
        if self.replaygain not in REPLAYGAIN_CHOICES:
            raise ValueError(f"replaygain must be one of {', '.join(REPLAYGAIN_CHOICES)}")
        if self.convert != "keep":
            target_for(self.convert, self.bitrate_kbps, self.mp3_vbr)  # validates the rate

    @property
    def target(self) -> Target | None:
        """The conversion target, None for keep."""
        if self.convert == "keep":
            return None
        return target_for(self.convert, self.bitrate_kbps, self.mp3_vbr)

    @property
    def rewrites_audio(self) -> bool:
        """True when some step may change the audio itself (not just tags)."""
        return self.convert != "keep" or self.normalize is not None or self.trim is not None

    def audio_key(self) -> str:
        """The settings that shape the output audio (the cache key's settings half)."""
        target = self.target
        return json.dumps(
            {
                "v": 1,
                "target": target.label() if target else "keep",
                "lossless_only": self.convert_lossless_only,
                "normalize": None
                if self.normalize is None
                else [self.normalize.target_lufs, self.normalize.true_peak_db],
                "trim": None
                if self.trim is None
                else [self.trim.threshold_db, self.trim.min_ms, self.trim.max_ms],
            },
            sort_keys=True,
        )
