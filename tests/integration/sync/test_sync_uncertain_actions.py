"""The playlist modal's decisions on an uncertain row: mark as owned, download
anyway, correct on the wishlist (``routes_playlists._decide``), each followed by
a fresh analysis that shows the new verdict.

The uncertain band is widened (0.40) so that "Here Comes The Sun" against the
library's "Something" (same artist and album, 44 %) lands in it.
"""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import pytest
from sync_sandbox import FAST_SYNC

from soulsync.services.sync.library import SyncOptions
from soulsync.services.sync.on_open import analyse_on_open
from soulsync.web.routes_playlists import _decide

TITLE = "Here Comes The Sun"


@pytest.fixture()
def sync_options() -> SyncOptions:
    return dataclasses.replace(
        FAST_SYNC, match=dataclasses.replace(FAST_SYNC.match, uncertain_threshold=0.40)
    )


async def _uncertain(sandbox, ref: str) -> dict:  # type: ignore[no-untyped-def,type-arg]
    await sandbox.sync.refresh_playlists()
    await analyse_on_open(sandbox.sync, ref, wait_s=60)
    rows = sandbox.sync.playlist_tracks_status(ref)
    row = next(r for r in rows if r["title"] == TITLE)
    assert row["status"] == "uncertain"
    return row  # type: ignore[no-any-return]


def _services(sandbox):  # type: ignore[no-untyped-def]
    return SimpleNamespace(sync=sandbox.sync, downloads=sandbox.sync.downloads)


def _status(sandbox, ref: str) -> str:  # type: ignore[no-untyped-def]
    rows = sandbox.sync.playlist_tracks_status(ref)
    return str(next(r for r in rows if r["title"] == TITLE)["status"])


async def test_mark_as_owned(sandbox) -> None:  # type: ignore[no-untyped-def]
    ref = sandbox.ref("road-trip")
    row = await _uncertain(sandbox, ref)
    said = await _decide(_services(sandbox), ref, row["position"], "owned")
    assert said == f"{TITLE}: marked as owned"
    await analyse_on_open(sandbox.sync, ref, wait_s=60, force=True)
    assert _status(sandbox, ref) == "owned"


async def test_download_anyway_queues_it(sandbox) -> None:  # type: ignore[no-untyped-def]
    ref = sandbox.ref("road-trip")
    row = await _uncertain(sandbox, ref)
    said = await _decide(_services(sandbox), ref, row["position"], "download")
    assert said == f"Downloading {TITLE}"
    entry = next(e for e in sandbox.sync.wishlist.entries() if e.track.title == TITLE)
    assert entry.job_id is not None
    await analyse_on_open(sandbox.sync, ref, wait_s=60, force=True)
    # The library file is never matched to it again; the download shows instead.
    assert _status(sandbox, ref) in ("queued", "downloading", "downloaded")


async def test_correct_puts_it_on_the_wishlist(sandbox) -> None:  # type: ignore[no-untyped-def]
    ref = sandbox.ref("road-trip")
    row = await _uncertain(sandbox, ref)
    said = await _decide(_services(sandbox), ref, row["position"], "correct")
    assert "pick the right file there" in said
    entry = next(e for e in sandbox.sync.wishlist.entries() if e.track.title == TITLE)
    assert entry.job_id is None and entry.state == "waiting"
    await analyse_on_open(sandbox.sync, ref, wait_s=60, force=True)
    assert _status(sandbox, ref) == "wishlisted"
    with pytest.raises(ValueError):
        await _decide(_services(sandbox), ref, row["position"], "explode")


async def test_pick_the_library_file(sandbox) -> None:  # type: ignore[no-untyped-def]
    ref = sandbox.ref("road-trip")
    row = await _uncertain(sandbox, ref)
    offered = await sandbox.sync.library_candidates(ref, row["position"])
    assert offered and offered[0]["current"]
    choice = offered[0]
    said = await _decide(
        _services(sandbox), ref, row["position"], "pick", library_id=choice["library_id"]
    )
    # The toast names the file, never its folder on the server.
    assert said.startswith(f"{TITLE}: matched to ") and "/" not in said
    await analyse_on_open(sandbox.sync, ref, wait_s=60, force=True)
    assert _status(sandbox, ref) == "owned"
    with pytest.raises(ValueError, match="no library file chosen"):
        await _decide(_services(sandbox), ref, row["position"], "pick")
