"""slskd 0.24 and 0.26 behaviour, through our client against the simulator (issue 13).

Each test runs against both versions (the ``vsim`` fixture). Facts from slskd's
source: ``Transfers/Downloads/DownloadService.cs``, ``Common/FileSafety.cs``,
``Transfers/API/Controllers/TransfersController.cs`` (https://github.com/slskd/slskd).
"""

from __future__ import annotations

import asyncio
import dataclasses

import pytest
from slskd_helpers import landed, wait_for

from soulsync.domain import SoulseekFile
from soulsync.providers.slskd import NotLoggedIn, PeerUnavailable, SlskdClient
from soulsync.providers.slskd_files import SlskdLayout
from soulsync.sandbox.catalogue import SharedFile
from soulsync.sandbox.slskd import SlskdSimulator
from soulsync.sandbox.slskd_transfers import TransferTiming
from soulsync.services.downloads.slskd_port import SlskdPort


def _share(sim: SlskdSimulator, user: str, fragment: str) -> SharedFile:
    return next(s for s in sim.shares if s.username == user and fragment in s.filename)


def _file(sim: SlskdSimulator, share: SharedFile) -> SoulseekFile:
    return SoulseekFile(username=share.username, filename=share.filename, size=sim.size_of(share))


def _renamed(sim: SlskdSimulator, base: SharedFile, filename: str) -> SharedFile:
    share = dataclasses.replace(base, filename=filename)
    sim.add_share(share)
    return share


async def test_layout_is_detected_from_application(
    vsim: SlskdSimulator, client: SlskdClient
) -> None:
    layout = await client.layout()
    assert layout.templated is (vsim.version == "0.26.0")
    assert client.retry_attempts == (3 if layout.templated else None)


# (remote path, where 0.24 puts it, where 0.26 puts it)
PLACEMENT = [
    ("@@catfs\\02. 7.flac", "@@catfs/02. 7.flac", "02. 7.flac"),
    ("C:\\Users\\me\\Music\\Catfish\\02. 7.flac", "Catfish/02. 7.flac", "Catfish/02. 7.flac"),
    (
        "@@catfs\\Music\\Catfish\\The Balcony\\02. 7.flac",
        "The Balcony/02. 7.flac",
        "The Balcony/02. 7.flac",
    ),
]


@pytest.mark.parametrize(("remote", "old", "new"), PLACEMENT)
async def test_file_placement_per_version(
    vsim: SlskdSimulator, client: SlskdClient, remote: str, old: str, new: str
) -> None:
    share = _renamed(vsim, _share(vsim, "flacfan", "Balcony [FLAC]\\02. 7"), remote)
    transfer = (await client.enqueue("flacfan", [_file(vsim, share)])).enqueued[0]
    final = (await wait_for(client, transfer, lambda t: t.is_complete))[-1]
    assert final.succeeded, final
    path = await landed(client, final)
    expected = new if vsim.version == "0.26.0" else old
    assert path == vsim.downloads_dir / expected
    assert path.read_bytes() == vsim.audio_cache.ensure(share.audio).read_bytes()


async def test_026_destination_subdirectory_is_read_from_options(
    sim: SlskdSimulator, client: SlskdClient
) -> None:
    sim.version = "0.26.0"
    sim.destination_subdirectory = "${SOURCE_USERNAME}/${SOURCE_DIRECTORY}"
    share = _share(sim, "flacfan", "Balcony [FLAC]\\02. 7")
    transfer = (await client.enqueue("flacfan", [_file(sim, share)])).enqueued[0]
    final = (await wait_for(client, transfer, lambda t: t.is_complete))[-1]
    path = await landed(client, final)
    assert path == sim.downloads_dir / "flacfan" / "2014 - The Balcony [FLAC]" / "02. 7.flac"
    assert (await client.layout()).subdirectory == sim.destination_subdirectory


async def test_026_configured_subdirectory_when_options_are_unreadable(
    sim: SlskdSimulator, pacer: object
) -> None:
    # A template set in SoulSync's config is used when slskd's /options gives nothing.
    sim.version = "0.26.0"
    async with SlskdClient(
        sim.url,
        sim.api_key,
        downloads_dir=sim.downloads_dir,
        destination_subdirectory="{}",
        poll_interval_s=0.02,
    ) as c:
        c._download_options = _no_options  # type: ignore[method-assign]
        layout = await c.layout()
    assert layout == SlskdLayout((0, 26, 0), "{}")


async def _no_options() -> dict[str, object]:
    return {}


async def test_completed_before_the_file_is_there(
    vsim: SlskdSimulator, client: SlskdClient
) -> None:
    vsim.timing = TransferTiming(move_delay_s=4.0, copy_s=4.0)  # 0.2 s + 0.2 s real at 20x
    share = _share(vsim, "flacfan", "Balcony [FLAC]\\02. 7")
    transfer = (await client.enqueue("flacfan", [_file(vsim, share)])).enqueued[0]
    final = (await wait_for(client, transfer, lambda t: t.succeeded))[-1]
    # slskd already says "Completed, Succeeded"; the file is not (fully) there yet.
    target = vsim.downloads_dir / "2014 - The Balcony [FLAC]" / "02. 7.flac"
    assert not target.exists() or target.stat().st_size < final.size
    sizes = set()
    for _ in range(400):
        if target.exists():
            sizes.add(target.stat().st_size)
            if target.stat().st_size == final.size:
                break
        await asyncio.sleep(0.005)
    assert max(sizes) == final.size
    assert len(sizes) > 1, "the file should grow as in a copy between filesystems"


async def test_retries_only_in_026(vsim: SlskdSimulator, client: SlskdClient) -> None:
    share = _share(vsim, "flaky", "Blinding Lights")
    transfer = (await client.enqueue("flaky", [_file(vsim, share)])).enqueued[0]
    seen = await wait_for(
        client, transfer, lambda t: t.is_complete and (t.attempts in (0, 3)), limit_s=30
    )
    final = seen[-1]
    assert final.state == "Completed, Errored"
    if vsim.version == "0.26.0":
        assert final.attempts == 3
        # Between attempts: back to "Queued, Locally" with the bytes kept.
        requeued = [t for t in seen if t.state == "Queued, Locally" and t.attempts >= 2]
        assert requeued and all(t.bytes_transferred > 0 for t in requeued)
    else:
        assert final.attempts == 0 and all(t.attempts == 0 for t in seen)
        assert not [t for t in seen if t.state == "Queued, Locally" and t.bytes_transferred]


async def test_cancel_is_asynchronous_and_remove_waits_for_the_end(
    vsim: SlskdSimulator, client: SlskdClient
) -> None:
    share = _share(vsim, "staller", "One More Time")
    transfer = (await client.enqueue("staller", [_file(vsim, share)])).enqueued[0]
    await wait_for(client, transfer, lambda t: t.bytes_transferred > 0)
    port = SlskdPort(client)
    await port.cancel("staller", transfer.id, remove=True)
    assert await client.transfers("staller") == []  # cancelled, then removed: not piling up
    after = await client.transfer("staller", transfer.id)  # still answers by id
    assert after.removed and after.state == "Completed, Cancelled"


async def test_remove_of_an_unfinished_transfer(vsim: SlskdSimulator, client: SlskdClient) -> None:
    share = _share(vsim, "staller", "One More Time")
    transfer = (await client.enqueue("staller", [_file(vsim, share)])).enqueued[0]
    await wait_for(client, transfer, lambda t: t.bytes_transferred > 0)
    if vsim.version == "0.26.0":
        await client.cancel("staller", transfer.id, remove=True)  # 204, but not removed
        listed = await client.transfers("staller")
        assert [t.id for t in listed] == [transfer.id]
    else:
        with pytest.raises(Exception, match="before it is complete"):
            await client.cancel("staller", transfer.id, remove=True)  # 0.24: a 500


async def test_enqueue_waits_out_slots_held_by_unreachable_peers(
    vsim: SlskdSimulator, client: SlskdClient
) -> None:
    vsim.connect_timeout_s = 10.0  # 0.5 s real at 20x: both slots held that long
    ghost = [_file(vsim, s) for s in vsim.shares if s.username == "ghost"][:2]
    ok = _file(vsim, _share(vsim, "flacfan", "Balcony [FLAC]\\02. 7"))

    async def third() -> object:
        await asyncio.sleep(0.1)  # after the two ghost enqueues took both slots
        return await client.enqueue("flacfan", [ok])

    results = await asyncio.gather(
        client.enqueue("ghost", [ghost[0]]),
        client.enqueue("ghost", [ghost[1]]),
        third(),
        return_exceptions=True,
    )
    assert all(isinstance(r, PeerUnavailable) for r in results[:2]), results
    assert not isinstance(results[2], BaseException), results[2]
    assert vsim.counters.enqueue_rejected_429 >= 1  # the third was refused at first


async def test_logged_out_search_in_both_versions(
    vsim: SlskdSimulator, client: SlskdClient
) -> None:
    vsim.server_state = "Disconnected"
    with pytest.raises(NotLoggedIn, match="not connected to the Soulseek network"):
        await client.search("catfish bottlemen")
    with pytest.raises(NotLoggedIn):
        await client.enqueue(
            "flacfan", [_file(vsim, _share(vsim, "flacfan", "Balcony [FLAC]\\02. 7"))]
        )
