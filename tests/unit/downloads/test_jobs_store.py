"""The job rows: compare-and-set transitions, retry times, clearing, peer counters."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from soulsync.domain import JobKind, JobState, SoulseekFile, Track
from soulsync.services.downloads.jobs_store import Job, JobsStore, NewJob
from soulsync.store import Store

FILE = SoulseekFile("flacfan", "@@flacfan\\Music\\A\\01. B.flac", 1000)


def _ids(rows: list[Job]) -> list[int]:
    return [r.id for r in rows]


def _store(store: Store) -> JobsStore:
    return JobsStore(store)


def test_insert_writes_queued_rows_and_decodes_them(store: Store) -> None:
    jobs = _store(store)
    wanted = Track("Hello", ("Adele",), duration_ms=295_000)
    ids = _ids(
        jobs.insert(
            [
                NewJob(JobKind.PLAIN, file=FILE, candidates=(FILE,)),
                NewJob(
                    JobKind.PLAYLIST_TRACK, wanted=wanted, batch_id="b1", extra={"queries": ["x"]}
                ),
            ]
        )
    )
    assert len(ids) == 2 and ids[0] < ids[1]
    plain, playlist = jobs.require(ids[0]), jobs.require(ids[1])
    assert plain.state is JobState.QUEUED and plain.file == FILE and plain.candidates == (FILE,)
    assert playlist.wanted == wanted and playlist.extra == {"queries": ["x"]}
    assert [j.id for j in jobs.batch("b1")] == [ids[1]]
    assert plain.title == "01. B.flac" and playlist.title == "Adele - Hello"


def test_transition_only_moves_from_the_expected_states(store: Store) -> None:
    jobs = _store(store)
    (job_id,) = _ids(jobs.insert([NewJob(JobKind.PLAIN, file=FILE)]))
    moved = jobs.transition(job_id, [JobState.QUEUED], JobState.DOWNLOADING, bytes_done=10)
    assert moved is not None and moved.state is JobState.DOWNLOADING and moved.bytes_done == 10
    assert jobs.transition(job_id, [JobState.QUEUED], JobState.PROCESSING) is None
    assert jobs.require(job_id).state is JobState.DOWNLOADING
    assert jobs.transition(job_id, [JobState.DOWNLOADING], JobState.CANCELLED) is not None
    done = jobs.require(job_id)
    assert done.state is JobState.CANCELLED and done.finished_at is not None
    assert done.bytes_done == 10
    # A finished job cannot be moved back by a late worker.
    assert jobs.transition(job_id, [JobState.DOWNLOADING], JobState.COMPLETED) is None


def test_due_queued_waits_for_the_retry_time(store: Store) -> None:
    jobs = _store(store)
    a, b = _ids(jobs.insert([NewJob(JobKind.PLAIN, file=FILE), NewJob(JobKind.PLAIN, file=FILE)]))
    jobs.update(b, next_attempt_at=time.time() + 60)
    assert [j.id for j in jobs.due_queued(time.time(), 10)] == [a]
    assert jobs.next_due_time() is not None
    assert [j.id for j in jobs.due_queued(time.time() + 61, 10)] == [a, b]


def test_clearing_hides_finished_jobs_but_history_keeps_them(store: Store) -> None:
    jobs = _store(store)
    done, failed, running = _ids(jobs.insert([NewJob(JobKind.PLAIN, file=FILE)] * 3))
    jobs.transition(done, [JobState.QUEUED], JobState.COMPLETED)
    jobs.transition(failed, [JobState.QUEUED], JobState.FAILED, error="boom")
    jobs.transition(running, [JobState.QUEUED], JobState.DOWNLOADING)
    assert {j.id for j in jobs.mark_cleared()} == {done, failed}
    assert [j.id for j in jobs.active()] == [running]
    assert {j.id for j in jobs.history()} == {done, failed}
    assert jobs.counts() == {"downloading": 1}


def test_find_active_source_ignores_finished_jobs(store: Store) -> None:
    jobs = _store(store)
    first, second = _ids(jobs.insert([NewJob(JobKind.PLAIN, file=FILE)] * 2))
    jobs.transition(first, [JobState.QUEUED], JobState.FAILED)
    found = jobs.find_active_source(FILE.username, FILE.filename)
    assert found is not None and found.id == second


def test_peer_failures_are_net_of_successes(store: Store) -> None:
    jobs = _store(store)
    for _ in range(3):
        jobs.record_peer("staller", ok=False, error="stalled")
    jobs.record_peer("staller", ok=True)
    jobs.record_peer("flacfan", ok=True)
    jobs.record_peer("flaky", ok=False)
    assert jobs.peer_failures() == {"staller": 2, "flaky": 1}


def test_one_live_or_completed_job_per_recording_across_connections(
    store: Store, tmp_path: Path
) -> None:
    """Issue 18 item 2: "queued or done? else queue it" is one atomic step.

    A second store on the same file stands for a second process.
    """
    other = JobsStore(Store(store.path))
    jobs = _store(store)
    want = Track("Digital Love", ("Daft Punk",), ids={"spotify": "sp1"}, isrc="GBDUW0000059")
    same_by_isrc = Track("Digital Love", ("Daft Punk",), ids={"deezer": "dz9"}, isrc="gbduw0000059")
    first = jobs.insert_or_existing([NewJob(JobKind.PLAYLIST_TRACK, wanted=want, batch_id="a")])
    again = other.insert_or_existing([NewJob(JobKind.PLAYLIST_TRACK, wanted=want, batch_id="b")])
    by_isrc = other.insert([NewJob(JobKind.PLAYLIST_TRACK, wanted=same_by_isrc)])
    assert first[0][1] is True and again == [(first[0][0], False)]
    assert by_isrc[0].id == first[0][0].id
    # A completed job still stands for the recording while its file exists...
    filed = tmp_path / "Digital Love.flac"
    filed.write_bytes(b"x")
    job_id = first[0][0].id
    jobs.transition(job_id, [JobState.QUEUED], JobState.COMPLETED, destination=str(filed))
    assert other.insert([NewJob(JobKind.PLAYLIST_TRACK, wanted=want)])[0].id == job_id
    # ...and gives the recording up once the user deleted the file.
    filed.unlink()
    fresh = other.insert_or_existing([NewJob(JobKind.PLAYLIST_TRACK, wanted=want)])
    assert fresh[0][1] is True and fresh[0][0].id != job_id
    # A failed job does not stand for it: retrying it while another is live is refused.
    jobs.transition(fresh[0][0].id, [JobState.QUEUED], JobState.FAILED, error="x")
    third = jobs.insert([NewJob(JobKind.PLAYLIST_TRACK, wanted=want)])[0]
    assert third.id not in (job_id, fresh[0][0].id)
    with pytest.raises(sa.exc.IntegrityError):
        jobs.transition(fresh[0][0].id, [JobState.FAILED], JobState.QUEUED)
    other.store.close()


def test_a_batch_holding_one_recording_twice_queues_it_once(store: Store) -> None:
    """The whole batch is looked up at once, so rows of the same batch see each other.

    Same key twice, or two ids of one recording sharing an ISRC: the later row
    becomes the earlier row's job (flag False); plain jobs are always written.
    """
    jobs = _store(store)
    want = Track("Around the World", ("Daft Punk",), ids={"spotify": "sp2"}, isrc="GBDUW9700011")
    twin = Track("Around the World", ("Daft Punk",), ids={"deezer": "dz2"}, isrc="GBDUW9700011")
    other = Track("Da Funk", ("Daft Punk",), ids={"spotify": "sp3"})
    rows = jobs.insert_or_existing(
        [
            NewJob(JobKind.PLAYLIST_TRACK, wanted=want),
            NewJob(JobKind.PLAYLIST_TRACK, wanted=other),
            NewJob(JobKind.PLAYLIST_TRACK, wanted=want),
            NewJob(JobKind.PLAYLIST_TRACK, wanted=twin),
        ]
    )
    assert [new for _job, new in rows] == [True, True, False, False]
    assert rows[2][0].id == rows[0][0].id == rows[3][0].id != rows[1][0].id
    assert len(jobs.active()) == 2
    # A second batch finds both standing jobs, in the order asked.
    again = jobs.insert(
        [NewJob(JobKind.PLAYLIST_TRACK, wanted=other), NewJob(JobKind.PLAYLIST_TRACK, wanted=twin)]
    )
    assert [j.id for j in again] == [rows[1][0].id, rows[0][0].id]
