"""The ``[processing]`` config section: what happens to each downloaded file.

Kept out of :mod:`soulsync.config` so the section can grow without touching
the file every engineer edits; ``Settings.processing`` is its one hook.
Loudness is tags by default (ReplayGain 2.0, track gain, album gain once an
album is complete); conversion, normalising and trimming change the
recording and are opt-in.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

if TYPE_CHECKING:
    from soulsync.library.process.profile import Profile

__all__ = ["ProcessingSettings"]


class ProcessingSettings(BaseModel):
    """Processing profile (global)."""

    model_config = ConfigDict(extra="forbid", validate_default=True)

    # Run the processing step for matched downloads at all.
    enabled: bool = True
    convert: Literal["keep", "mp3", "opus", "aac"] = "keep"
    bitrate_kbps: int | None = Field(default=None, ge=32, le=512)  # empty: 320/160/256
    mp3_vbr: int | None = Field(default=None, ge=0, le=9)  # set: LAME V0..V9 instead of CBR
    convert_lossless_only: bool = False  # never re-encode a lossy download
    replaygain: Literal["off", "track", "album"] = "album"
    true_peak: bool = False  # peaks in the tags: true peak (slower) instead of sample peak
    normalize: bool = False  # rewrite the audio to a loudness target (changes the recording)
    normalize_lufs: float = Field(default=-16.0, ge=-40, le=-5)
    true_peak_db: float = Field(default=-1.0, ge=-9, le=0)
    trim_silence: bool = False  # cut silence at the very start and end only
    trim_threshold_db: float = Field(default=-60.0, ge=-96, le=-20)
    trim_min_ms: int = Field(default=200, ge=0, le=60_000)
    trim_max_ms: int = Field(default=10_000, ge=0, le=600_000)
    lossy_copy: bool = False  # also write a lossy copy to lossy_copy_dir
    lossy_copy_dir: Path | None = None
    lossy_copy_format: Literal["mp3", "opus", "aac"] = "mp3"
    lossy_copy_bitrate_kbps: int | None = Field(default=None, ge=32, le=512)
    workers: int = Field(default=0, ge=0, le=64)  # 0: number of cores
    cache: bool = True  # keep converted files and analyses under <data_dir>/cache/processing

    @model_validator(mode="after")
    def _check(self) -> ProcessingSettings:
        if self.lossy_copy and self.lossy_copy_dir is None:
            raise ValueError("lossy_copy needs lossy_copy_dir")
        return self

    def profile(self) -> Profile:
        """The library-level :class:`soulsync.library.process.profile.Profile`."""
        # Imported here: the config must load without the audio stack (numpy, PyAV).
        from soulsync.library.process.levels import NormalizeSettings
        from soulsync.library.process.profile import Profile
        from soulsync.library.process.trim import TrimSettings

        return Profile(
            convert=self.convert,
            bitrate_kbps=self.bitrate_kbps,
            mp3_vbr=self.mp3_vbr,
            convert_lossless_only=self.convert_lossless_only,
            replaygain=self.replaygain,
            true_peak=self.true_peak,
            normalize=NormalizeSettings(self.normalize_lufs, self.true_peak_db)
            if self.normalize
            else None,
            trim=TrimSettings(self.trim_threshold_db, self.trim_min_ms, self.trim_max_ms)
            if self.trim_silence
            else None,
            lossy_copy_dir=self.lossy_copy_dir if self.lossy_copy else None,
            lossy_copy_format=self.lossy_copy_format,
            lossy_copy_bitrate_kbps=self.lossy_copy_bitrate_kbps,
            workers=self.workers,
        )
