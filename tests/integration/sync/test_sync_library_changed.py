"""Issue 18 item 8: a sync within 120 s of the last one sees what changed in the library.

The library index is cached between runs for ``library_ttl_s`` (120 s by
default). A file added to (or removed from) the library and scanned by the
server in that window was not seen: the cached index still said "missing"
(or "owned"). The run now compares the server's library stamp (Plex: the
music section's ``updatedAt``/``scannedAt``) and reads the library afresh
when it moved.
"""

from __future__ import annotations

import asyncio
import dataclasses
import shutil

import pytest
from sync_sandbox import FAST_SYNC

from soulsync.services.sync.models import RunState, TrackStatus
from soulsync.services.sync.service import SyncOptions


@pytest.fixture()
def sync_options() -> SyncOptions:
    """The real cache lifetime: two runs in a row share the library index."""
    return dataclasses.replace(FAST_SYNC, library_ttl_s=120.0)


async def test_a_file_added_and_scanned_is_seen_by_the_next_sync_within_the_ttl(
    sandbox, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    ref = sandbox.ref("road-trip")
    probe = await sandbox.run(ref, dry_run=True)
    rows = sandbox.sync.sync_store.run_tracks(probe.id)
    path = next(r.library_path for r in rows if r.status is TrackStatus.OWNED)
    assert path is not None
    sandbox.sync.library.invalidate()  # start from nothing cached
    # The user had moved one file of the playlist out of the library; Plex dropped it.
    aside = tmp_path / "aside.flac"
    await asyncio.to_thread(shutil.move, path, aside)
    await asyncio.to_thread(sandbox.plex_sim.scan_now)
    first = await sandbox.run(ref, download_missing=False)
    assert first.state is RunState.COMPLETED, first.error
    assert first.owned == 9

    # They put it back and Plex scans it; the next sync, seconds later, sees it.
    await asyncio.sleep(1.1)  # Plex's stamps are whole seconds
    await asyncio.to_thread(shutil.move, aside, path)
    await asyncio.to_thread(sandbox.plex_sim.scan_now)
    second = await sandbox.run(ref, download_missing=False)
    assert second.state is RunState.COMPLETED, second.error
    assert second.owned == 10
    rows = sandbox.sync.sync_store.run_tracks(second.id)
    assert path in {r.library_path for r in rows if r.status is TrackStatus.OWNED}
    reads = sandbox.plex_sim.count("GET", f"/library/sections/{sandbox.plex_sim.section.key}/all")

    # Nothing changed since: the cached index is used, not read again.
    third = await sandbox.run(ref, download_missing=False)
    assert third.owned == 10
    assert (
        sandbox.plex_sim.count("GET", f"/library/sections/{sandbox.plex_sim.section.key}/all")
        == reads
    )
