"""Previews against the slskd simulator (issue 15 item 13): a busy peer's queue is
said ("peer has a queue of N", slskd's placeInQueue) and a cancel really cancels the
slskd transfer and removes it from slskd's list; an ordinary preview still plays."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from dl_helpers import find_share

from soulsync.domain import SoulseekFile
from soulsync.providers.slskd import SlskdClient
from soulsync.sandbox.catalogue import SharedFile
from soulsync.sandbox.slskd import SlskdSimulator
from soulsync.web.preview import PreviewFetch, Previews


async def until(check: Callable[[], bool], within_s: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + within_s
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.02)


def boxer(share_file: Callable[[SharedFile], SoulseekFile]) -> SoulseekFile:
    return share_file(find_share("mp3hoarder", "The Boxer"))


async def test_a_queued_preview_says_the_queue_and_cancel_removes_the_transfer(
    sim: SlskdSimulator,
    slskd_client: SlskdClient,
    share_file: Callable[[SharedFile], SoulseekFile],
    tmp_path: Path,
) -> None:
    # 300 uploads ahead of us, 2 simulated seconds each: several real seconds of queue.
    sim.set_peer("mp3hoarder", has_free_upload_slot=False, queue_length=300)
    previews = Previews(slskd_client, tmp_path / "previews")
    fetch: PreviewFetch = previews.start(boxer(share_file))
    await until(lambda: fetch.place is not None)
    assert fetch.state == "waiting"
    assert fetch.message == f"Waiting: peer has a queue of {fetch.place}"
    (transfer,) = [t for t in sim.transfer_list() if t.username == "mp3hoarder"]
    # slskd's place, as read: the queue moves on in real time, never backwards.
    assert transfer.state == "Queued, Remotely"
    assert transfer.place_in_queue is not None and 0 < transfer.place_in_queue <= fetch.place

    await previews.cancel(fetch.id)

    assert fetch.state == "cancelled" and fetch.as_dict()["message"] == "Preview cancelled"
    assert transfer.state == "Completed, Cancelled" and transfer.removed
    assert await slskd_client.transfers("mp3hoarder") == []
    assert not list((tmp_path / "previews").glob("*"))
    # Cancelling again (a second click) changes nothing.
    assert await previews.cancel(fetch.id) is fetch and fetch.state == "cancelled"


async def test_a_preview_from_a_free_peer_is_fetched_and_cleared_from_slskd(
    sim: SlskdSimulator,
    slskd_client: SlskdClient,
    share_file: Callable[[SharedFile], SoulseekFile],
    tmp_path: Path,
) -> None:
    previews = Previews(slskd_client, tmp_path / "previews")
    token = await previews.fetch(boxer(share_file))
    path = previews.path_for(token)
    assert path is not None and path.stat().st_size == boxer(share_file).size
    assert await slskd_client.transfers("mp3hoarder") == []


async def test_stopping_cancels_the_previews_still_running(
    sim: SlskdSimulator,
    slskd_client: SlskdClient,
    share_file: Callable[[SharedFile], SoulseekFile],
    tmp_path: Path,
) -> None:
    sim.set_peer("mp3hoarder", has_free_upload_slot=False, queue_length=300)
    previews = Previews(slskd_client, tmp_path / "previews")
    fetch = previews.start(boxer(share_file))
    await until(lambda: fetch.state == "waiting")
    await previews.cancel_all()
    assert fetch.state == "cancelled"
    assert await slskd_client.transfers("mp3hoarder") == []
