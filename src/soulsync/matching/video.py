"""Video-site uploads (YouTube) scored and ranked by the one engine. Pure, no I/O.

An upload is read as a track first: YouTube's auto-generated release uploads
sit on an ``"Artist - Topic"`` channel with the bare track title; other
uploads usually say ``"Artist - Title (Official Video)"``. The reading is then
scored with :func:`~soulsync.matching.score.score_track` like any candidate,
so the version rules (live, cover, karaoke, sped up, slowed, 8D, fan-made …)
are the same as for Soulseek files.

Two rules are specific to uploads:

* **Duration is strict.** A release upload is within a second or two of the
  release; a lyric or music video with an intro, a skit or an outro is the
  same song with extra audio, so an upload further off than
  ``video_max_duration_delta_s`` (default 5 s) is declined.
* **Channel preference.** Among accepted uploads, a Topic channel (the
  release itself) ranks first, then the artist's own channel (its name is
  the artist's, a VEVO channel, or verified and naming the artist), then the
  rest; within a group the higher score wins.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass

from soulsync.domain import Track, VideoCandidate
from soulsync.matching.credits import name_similarity
from soulsync.matching.score import Score, score_track
from soulsync.matching.settings import DEFAULT_SETTINGS, LOSSLESS_FORMATS, MatchSettings

__all__ = [
    "ChannelKind",
    "RankedVideo",
    "VideoRankResult",
    "channel_artist",
    "lossy_source_allowed",
    "rank_videos",
    "video_as_track",
]

# Same-artist threshold for reading "Artist - Title" and for official channels.
_SAME_ARTIST = 0.85
_TOPIC_RE = re.compile(r"\s+-\s+topic$", re.IGNORECASE)
_CHANNEL_NOISE_RE = re.compile(r"(?:\s*vevo|\s+official|\s+music|\s+tv)$", re.IGNORECASE)
_DASH_RE = re.compile(r"\s+[-–—]\s+")
# Words that say an upload is a video cut (it may carry an intro or outro).
_VIDEO_CUT_RE = re.compile(r"\b(?:lyrics?|lyric video|music video|official video|visuali[sz]er)\b")


class ChannelKind(enum.IntEnum):
    """How much an upload's channel says it is the release (lower is better)."""

    TOPIC = 0
    OFFICIAL = 1
    OTHER = 2


def channel_artist(channel: str) -> str:
    """The artist a channel name stands for: "Artist - Topic" / "ArtistVEVO" -> "Artist"."""
    name = _TOPIC_RE.sub("", channel.strip())
    stripped = _CHANNEL_NOISE_RE.sub("", name).strip()
    return stripped or name


def channel_kind(video: VideoCandidate, want: Track) -> ChannelKind:
    """Topic, official (the wanted artist's own channel) or other."""
    if _TOPIC_RE.search(video.channel.strip()):
        return ChannelKind.TOPIC
    owner = channel_artist(video.channel)
    if any(name_similarity(owner, a) >= _SAME_ARTIST for a in want.artists):
        return ChannelKind.OFFICIAL
    return ChannelKind.OTHER


def video_as_track(video: VideoCandidate, want: Track | None = None) -> Track:
    """Read an upload as a track: artist from "Artist - Title" or else the channel."""
    owner = channel_artist(video.channel)
    title = video.title.strip()
    if _TOPIC_RE.search(video.channel.strip()):
        return Track(title, (owner,), duration_ms=video.duration_ms)
    parts = _DASH_RE.split(title, maxsplit=1)
    if len(parts) == 2 and parts[0].strip() and parts[1].strip():
        left, right = parts[0].strip(), parts[1].strip()
        known = [owner, *(want.artists if want is not None else ())]
        left_is_artist = any(name_similarity(left, k) >= _SAME_ARTIST for k in known)
        right_is_artist = any(name_similarity(right, k) >= _SAME_ARTIST for k in known)
        if right_is_artist and not left_is_artist:
            # "Title - Artist", the other common order.
            return Track(left, (right,), duration_ms=video.duration_ms)
        # "Artist - Title" is the convention even when the artist is unknown.
        return Track(right, (left,), duration_ms=video.duration_ms)
    return Track(title, (owner,), duration_ms=video.duration_ms)


@dataclass(frozen=True, slots=True)
class RankedVideo:
    """An upload with its score, channel kind and, if declined, why."""

    video: VideoCandidate
    score: Score
    channel: ChannelKind
    rejected_because: str | None = None

    @property
    def accepted(self) -> bool:
        """True if the upload passed every necessary condition."""
        return self.rejected_because is None

    @property
    def value(self) -> float:
        """The match score in 0..1."""
        return self.score.value


@dataclass(frozen=True, slots=True)
class VideoRankResult:
    """Accepted uploads best first, and declined ones with their reason."""

    candidates: tuple[RankedVideo, ...]
    rejected: tuple[RankedVideo, ...]

    @property
    def best(self) -> RankedVideo | None:
        """The upload to download, or None when the engine declines them all."""
        return self.candidates[0] if self.candidates else None


def _rejection(
    want: Track, video: VideoCandidate, score: Score, settings: MatchSettings
) -> str | None:
    below = score.value < settings.accept_threshold
    if below and score.version_severity == "hard":
        # The version says most: a live or sped-up upload is also longer or shorter.
        return "wrong version: " + "; ".join(score.penalties)
    if want.duration_ms and video.duration_ms:
        delta = (video.duration_ms - want.duration_ms) / 1000
        if abs(delta) > settings.video_max_duration_delta_s:
            what = f"{abs(delta):.0f} s {'longer' if delta > 0 else 'shorter'} than the release"
            if delta > 0 and _VIDEO_CUT_RE.search(video.title.lower()):
                return f"video cut with extra audio (intro/outro): {what}"
            return f"duration off: {what}"
    if below:
        for name, floor in (("artist", 0.6), ("title", 0.75)):
            found = score.field(name)
            if found is not None and found.similarity is not None and found.similarity < floor:
                return f"wrong {name}: {found.reason}"
        return f"match {score.percent}% under {round(settings.accept_threshold * 100)}%"
    return None


def rank_videos(
    want: Track, videos: Iterable[VideoCandidate], settings: MatchSettings = DEFAULT_SETTINGS
) -> VideoRankResult:
    """Score every upload against ``want``; accepted ones best first (see module doc)."""
    accepted: list[RankedVideo] = []
    rejected: list[RankedVideo] = []
    seen: set[str] = set()
    for video in videos:
        if video.id in seen:
            continue
        seen.add(video.id)
        score = score_track(want, video_as_track(video, want), settings)
        ranked = RankedVideo(
            video, score, channel_kind(video, want), _rejection(want, video, score, settings)
        )
        (accepted if ranked.accepted else rejected).append(ranked)
    strong = settings.strong_threshold
    accepted.sort(key=lambda r: (r.value < strong, r.channel, -r.value))
    rejected.sort(key=lambda r: -r.value)
    return VideoRankResult(tuple(accepted), tuple(rejected))


def lossy_source_allowed(settings: MatchSettings, allow_lossy_fallback: bool) -> str | None:
    """None if a lossy source (a video site) may serve this profile, else why not.

    A profile whose allowed formats are all lossless requires lossless files;
    a video site never has them, so it is skipped unless the user allows a
    lossy fallback.
    """
    allowed = settings.quality.allowed_formats
    if allowed and allowed <= LOSSLESS_FORMATS and not allow_lossy_fallback:
        return "the quality profile requires lossless files (allow_lossy_fallback is off)"
    return None
