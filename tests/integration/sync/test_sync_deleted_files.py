"""Issue 18 item 8: a sync right after files were deleted sees the deletions.

The media server still lists a deleted file until its next scan (and the
library index is cached between runs), so the run reported "30 owned,
0 downloaded" and could not mirror. Owned files are now checked on disk.
"""

from __future__ import annotations

import asyncio
import os

from soulsync.services.sync.models import RunState, TrackStatus


async def test_deleted_files_are_fetched_again_not_counted_as_owned(sandbox) -> None:  # type: ignore[no-untyped-def]
    ref = sandbox.ref("road-trip")
    first = await sandbox.run(ref, download_missing=True)
    assert first.state is RunState.COMPLETED and first.downloaded == 20
    rows = sandbox.sync.sync_store.run_tracks(first.id)
    deleted = [r.library_path for r in rows if r.status is TrackStatus.DOWNLOADED][:3]
    assert len(deleted) == 3 and all(deleted)
    for path in deleted:
        os.unlink(path)  # by hand; the media server has not rescanned
    second = await sandbox.run(ref, download_missing=True)
    assert second.state is RunState.COMPLETED, second.error
    assert (second.owned, second.downloaded, second.failed) == (27, 3, 0)
    assert second.playlist_synced and second.in_server_playlist == 30
    assert await asyncio.to_thread(_all_files, deleted)
    assert "were deleted: fetched again" in (second.message or "")


def _all_files(paths: list[str | None]) -> bool:
    return all(p is not None and os.path.isfile(p) for p in paths)
