"""Issue 18 item 10: a Transfer folder that cannot be written stops the run before downloading."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from soulsync.domain import Source
from soulsync.services.sync.downloads import QueueDownloads
from soulsync.services.sync.models import RunState
from soulsync.services.sync.service import SyncService


async def test_unwritable_transfer_folder_fails_the_run_before_any_download(
    sandbox, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    blocker = tmp_path / "Transfer"
    blocker.write_text("a file where the folder should be")
    options = dataclasses.replace(
        sandbox.options, write_folders=(("the Transfer folder", str(blocker)),)
    )
    sync = SyncService(
        sandbox.store,
        sources={Source.SPOTIFY: sandbox.spotify},
        media_server=sandbox.media,
        downloads=QueueDownloads(sandbox.queue),
        bus=sandbox.bus,
        options=options,
    )
    run_id = await sync.start_sync(sandbox.ref("road-trip"), download_missing=True)
    run = await sync.wait(run_id)
    await sync.stop()
    assert run.state is RunState.FAILED
    assert (
        run.error
        == f"nothing was downloaded: the Transfer folder {blocker} is a file, not a folder"
    )
    assert sandbox.queue.jobs.counts() == {}  # no job was queued
    assert sandbox.slskd_sim.counters.searches_posted == 0


async def test_a_transfer_folder_root_cannot_write_fails_the_run_before_any_download(
    sandbox, tmp_path: Path, mount_tmpfs
) -> None:  # type: ignore[no-untyped-def]
    """``os.access`` says "writable" to root here; the pre-flight's real write does not."""
    full = tmp_path / "Transfer"
    assert mount_tmpfs(full, "size=64k,nr_inodes=1"), "the case needs a tmpfs mount (root)"
    options = dataclasses.replace(
        sandbox.options, write_folders=(("the Transfer folder", str(full)),)
    )
    sync = SyncService(
        sandbox.store,
        sources={Source.SPOTIFY: sandbox.spotify},
        media_server=sandbox.media,
        downloads=QueueDownloads(sandbox.queue),
        bus=sandbox.bus,
        options=options,
    )
    run_id = await sync.start_sync(sandbox.ref("road-trip"), download_missing=True)
    run = await sync.wait(run_id)
    await sync.stop()
    assert run.state is RunState.FAILED
    assert run.error == (
        f"nothing was downloaded: the Transfer folder {full} is not writable "
        "(No space left on device)"
    )
    assert sandbox.queue.jobs.counts() == {}
    assert sandbox.slskd_sim.counters.searches_posted == 0
