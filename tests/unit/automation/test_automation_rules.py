"""Pure rules of the automation: next run times, release filters, webhook bodies."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import pytest

from soulsync.domain import Album, AlbumType
from soulsync.services.automation.notify import Notification, body_for, safe_url
from soulsync.services.automation.schedules import ScheduleError, next_run, parse_daily
from soulsync.services.automation.watchlist import Watch, release_key, release_wanted

NOW = datetime(2026, 12, 4, 22, 0).timestamp()


@pytest.mark.parametrize(
    ("every", "daily", "expected"),
    [
        (6.0, None, datetime(2026, 12, 5, 4, 0)),
        (0.5, None, datetime(2026, 12, 4, 22, 30)),
        (None, "23:15", datetime(2026, 12, 4, 23, 15)),
        (None, "03:30", datetime(2026, 12, 5, 3, 30)),
        (None, "22:00", datetime(2026, 12, 5, 22, 0)),  # "now" is not after now
    ],
)
def test_next_run(every: float | None, daily: str | None, expected: datetime) -> None:
    assert next_run(after=NOW, every_hours=every, daily_at=daily) == expected.timestamp()


def test_jitter_stays_within_its_bound() -> None:
    rng = random.Random(7)
    values = [
        next_run(after=NOW, every_hours=1, daily_at=None, jitter_s=300, rng=rng) - NOW - 3600
        for _ in range(200)
    ]
    assert min(values) >= 0 and max(values) <= 300
    assert max(values) - min(values) > 100  # really spread


@pytest.mark.parametrize("text", ["24:00", "7", "12:60", "noon", ""])
def test_bad_daily_times(text: str) -> None:
    with pytest.raises(ScheduleError):
        parse_daily(text)


def test_no_interval_is_an_error() -> None:
    with pytest.raises(ScheduleError):
        next_run(after=NOW, every_hours=None, daily_at=None)


TODAY = date.today()
WATCH = Watch(
    1, "deezer:1", "Artist", TODAY.isoformat(), ("album", "single", "ep"), False, "wishlist", None
)


def _album(title: str, kind: AlbumType, day: date | str | None) -> Album:
    release = day.isoformat() if isinstance(day, date) else day
    return Album(title=title, artists=("Artist",), album_type=kind, release_date=release)


@pytest.mark.parametrize(
    ("album", "why"),
    [
        (_album("New Single", AlbumType.SINGLE, TODAY), None),
        (_album("New Album", AlbumType.ALBUM, TODAY + timedelta(days=1)), None),
        (_album("Old Single", AlbumType.SINGLE, TODAY - timedelta(days=1)), "before"),
        (_album("Greatest Hits", AlbumType.COMPILATION, TODAY), "compilation not watched"),
        (_album("Live at Leeds", AlbumType.ALBUM, TODAY), "live release"),
        (_album("Songs (Live)", AlbumType.ALBUM, TODAY), "live release"),
        (_album("Live Through This", AlbumType.ALBUM, TODAY), "live release"),
        (_album("Undated", AlbumType.SINGLE, None), "no release date"),
        (_album("This Year", AlbumType.ALBUM, str(TODAY.year)), None),  # year only: its last day
    ],
)
def test_release_filters(album: Album, why: str | None) -> None:
    got = release_wanted(album, WATCH)
    assert (got is None) if why is None else (got is not None and why in got)


def test_release_key_ignores_case_and_accents() -> None:
    a = _album("Café  Nights", AlbumType.SINGLE, TODAY)
    b = _album("cafe nights", AlbumType.SINGLE, TODAY)
    c = _album("Cafe Nights", AlbumType.ALBUM, TODAY)
    assert release_key(a) == release_key(b) != release_key(c)


NOTE = Notification("watch.new_release", "New single: X", "New single by A: X", {"k": 1})


def test_bodies_per_format() -> None:
    url = "https://ntfy.example/soulsync-topic"
    assert body_for("discord", url, NOTE, 0) == {"content": "**New single: X**\nNew single by A: X"}
    assert body_for("ntfy", url, NOTE, 0) == {
        "topic": "soulsync-topic",
        "title": "New single: X",
        "message": "New single by A: X",
        "tags": ["cd"],
    }
    assert body_for("json", url, NOTE, 5.0)["data"] == {"k": 1}
    long = Notification("sync.finished", "t", "x" * 5000)
    assert len(body_for("discord", url, long, 0)["content"]) == 2000


def test_safe_url_hides_path_and_credentials() -> None:
    shown = safe_url("https://user:pw@discord.com/api/webhooks/123/SECRET?wait=true")
    assert shown == "https://discord.com/…"
