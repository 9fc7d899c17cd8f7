"""Analysis on opening a playlist: its tracks' owned / missing / uncertain status at once.

What ``soulsync sync --dry-run`` does, started by the web UI when a playlist
is opened and its last analysis is not of the playlist's current snapshot (or
there is none): the playlist is read and checked against the library, nothing
is mirrored or downloaded. A current analysis is reused (cached per snapshot).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from soulsync.services.sync.listed import LISTED
from soulsync.services.sync.models import RunState

if TYPE_CHECKING:
    from soulsync.services.sync.service import SyncService

# How long opening a playlist waits for its analysis before showing it as running.
DEFAULT_WAIT_S = 15.0


def analysis_is_current(service: SyncService, playlist_ref: str) -> bool:
    """True when the playlist's last finished run analysed its current snapshot.

    A failed run counts too (its error is shown; opening again must not hammer
    a source that refuses the playlist): the user retries with "Sync".
    """
    record = service.find_playlist(playlist_ref)
    runs = service.sync_store.runs(limit=1, playlist_row_id=record.id)
    if not runs:
        return False
    last = runs[0]
    if not last.state.is_final:
        return True  # a run going on is as good as current
    if last.state is RunState.CANCELLED:
        return False
    current = service.store.cache_get(LISTED, record.ref) or record.snapshot_id
    return current is None or last.snapshot_id == current


async def analyse_on_open(
    service: SyncService,
    playlist_ref: str,
    *,
    wait_s: float = DEFAULT_WAIT_S,
    force: bool = False,
) -> str | None:
    """Start a dry run unless the analysis is current; wait up to ``wait_s`` for it.

    ``force`` analyses again anyway (after a decision by hand changed a verdict).
    Returns the id of the run started (None when the last one is current).
    Nothing runs when no source can read the playlist.
    """
    if not force and analysis_is_current(service, playlist_ref):
        return None
    record = service.find_playlist(playlist_ref)
    if record.source not in service.sources:
        return None
    run_id = await service.start_sync(record.ref, dry_run=True)
    # A slow analysis goes on in the background after the wait (never cancelled here).
    await asyncio.wait({asyncio.ensure_future(service.wait(run_id))}, timeout=wait_s)
    return run_id
