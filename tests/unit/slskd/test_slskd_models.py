"""Turning slskd JSON (nulls omitted, flag strings, .NET dates) into SoulSync values."""

from __future__ import annotations

import datetime as dt

import pytest

from soulsync.providers.slskd_models import (
    directory_files,
    parse_time,
    response_from_json,
    transfer_from_json,
    transfers_from_groups,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "2026-11-23T17:44:45.0830970",
            dt.datetime(2026, 11, 23, 17, 44, 45, 83097, tzinfo=dt.UTC),
        ),
        (
            "2026-11-23T17:44:45.0830979Z",
            dt.datetime(2026, 11, 23, 17, 44, 45, 83097, tzinfo=dt.UTC),
        ),
        ("2026-11-23T17:44:45", dt.datetime(2026, 11, 23, 17, 44, 45, tzinfo=dt.UTC)),
        (
            "2026-11-23T18:44:45.5+01:00",
            dt.datetime(2026, 11, 23, 17, 44, 45, 500000, tzinfo=dt.UTC),
        ),
        ("not a date", None),
        (None, None),
        ("", None),
    ],
)
def test_parse_time(text: str | None, expected: dt.datetime | None) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    ("state", "complete", "succeeded", "failed", "queued"),
    [
        ("Requested", False, False, False, False),
        ("Queued, Remotely", False, False, False, True),
        ("Queued, Locally", False, False, False, False),
        ("InProgress", False, False, False, False),
        ("Completed, Succeeded", True, True, False, False),
        ("Completed, Errored", True, False, True, False),
        ("Completed, Cancelled", True, False, True, False),
        ("Completed, Rejected", True, False, True, False),
        ("Completed, TimedOut", True, False, True, False),
    ],
)
def test_transfer_state_flags(
    state: str, complete: bool, succeeded: bool, failed: bool, queued: bool
) -> None:
    t = transfer_from_json({"id": "a", "username": "u", "filename": "f", "size": 5, "state": state})
    assert (t.is_complete, t.succeeded, t.failed, t.queued_remotely) == (
        complete,
        succeeded,
        failed,
        queued,
    )


def test_transfer_with_omitted_fields() -> None:
    t = transfer_from_json(
        {
            "id": "0d7c",
            "username": "peer",
            "filename": "@@p\\A\\b.flac",
            "size": 100,
            "state": "Queued, Remotely",
            "placeInQueue": 4,
            "requestedAt": "2026-01-02T03:04:05.1234567",
        }
    )
    assert t.place_in_queue == 4
    assert t.bytes_transferred == 0
    assert t.started_at is None and t.ended_at is None and t.exception is None
    assert t.requested_at == dt.datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=dt.UTC)


def test_groups_are_flattened() -> None:
    groups = [
        {
            "username": "a",
            "directories": [
                {"directory": "d1", "files": [{"id": "1", "state": "InProgress"}]},
                {"directory": "d2", "files": [{"id": "2", "state": "Requested"}]},
            ],
        },
        {"username": "b", "directories": []},
    ]
    assert [t.id for t in transfers_from_groups(groups)] == ["1", "2"]


def test_response_maps_files_and_locked_files() -> None:
    response = response_from_json(
        {
            "username": "flacfan",
            "token": 1,
            "hasFreeUploadSlot": False,
            "uploadSpeed": 4000000,
            "queueLength": 3,
            "fileCount": 1,
            "files": [
                {
                    "filename": "@@f\\Music\\X\\Album\\01 T.flac",
                    "size": 1234,
                    "code": 1,
                    "extension": "flac",
                    "bitDepth": 16,
                    "sampleRate": 44100,
                    "length": 201,
                    "isLocked": False,
                }
            ],
            "lockedFileCount": 1,
            "lockedFiles": [{"filename": "@@f\\Locked\\02 U.mp3", "size": 9, "bitRate": 320}],
        }
    )
    (f,) = response.files
    assert (f.username, f.size, f.length, f.bit_depth, f.bit_rate) == (
        "flacfan",
        1234,
        201,
        16,
        None,
    )
    assert f.is_variable_bit_rate is None
    assert (f.has_free_upload_slot, f.upload_speed, f.queue_length) == (False, 4000000, 3)
    assert f.extension == "flac" and f.duration_ms == 201000
    (locked,) = response.locked_files
    assert locked.is_locked and locked.bit_rate == 320
    assert response.queue_length == 3 and not response.has_free_upload_slot


@pytest.mark.parametrize(
    "payload",
    [
        [
            {
                "name": "@@f\\Music\\Album",
                "fileCount": 1,
                "files": [{"filename": "01 T.flac", "size": 7}],
            }
        ],
        {
            "name": "@@f\\Music\\Album",
            "fileCount": 1,
            "files": [{"filename": "01 T.flac", "size": 7}],
        },
    ],
)
def test_directory_listing_gets_full_remote_paths(payload: object) -> None:
    (f,) = directory_files("flacfan", payload, "@@f\\Music\\Album")
    assert f.filename == "@@f\\Music\\Album\\01 T.flac"
    assert f.size == 7 and f.username == "flacfan"
