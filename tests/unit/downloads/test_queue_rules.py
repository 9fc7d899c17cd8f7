"""Pure rules of the queue: backoff, config mapping, transfer states, duration gate, remix tags."""

from __future__ import annotations

import pytest

from soulsync.config import Settings
from soulsync.domain import Album, AlbumType, Track
from soulsync.library.tags import TagSet
from soulsync.matching.remix import RemixArtistPolicy
from soulsync.services.downloads.queue_settings import QueueSettings
from soulsync.services.downloads.transfer_port import TransferStatus
from soulsync.services.matched import (
    Resolution,
    _folder_artist,
    apply_remix_policy,
    durations_agree,
)


@pytest.mark.parametrize(
    ("attempt", "delay"), [(1, 10.0), (2, 20.0), (3, 40.0), (4, 80.0), (5, 100.0), (9, 100.0)]
)
def test_backoff_doubles_and_is_capped(attempt: int, delay: float) -> None:
    assert QueueSettings(retry_delay_s=10, max_retry_delay_s=100).backoff(attempt) == delay


def test_queue_settings_come_from_the_config() -> None:
    settings = Settings(
        downloads={"concurrency": 3, "retries": 5, "retry_delay_s": 7},
        slskd={"stall_timeout_s": 12, "remote_queue_timeout_s": 34},
    )
    q = QueueSettings.from_settings(settings, poll_interval_s=0.5)
    assert (q.concurrency, q.retries, q.retry_delay_s) == (3, 5, 7)
    assert (q.stall_timeout_s, q.remote_queue_timeout_s, q.poll_interval_s) == (12, 34, 0.5)
    assert q.watch().stall_timeout_s == 12


@pytest.mark.parametrize(
    ("state", "waiting", "started", "succeeded", "failed"),
    [
        ("Requested", True, False, False, False),
        ("Queued, Remotely", True, False, False, False),
        ("Queued, Locally", True, False, False, False),
        ("Initializing", True, False, False, False),
        ("InProgress", False, True, False, False),
        ("Completed, Succeeded", False, True, True, False),
        ("Completed, Errored", False, True, False, True),
        ("Completed, Cancelled", False, True, False, True),
        ("Completed, TimedOut", False, True, False, True),
        ("Completed, Rejected", False, True, False, True),
    ],
)
def test_transfer_state_flags(
    state: str, waiting: bool, started: bool, succeeded: bool, failed: bool
) -> None:
    status = TransferStatus("id", "u", "f", 10, state)
    assert (status.waiting, status.started, status.succeeded, status.failed) == (
        waiting,
        started,
        succeeded,
        failed,
    )


@pytest.mark.parametrize(
    ("metadata_ms", "file_ms", "agree"),
    [
        (355_000, 357_000, True),  # a couple of seconds: the same recording
        (355_000, 361_000, True),  # 5 % of 355 s is 17.75 s
        (355_000, 375_000, False),  # live version of a studio title
        (60_000, 66_000, False),  # the 5 s floor on short tracks
        (60_000, 64_000, True),
        (None, 200_000, True),  # unknown lengths neither help nor hurt
        (200_000, None, True),
    ],
)
def test_duration_gate(metadata_ms: int | None, file_ms: int | None, agree: bool) -> None:
    assert durations_agree(metadata_ms, file_ms) is agree


def test_remix_policy_puts_the_remixer_first() -> None:
    track = Track("Blinding Lights - Chromatics Remix", ("The Weeknd", "Chromatics"))
    tags = TagSet(title=track.title, artist="The Weeknd & Chromatics", artists=track.artists)
    out = apply_remix_policy(tags, track)
    assert out.artist == "Chromatics"
    assert out.artists == ("Chromatics", "The Weeknd")
    assert out.remixers == ("Chromatics",) and out.original_artist == "The Weeknd"
    original_first = apply_remix_policy(tags, track, RemixArtistPolicy.ORIGINAL)
    assert original_first.artist == "The Weeknd"


def test_remix_policy_leaves_other_tracks_alone() -> None:
    track = Track("Blinding Lights", ("The Weeknd",))
    tags = TagSet(title=track.title, artist="The Weeknd", artists=track.artists)
    assert apply_remix_policy(tags, track) == tags


@pytest.mark.parametrize(
    ("chosen", "album", "expected"),
    [
        ("Daft Punk", Album("Discovery", ("Daft Punk",)), "Daft Punk"),
        (
            "Earth, Wind & Fire",
            Album("Pure Dance Classics", ("Various Artists",), AlbumType.COMPILATION),
            "Various Artists",
        ),
        (None, Album("25", ("Adele",)), "Adele"),
        (None, None, "Queen"),
    ],
)
def test_folder_artist(chosen: str | None, album: Album | None, expected: str) -> None:
    track = Track("X", ("Queen",))
    assert _folder_artist(chosen, album, track) == expected
    assert Resolution(track, album, expected, 1.0, "test").folder_artist == expected
