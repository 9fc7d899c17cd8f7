"""A finished download can be taken off the queue list on its own (issue 15 item
12); one still going on cannot."""

from __future__ import annotations

import pytest

from soulsync.domain import JobState, Track


async def test_remove_one_finished_job(sandbox) -> None:  # type: ignore[no-untyped-def]
    queue = sandbox.queue
    track = Track("Digital Love", ("Daft Punk",), album="Discovery", duration_ms=301_000)
    job_id = await queue.enqueue_playlist_track(track)
    with pytest.raises(ValueError, match="cancel it first"):
        queue.remove_finished(job_id)
    done = await queue.wait_job(job_id, within_s=120)
    assert done.state is JobState.COMPLETED
    assert job_id in [j.id for j in queue.list_active()]
    removed = queue.remove_finished(job_id)
    assert removed.id == job_id
    assert job_id not in [j.id for j in queue.list_active()]
    assert queue.get(job_id).state is JobState.COMPLETED  # history keeps it
