"""An album download is one queue row with counts and group actions (issue 15 item 12)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from test_queue_attempts import job

from soulsync.domain import Album, Artist, JobKind, JobState, SoulseekFile
from soulsync.services.downloads.jobs_store import Job
from soulsync.web.queue_groups import album_title, group_rows, summary
from soulsync.web.routes_queue import row
from soulsync.web.templating import make_templates

DISCOVERY = Album("Discovery", ("Daft Punk",))


def album_job(job_id: int, state: JobState, **values: Any) -> Job:
    file = SoulseekFile("flacfan", f"@@flacfan\\Music\\Daft Punk\\Discovery\\0{job_id} x.flac", 100)
    base = job(
        id=job_id,
        kind=JobKind.MATCHED_ALBUM,
        state=state,
        batch_id="b1",
        file=file,
        candidates=(file,),
        album=DISCOVERY,
        artist=Artist("Daft Punk"),
        extra={"folder": "@@flacfan\\Music\\Daft Punk\\Discovery"},
    )
    return replace(base, **values)


def test_an_albums_jobs_are_one_entry_and_other_jobs_stay_rows() -> None:
    jobs = [
        album_job(1, JobState.DOWNLOADING, bytes_done=50),
        job(id=9),  # a single track between them
        album_job(2, JobState.QUEUED),
        album_job(3, JobState.COMPLETED, finished_at=5.0),
    ]
    active = [row(j) for j in jobs if not j.is_final]
    entries = group_rows(active, {"b1": [j for j in jobs if j.batch_id == "b1"]})
    assert [e.get("group", False) for e in entries] == [True, False]
    group = entries[0]
    assert group["title"] == "Discovery" and group["artist"] == "Daft Punk"
    assert [r["id"] for r in group["rows"]] == [1, 2]
    assert group["summary"] == "1 of 3 done · 1 downloading · 1 queued"
    assert group["percent"] == 25.0  # 50 of 200 bytes of the listed rows


def test_a_batch_with_one_job_in_the_tab_is_a_plain_row() -> None:
    jobs = [album_job(1, JobState.FAILED, finished_at=1.0), album_job(2, JobState.DOWNLOADING)]
    active = [row(jobs[1])]
    assert group_rows(active, {"b1": jobs}) == active


def test_a_plain_folder_download_is_named_by_its_folder() -> None:
    plain = album_job(1, JobState.QUEUED, kind=JobKind.PLAIN, album=None, artist=None)
    assert album_title(plain) == ("Discovery", "from flacfan")
    assert summary([plain]) == "0 of 1 done · 1 queued"


def test_the_finished_album_row_offers_retry_and_remove_for_the_group() -> None:
    jobs = [
        album_job(1, JobState.COMPLETED, finished_at=10.0),
        album_job(2, JobState.FAILED, finished_at=20.0, error="stalled"),
    ]
    finished = [row(j) for j in jobs]
    entries = group_rows(finished, {"b1": jobs})
    html = (
        make_templates()
        .get_template("partials/queue_list.html")
        .render(tab="finished", active=[], finished=finished, entries=entries, eta=lambda *a: "")
    )
    assert html.count('class="job group"') == 1
    assert 'class="state group-summary failed"' in html  # the most pressing state colours it
    assert 'hx-post="/queue/batch/b1/retry"' in html and 'hx-post="/queue/batch/b1/remove"' in html
    assert 'hx-post="/queue/1/remove"' in html  # each track can still go on its own
    assert "1 of 2 done · 1 failed" in html and "<summary>Show 2 tracks</summary>" in html
