"""Track badges (link previews, the matched modal's tracklist): filed record and job states."""

from __future__ import annotations

from pathlib import Path

from soulsync.domain import JobKind, JobState, Track
from soulsync.services.downloads.jobs_store import JobsStore, NewJob
from soulsync.services.filed import FiledTracks, filed_row
from soulsync.services.link_badges import Badge, track_badges
from soulsync.store import Store

LOVE = Track(
    "Digital Love", ("Daft Punk",), album="Discovery", duration_ms=301_000, ids={"spotify": "sp3"}
)
FUNK = Track("Da Funk", ("Daft Punk",), album="Homework", duration_ms=328_000)


def test_a_filed_track_is_downloaded_before_the_server_sees_it(
    store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "03 Digital Love.flac"
    path.write_bytes(b"x")
    filed = FiledTracks(store)
    filed.record(filed_row([LOVE], str(path)))
    found = filed.find_many([LOVE, FUNK])
    badges = track_badges([LOVE, FUNK], library=None, jobs=[], filed=set(found))
    assert badges == [Badge.DOWNLOADED, None]


def test_an_unfinished_job_is_queued_then_downloading(store: Store) -> None:
    jobs = JobsStore(store)
    (job,) = jobs.insert([NewJob(JobKind.PLAYLIST_TRACK, wanted=FUNK)])
    assert track_badges([FUNK, LOVE], library=None, jobs=jobs.active()) == [Badge.QUEUED, None]
    jobs.update(job.id, state=JobState.DOWNLOADING)
    assert track_badges([FUNK], library=None, jobs=jobs.active()) == [Badge.DOWNLOADING]
