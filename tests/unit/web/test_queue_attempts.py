"""The queue says which peer is being tried and why the last one was left,
instead of a bare QUEUED flipping with DOWNLOADING (issue 15 item 10)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from soulsync.domain import JobKind, JobState, SoulseekFile
from soulsync.services.downloads.jobs_store import Job
from soulsync.web.routes_queue import attempt_note, candidate_line

PEERS = tuple(
    SoulseekFile(u, f"Music\\{u}\\01 Song.flac", 30_000_000) for u in ("ann", "bob", "cy")
)


def job(**values: Any) -> Job:
    base: dict[str, Any] = dict(
        id=1,
        kind=JobKind.PLAYLIST_TRACK,
        state=JobState.QUEUED,
        batch_id=None,
        file=PEERS[0],
        wanted=None,
        artist=None,
        album=None,
        track=None,
        candidates=PEERS,
        candidate_index=0,
        bytes_done=0,
        percent=0.0,
        speed=0.0,
        attempts=0,
        next_attempt_at=None,
        error=None,
        result=None,
        transfer_id=None,
        local_path=None,
        destination=None,
        created_at=0.0,
        updated_at=0.0,
        started_at=None,
        finished_at=None,
        cleared=False,
    )
    base.update(values)
    return Job(**base)


@pytest.mark.parametrize(
    ("values", "note"),
    [
        ({}, None),
        (
            {
                "candidate_index": 1,
                "file": PEERS[1],
                "error": "previous candidate failed: stalled: no data for 25s at 9 of 30 bytes",
            },
            "stalled: no data for 25s at 9 of 30 bytes — trying the next peer (2/3)",
        ),
        ({"candidate_index": 2, "file": PEERS[2]}, None),
        (
            {"attempts": 1, "error": "all candidates failed; last: stalled; retry 1/3 in 60s"},
            "all candidates failed; last: stalled; retry 1/3 in 60s",
        ),
        ({"attempts": 2}, "attempt 3 of 4"),
        ({"state": JobState.FAILED, "error": "previous candidate failed: x"}, None),
    ],
)
def test_attempt_note(values: dict[str, Any], note: str | None) -> None:
    assert attempt_note(job(**values), retries=3) == note


@pytest.mark.parametrize(
    ("values", "line"),
    [
        ({}, "peer 1 of 3: ann — 01 Song.flac"),
        ({"candidate_index": 2, "file": PEERS[2]}, "peer 3 of 3: cy — 01 Song.flac"),
        ({"candidates": PEERS[:1]}, "from ann — 01 Song.flac"),
        ({"state": JobState.PROCESSING}, None),
        ({"state": JobState.COMPLETED}, None),
    ],
)
def test_candidate_line(values: dict[str, Any], line: str | None) -> None:
    assert candidate_line(job(**values)) == line


def test_a_stalled_row_shows_its_timer_instead_of_speed_and_eta() -> None:
    from soulsync.web.routes_queue import row
    from soulsync.web.templating import make_templates

    stalled = row(job(state=JobState.DOWNLOADING, speed=3000.0, percent=30.0), stalled_s=25.4)
    html = (
        make_templates()
        .get_template("partials/queue_list.html")
        .render(
            tab="active",
            active=[stalled],
            finished=[],
            entries=[stalled],
            eta=lambda *a: "0:09 left",
        )
    )
    assert 'class="state stalled" data-stalled-s="25.4">stalled 25 s<' in html
    assert "0:09 left" not in html and "peer 1 of 3: ann" in html


def test_finished_rows_say_when_and_offer_remove() -> None:
    import time

    from soulsync.web.routes_queue import exact_time, row, short_path
    from soulsync.web.templating import make_templates

    at = time.time() - 120
    done = row(job(state=JobState.COMPLETED, finished_at=at, destination="/srv/Transfer/A/a.flac"))
    done["short"] = short_path(done["path"], Path("/srv/Transfer"))
    html = (
        make_templates()
        .get_template("partials/queue_list.html")
        .render(tab="finished", active=[], finished=[done], entries=[done], eta=lambda *a: "")
    )
    assert 'hx-post="/queue/1/remove"' in html and "Remove" in html
    assert "2 min ago" in html and f'title="{exact_time(at)}"' in html
    assert "Transfer/A/a.flac" in html and "/srv/" not in html  # never an absolute server path
    queued = row(job())
    html = (
        make_templates()
        .get_template("partials/queue_list.html")
        .render(
            tab="active", active=[queued], finished=[], entries=[queued], eta=lambda *a: "0:00 left"
        )
    )
    assert "0:00 left" not in html  # no speed or ETA while queued


def test_short_path_is_never_absolute() -> None:
    from soulsync.web.routes_queue import short_path

    transfer, downloads = Path("/srv/Transfer"), Path("/srv/slskd/downloads")
    assert (
        short_path("/srv/Transfer/A/B/01 x.flac", transfer, downloads) == "Transfer/A/B/01 x.flac"
    )
    assert short_path("/srv/slskd/downloads/F/01 x.flac", transfer, downloads) == (
        "downloads/F/01 x.flac"
    )
    assert short_path("/elsewhere/01 x.flac", transfer, downloads) == "01 x.flac"
    assert short_path(None, transfer) is None
