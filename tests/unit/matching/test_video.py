"""Video-site uploads through the one engine: readings, version rules, channel preference."""

from __future__ import annotations

import pytest

from soulsync.domain import Track, VideoCandidate
from soulsync.matching import parse_title
from soulsync.matching.anatomy import VersionKind
from soulsync.matching.video import ChannelKind, channel_artist, rank_videos, video_as_track

WANT = Track("Neon Highway", ("Aurora Vale",), album="Night Drive", duration_ms=214_000)


def _v(vid: str, title: str, channel: str, seconds: float | None = 214) -> VideoCandidate:
    ms = None if seconds is None else int(seconds * 1000)
    return VideoCandidate(vid, title, channel, f"https://v.test/watch?v={vid}", ms)


@pytest.mark.parametrize(
    ("channel", "artist"),
    [
        ("Aurora Vale - Topic", "Aurora Vale"),
        ("AuroraValeVEVO", "AuroraVale"),
        ("Aurora Vale Official", "Aurora Vale"),
        ("Some Fan", "Some Fan"),
    ],
)
def test_channel_artist(channel: str, artist: str) -> None:
    assert channel_artist(channel) == artist


@pytest.mark.parametrize(
    ("title", "channel", "reading"),
    [
        ("Neon Highway", "Aurora Vale - Topic", ("Neon Highway", "Aurora Vale")),
        (
            "Aurora Vale - Neon Highway (Official Video)",
            "AuroraValeVEVO",
            ("Neon Highway (Official Video)", "Aurora Vale"),
        ),
        ("Neon Highway - Aurora Vale", "Lyrics Hub", ("Neon Highway", "Aurora Vale")),
        ("Neon Highway", "Aurora Vale", ("Neon Highway", "Aurora Vale")),
    ],
)
def test_reading(title: str, channel: str, reading: tuple[str, str]) -> None:
    track = video_as_track(_v("x", title, channel), WANT)
    assert (track.title, track.artist) == reading


# (title, channel, seconds, accepted, reason fragment)
DECLINED: list[tuple[str, str, float, str]] = [
    ("Aurora Vale - Neon Highway (Live at Red Rocks)", "Aurora Vale", 214, "live"),
    ("Neon Highway (Cover)", "Jamie Sings", 214, "cover"),
    ("Aurora Vale - Neon Highway (Sped Up)", "speedy edits", 171, "sped up"),
    ("Aurora Vale - Neon Highway", "speedy edits", 171, "shorter"),
    ("Aurora Vale - Neon Highway (sped up)", "speedy edits", 214, "sped up"),
    ("Aurora Vale - Neon Highway (8D Audio)", "8D Tunes", 214, "processed upload"),
    ("Aurora Vale - Neon Highway (Karaoke Version)", "Sing King", 214, "karaoke"),
    ("Aurora Vale - Neon Highway (Fan Made Video)", "fanclub", 214, "fan-made"),
    ("Aurora Vale - Neon Highway (Slowed + Reverb)", "chill", 214, "slowed"),
    ("Aurora Vale - Neon Highway (Lyric Video)", "Lyrics Hub", 224, "intro/outro"),
    ("Aurora Vale - Neon Highway (Official Music Video)", "Aurora Vale", 245, "intro/outro"),
    ("Other Artist - Some Other Song", "Other Artist", 214, "wrong"),
]


@pytest.mark.parametrize(("title", "channel", "seconds", "reason"), DECLINED)
def test_declined(title: str, channel: str, seconds: float, reason: str) -> None:
    result = rank_videos(WANT, [_v("a", title, channel, seconds)])
    assert result.best is None
    assert result.rejected[0].rejected_because is not None
    assert reason in result.rejected[0].rejected_because.lower()


def test_topic_then_official_then_other() -> None:
    uploads = [
        _v("fan", "Aurora Vale - Neon Highway", "Music Lover 99", 214),
        _v("off", "Aurora Vale - Neon Highway (Official Audio)", "AuroraValeVEVO", 215),
        _v("top", "Neon Highway", "Aurora Vale - Topic", 214),
        _v("live", "Aurora Vale - Neon Highway (Live)", "Aurora Vale", 230),
    ]
    result = rank_videos(WANT, uploads)
    assert [r.video.id for r in result.candidates] == ["top", "off", "fan"]
    assert [r.channel for r in result.candidates] == [
        ChannelKind.TOPIC,
        ChannelKind.OFFICIAL,
        ChannelKind.OTHER,
    ]
    assert [r.video.id for r in result.rejected] == ["live"]


def test_unknown_duration_is_not_declined_for_length() -> None:
    result = rank_videos(WANT, [_v("a", "Neon Highway", "Aurora Vale - Topic", None)])
    assert result.best is not None


def test_duplicates_counted_once() -> None:
    one = _v("a", "Neon Highway", "Aurora Vale - Topic")
    assert len(rank_videos(WANT, [one, one]).candidates) == 1


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("Song (8D Audio)", VersionKind.PROCESSED),
        ("Song [8D]", VersionKind.PROCESSED),
        ("Song - 16D Audio", VersionKind.PROCESSED),
        ("Song (Fan Made)", VersionKind.FAN_MADE),
        ("Song (Unofficial Video)", VersionKind.FAN_MADE),
    ],
)
def test_new_version_kinds(title: str, kind: VersionKind) -> None:
    assert kind in {v.kind for v in parse_title(title).versions}


@pytest.mark.parametrize("title", ["8 Days a Week", "Fan Mail", "3D Glasses"])
def test_new_kinds_leave_titles_alone(title: str) -> None:
    assert not parse_title(title).versions
