"""Settings of the matching engine: thresholds, weights and the quality profile.

Everything is a frozen dataclass so one settings object can be shared across
threads and mapped from the app config later (``MatchSettings(**values)``).
The defaults are the ones the labelled corpus is evaluated with.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field, fields

from soulsync.domain import SoulseekFile
from soulsync.matching.filename import extension_of

__all__ = [
    "DEFAULT_QUALITY_PROFILE",
    "DEFAULT_SETTINGS",
    "LOSSLESS_FORMATS",
    "MatchSettings",
    "QualityProfile",
    "QualityTier",
    "Strictness",
]

LOSSLESS_FORMATS = frozenset({"flac", "wav", "aif", "aiff", "alac", "ape", "wv", "dsf"})


class Strictness(enum.StrEnum):
    """How unknown file metadata is treated by necessary conditions.

    ``lenient``: unknown values pass (slsk-batchdl's default; the official
    client sends no bitrate). ``strict``: a file must prove it meets the
    quality floor and length tolerance.
    """

    LENIENT = "lenient"
    STRICT = "strict"


@dataclass(frozen=True, slots=True)
class QualityTier:
    """One rung of a quality profile, e.g. ``QualityTier("mp3 320", {"mp3"}, min_bitrate=320)``."""

    name: str
    formats: frozenset[str]
    min_bitrate: int | None = None  # kbps
    max_bitrate: int | None = None
    min_bit_depth: int | None = None
    min_sample_rate: int | None = None
    vbr: bool | None = None

    def accepts(self, file: SoulseekFile, *, strict: bool, extension: str | None = None) -> bool:
        """True if ``file`` meets this tier. Unknown values pass unless ``strict``."""
        ext = extension if extension is not None else extension_of(file.filename)
        if ext not in self.formats:
            return False
        checks: list[tuple[int | None, int | None, bool]] = [
            (file.bit_rate, self.min_bitrate, True),
            (file.bit_rate, self.max_bitrate, False),
            (file.bit_depth, self.min_bit_depth, True),
            (file.sample_rate, self.min_sample_rate, True),
        ]
        for value, bound, is_min in checks:
            if bound is None:
                continue
            if value is None:
                # A tier that *requires* more than the baseline (24 bit, 320k)
                # is never granted on faith; baseline tiers pass unknowns.
                if strict or is_min:
                    return False
                continue
            if (is_min and value < bound) or (not is_min and value > bound):
                return False
        if (
            self.vbr is not None
            and file.is_variable_bit_rate is not None
            and file.is_variable_bit_rate != self.vbr
        ):
            return False
        return not (self.vbr is True and file.is_variable_bit_rate is None)


def _tier(name: str, formats: str, **kw: int | bool | None) -> QualityTier:
    return QualityTier(name, frozenset(formats.split()), **kw)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class QualityProfile:
    """An ordered list of quality tiers, best first, plus the necessary floor.

    Files matching no tier rank after every tier but still pass, unless their
    format is not in ``allowed_formats`` or their bitrate is below
    ``min_bitrate`` (necessary conditions).
    """

    tiers: tuple[QualityTier, ...]
    allowed_formats: frozenset[str] = frozenset(
        {"flac", "mp3", "m4a", "ogg", "opus", "wav", "aac", "alac", "aiff", "aif"}
    )
    min_bitrate: int = 128  # kbps; lossy files below this fail

    def tier_of(self, file: SoulseekFile, *, strict: bool = False) -> tuple[int, str]:
        """(rank, name) of the best tier ``file`` meets; rank len(tiers) if none."""
        ext = extension_of(file.filename)
        for i, tier in enumerate(self.tiers):
            if tier.accepts(file, strict=strict, extension=ext):
                return i, tier.name
        return len(self.tiers), f"other ({ext or 'no extension'})"

    @classmethod
    def parse(cls, spec: str) -> QualityProfile:
        """Build a profile from text like ``"flac 24, flac, mp3 320, mp3 v0, mp3 256"``.

        Soularr-style entries: ``flac 24`` (24-bit), ``flac 24/96``, ``mp3 320``
        (constant 320), ``mp3 v0`` (VBR around 245 kbps), bare format names.
        """
        tiers: list[QualityTier] = []
        for raw in spec.split(","):
            text = raw.strip().lower()
            if not text:
                continue
            fmt, _, rest = text.partition(" ")
            if m := re.fullmatch(r"(\d{2})(?:/(\d{2,3}(?:\.\d)?))?", rest):
                rate = int(float(m.group(2)) * 1000) if m.group(2) else None
                tiers.append(_tier(text, fmt, min_bit_depth=int(m.group(1)), min_sample_rate=rate))
            elif rest == "v0":
                tiers.append(_tier(text, fmt, min_bitrate=220, vbr=True))
            elif rest == "v2":
                tiers.append(_tier(text, fmt, min_bitrate=170, vbr=True))
            elif rest.isdigit():
                tiers.append(_tier(text, fmt, min_bitrate=int(rest) - 5))
            elif not rest:
                tiers.append(_tier(text, fmt))
            else:
                raise ValueError(f"unknown quality tier {raw.strip()!r}")
        if not tiers:
            raise ValueError("a quality profile needs at least one tier")
        return cls(tiers=tuple(tiers))


DEFAULT_QUALITY_PROFILE = QualityProfile(
    tiers=(
        _tier("flac 24", "flac alac wav aiff aif", min_bit_depth=24),
        _tier("flac 16", "flac alac wav aiff aif"),
        _tier("mp3 320", "mp3", min_bitrate=315),
        _tier("mp3 v0", "mp3", min_bitrate=220, vbr=True),
        _tier("aac/opus 256", "m4a aac ogg opus", min_bitrate=250),
        _tier("mp3 256", "mp3", min_bitrate=250),
        _tier("mp3 192", "mp3 m4a aac ogg opus", min_bitrate=190),
    )
)


@dataclass(frozen=True, slots=True)
class MatchSettings:
    """Every knob of the engine. Scores are in 0..1; durations in seconds."""

    # Library check: >= owned is owned, >= uncertain is "maybe", else missing.
    owned_threshold: float = 0.80
    uncertain_threshold: float = 0.60
    # Soulseek: a candidate below accept is declined; >= strong ranks by quality.
    accept_threshold: float = 0.72
    strong_threshold: float = 0.88
    # Field weights of the similarity tier (beets-like weighted mean).
    title_weight: float = 3.0
    artist_weight: float = 2.0
    album_weight: float = 0.5
    duration_weight: float = 1.5
    # Duration: full credit within grace, linear to zero at zero_s (Picard/sldl).
    duration_grace_s: float = 3.0
    duration_zero_s: float = 30.0
    # Necessary condition for Soulseek files: length further off than this fails.
    max_duration_delta_s: float = 30.0
    # Video-site uploads: a release upload is within a second or two; more means
    # a video cut (intro, skit, outro) or another edit (matching/video.py).
    video_max_duration_delta_s: float = 5.0
    # A length this far off with no edit/extended marker to explain it is
    # another recording more often than not (a live cut, a re-recording, a
    # processed upload): the score is multiplied by the factor.
    unexplained_length_s: float = 15.0
    unexplained_length_factor: float = 0.8
    # A soundtrack/cast-album library track credited only to "Various
    # Artists" is at most "uncertain": it may be the cast's cover.
    various_artists_cap: float = 0.75
    # Version handling: hard (remix/live/instrumental...) multiplies the score.
    hard_version_factor: float = 0.25
    medium_version_factor: float = 0.85  # edit / extended
    alternate_version_factor: float = 0.7  # "Piano Version", "2019 Mix", extra featured artist
    remaster_penalty: float = 0.03  # soft, per the user's taste
    explicit_penalty: float = 0.05  # clean file when the wanted track is explicit
    prefer_explicit: bool = True
    # ISRCs that differ: the same recording may carry several, so cap, don't zero.
    isrc_mismatch_cap: float = 0.75
    # Soulseek necessary conditions and preferences.
    strictness: Strictness = Strictness.LENIENT
    quality: QualityProfile = field(default=DEFAULT_QUALITY_PROFILE)
    max_queue_length: int | None = None
    min_upload_speed: int = 0  # bytes/s; sldl drops peers at 0 only when > 0 here
    fails_to_downrank: int = 1
    fails_to_ignore: int = 2
    # Library index: how many blocked candidates get a full score.
    index_shortlist: int = 5
    _hash: int = field(default=0, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        # Factors and penalties only lower a score: ranking prunes readings
        # on that (score.compare).
        for name in _UNIT_VALUES:
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, not {getattr(self, name)}")
        values = tuple(getattr(self, f.name) for f in fields(self) if f.name != "_hash")
        object.__setattr__(self, "_hash", hash(values))

    def __hash__(self) -> int:
        # Cached: settings are part of the engine's cache keys.
        return self._hash

    @property
    def strict(self) -> bool:
        """True when unknown metadata must not pass necessary conditions."""
        return self.strictness is Strictness.STRICT


_UNIT_VALUES = (
    "unexplained_length_factor",
    "hard_version_factor",
    "medium_version_factor",
    "alternate_version_factor",
    "remaster_penalty",
    "explicit_penalty",
)

DEFAULT_SETTINGS = MatchSettings()
