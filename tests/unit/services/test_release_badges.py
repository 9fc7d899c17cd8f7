"""An artist's releases not owned: how far their downloads are (jobs in real SQLite)."""

from __future__ import annotations

from soulsync.domain import JobKind, JobState, Track
from soulsync.services.downloads.jobs_store import JobsStore, NewJob
from soulsync.services.link_badges import Badge
from soulsync.services.release_badges import ReleaseDownloads, release_downloads
from soulsync.store import Store

TITLES = ["Random Access Memories", "Homework", "Discovery"]


def _track(title: str, album: str, artist: str = "Daft Punk") -> Track:
    return Track(title, (artist,), album=album, album_artists=(artist,))


def test_jobs_count_for_their_release(store: Store) -> None:
    jobs = JobsStore(store)
    rows = jobs.insert(
        [
            NewJob(JobKind.PLAYLIST_TRACK, wanted=_track("Da Funk", "Homework")),
            NewJob(JobKind.PLAYLIST_TRACK, wanted=_track("Around the World", "Homework")),
            NewJob(JobKind.PLAYLIST_TRACK, wanted=_track("Get Lucky", "Random Access Memories")),
            # Another artist's album of the same name is not this artist's release.
            NewJob(JobKind.PLAYLIST_TRACK, wanted=_track("Homework", "Homework", "Someone Else")),
        ]
    )
    found = release_downloads(TITLES, "Daft Punk", jobs.active())
    assert found == {
        "Homework": ReleaseDownloads(queued=2),
        "Random Access Memories": ReleaseDownloads(queued=1),
    }
    assert found["Homework"].label(16) == "queued · 0/16 done"

    jobs.update(rows[0].id, state=JobState.COMPLETED)
    jobs.update(rows[1].id, state=JobState.DOWNLOADING)
    jobs.update(rows[2].id, state=JobState.FAILED)
    found = release_downloads(TITLES, "Daft Punk", [*jobs.history(100), *jobs.active()])
    homework = found["Homework"]
    assert homework.badge is Badge.DOWNLOADING
    assert homework.label(16) == "downloading · 1/16 done"
    assert "Random Access Memories" not in found  # its only job failed

    jobs.update(rows[1].id, state=JobState.COMPLETED)
    found = release_downloads(TITLES, "Daft Punk", jobs.history(100))
    assert found["Homework"].label(None) == "downloaded 2/2"


def test_a_retry_replaces_the_failed_job_of_a_track(store: Store) -> None:
    jobs = JobsStore(store)
    (failed,) = jobs.insert(
        [NewJob(JobKind.PLAYLIST_TRACK, wanted=_track("Digital Love", "Discovery"))]
    )
    jobs.update(failed.id, state=JobState.FAILED)
    assert release_downloads(TITLES, "Daft Punk", jobs.history(10)) == {}
    jobs.insert([NewJob(JobKind.PLAYLIST_TRACK, wanted=_track("Digital Love", "Discovery"))])
    found = release_downloads(TITLES, "Daft Punk", [*jobs.history(10), *jobs.active()])
    assert found == {"Discovery": ReleaseDownloads(queued=1)}
