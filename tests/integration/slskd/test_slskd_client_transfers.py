"""Downloads through our client and the simulator: progress, files on disk, failures."""

from __future__ import annotations

import asyncio
import os
import re
from pathlib import Path

import httpx
import mutagen
import pytest
from slskd_helpers import API_KEY, landed, wait_for

from soulsync.domain import SoulseekFile
from soulsync.providers.base import NotFound, ProviderError
from soulsync.providers.slskd import PeerUnavailable, SlskdClient
from soulsync.providers.slskd_files import UnsafeRemoteName
from soulsync.sandbox.catalogue import SharedFile
from soulsync.sandbox.slskd import SlskdSimulator


def share(sim: SlskdSimulator, user: str, contains: str) -> SharedFile:
    return next(s for s in sim.shares if s.username == user and contains in s.filename)


def as_file(sim: SlskdSimulator, s: SharedFile) -> SoulseekFile:
    return SoulseekFile(username=s.username, filename=s.filename, size=sim.size_of(s))


def duration_s(path: Path) -> float:
    audio = mutagen.File(path)
    assert audio is not None, path
    return float(audio.info.length)


async def test_download_progresses_and_lands_at_the_slskd_path(
    client: SlskdClient, sim: SlskdSimulator
) -> None:
    s = share(sim, "mp3hoarder", "Blinding Lights")
    f = as_file(sim, s)
    # ~1 MB at 250 kB/s simulated, 20x faster: about 0.2 s, slow enough to watch.
    sim.set_peer("mp3hoarder", transfer_speed=250_000)
    result = await client.enqueue("mp3hoarder", [f])
    assert result.failed == ()
    (transfer,) = result.enqueued
    seen = await wait_for(client, transfer, lambda t: t.is_complete)
    final = seen[-1]
    assert final.state == "Completed, Succeeded" and final.succeeded
    assert final.bytes_transferred == f.size and final.percent_complete == 100.0
    partial = [t.bytes_transferred for t in seen if t.state == "InProgress"]
    assert any(0 < b < f.size for b in partial), "progress was never visible"
    assert partial == sorted(partial)
    assert final.average_speed == pytest.approx(250_000, rel=0.2)
    assert final.started_at is not None and final.ended_at is not None

    path = await landed(client, final)
    assert client.local_file(f.filename) == path
    *_, folder, name = s.filename.split("\\")
    assert path == sim.downloads_dir / folder / name  # <downloads>/<last remote folder>/<name>
    assert path.read_bytes() == sim.audio_cache.ensure(s.audio).read_bytes()
    track = sim.catalogue.tracks[s.track_key or ""]
    assert duration_s(path) == pytest.approx(track.duration_ms / 1000, abs=0.2)
    # Nothing else was written in the downloads folder.
    assert [p for p in sim.downloads_dir.rglob("*") if p.is_file()] == [path]


async def test_second_download_of_same_name_gets_ticks_suffix(
    client: SlskdClient, sim: SlskdSimulator
) -> None:
    s = share(sim, "flacfan", "Come Together")
    f = as_file(sim, s)
    first = (await client.enqueue("flacfan", [f])).enqueued[0]
    first_final = (await wait_for(client, first, lambda t: t.is_complete))[-1]
    first_path = await landed(client, first_final)
    second = (await client.enqueue("flacfan", [f])).enqueued[0]
    assert second.id != first.id
    await wait_for(client, second, lambda t: t.is_complete)
    # The first file (same name, seconds old) already has the full size: wait for
    # the second one, which slskd moves into place after saying it succeeded.
    newest = first_path
    for _ in range(500):
        newest = client.local_file(f.filename)
        if newest != first_path and newest.stat().st_size == first_path.stat().st_size:
            break
        await asyncio.sleep(0.01)
    assert newest != first_path and newest.parent == first_path.parent
    assert re.fullmatch(r"01\. Come Together_\d{18}\.flac", newest.name), newest.name
    assert first_path.exists() and newest.read_bytes() == first_path.read_bytes()


async def test_invalid_characters_become_underscores(
    client: SlskdClient, sim: SlskdSimulator
) -> None:
    s = share(sim, "flacfan", "In the Flesh?")
    f = as_file(sim, s)
    transfer = (await client.enqueue("flacfan", [f])).enqueued[0]
    final = (await wait_for(client, transfer, lambda t: t.succeeded))[-1]
    path = await landed(client, final)
    assert path == sim.downloads_dir / "CD1" / "01. In the Flesh_.flac"


async def test_stalled_transfer_stops_advancing(client: SlskdClient, sim: SlskdSimulator) -> None:
    s = share(sim, "staller", "One More Time")
    transfer = (await client.enqueue("staller", [as_file(sim, s)])).enqueued[0]
    await wait_for(client, transfer, lambda t: t.bytes_transferred > 0)
    await asyncio.sleep(0.1)  # let it reach the point where it stalls
    samples = []
    for _ in range(3):
        samples.append(await client.transfer("staller", transfer.id))
        await asyncio.sleep(0.15)
    assert {t.state for t in samples} == {"InProgress"}
    assert len({t.bytes_transferred for t in samples}) == 1
    assert 0 < samples[0].bytes_transferred < sim.size_of(s)
    # Cancelling is asynchronous: still listed until it ends "Completed, Cancelled";
    # then remove: gone from the lists, and the user has no downloads left (404 → []).
    await client.cancel("staller", transfer.id)
    await wait_for(client, transfer, lambda t: t.state == "Completed, Cancelled")
    await client.cancel("staller", transfer.id, remove=True)
    assert await client.transfers("staller") == []
    # slskd still answers for the id after removal (GetDownload searches all records).
    assert (await client.transfer("staller", transfer.id)).removed
    removed = await client.transfers(include_removed=True)
    assert [(t.id, t.state) for t in removed] == [(transfer.id, "Completed, Cancelled")]
    assert not list(sim.downloads_dir.rglob("*.flac"))


async def test_failing_peer_ends_errored_without_a_file(
    client: SlskdClient, sim: SlskdSimulator
) -> None:
    s = share(sim, "flaky", "Blinding Lights")
    transfer = (await client.enqueue("flaky", [as_file(sim, s)])).enqueued[0]
    final = (await wait_for(client, transfer, lambda t: t.is_complete))[-1]
    assert final.state == "Completed, Errored" and final.failed
    assert final.exception
    assert 0 < final.bytes_transferred < sim.size_of(s)
    with pytest.raises(NotFound, match="not found at"):
        client.local_file(s.filename)


async def test_offline_peer_answers_searches_but_not_enqueues(
    client: SlskdClient, sim: SlskdSimulator
) -> None:
    responses = await client.search("igor earfquake")
    ghost = next(r for r in responses if r.username == "ghost")
    with pytest.raises(PeerUnavailable, match="ghost"):
        await client.enqueue("ghost", list(ghost.files))
    with pytest.raises(PeerUnavailable):
        await client.directory("ghost", ghost.files[0].directory)
    assert await client.transfers("ghost") == []


async def test_peer_going_offline_mid_queue_errors_the_transfer(
    client: SlskdClient, sim: SlskdSimulator
) -> None:
    s = share(sim, "slowpoke", "Come Together")
    transfer = (await client.enqueue("slowpoke", [as_file(sim, s)])).enqueued[0]
    queued = (await wait_for(client, transfer, lambda t: t.queued_remotely))[-1]
    assert queued.place_in_queue is not None and queued.place_in_queue >= 1
    sim.set_peer("slowpoke", behaviour="offline")
    final = (await wait_for(client, transfer, lambda t: t.is_complete))[-1]
    assert final.state == "Completed, Errored"
    assert "offline" in (final.exception or "")


async def test_slow_peer_sits_in_remote_queue_with_a_position(
    client: SlskdClient, sim: SlskdSimulator
) -> None:
    s = share(sim, "slowpoke", "Hello, Goodbye")
    transfer = (await client.enqueue("slowpoke", [as_file(sim, s)])).enqueued[0]
    queued = (await wait_for(client, transfer, lambda t: t.queued_remotely))[-1]
    first = await client.queue_position("slowpoke", transfer.id)
    assert first is not None and first > 1
    assert queued.bytes_transferred == 0
    # The remote queue drains: the position goes down, then the file arrives.
    sim.time_scale = 1000
    seen = await wait_for(client, transfer, lambda t: t.is_complete, limit_s=5)
    positions = [t.place_in_queue for t in seen if t.place_in_queue is not None]
    assert positions and min(positions) < first
    assert seen[-1].succeeded


async def test_already_queued_file_is_reported_failed(
    client: SlskdClient, sim: SlskdSimulator
) -> None:
    sim.set_peer("flacfan", behaviour="stall")
    f = as_file(sim, share(sim, "flacfan", "Hello"))
    first = await client.enqueue("flacfan", [f])
    second = await client.enqueue("flacfan", [f])
    assert len(first.enqueued) == 1
    assert second.enqueued == () and second.failed == (f.filename,)


async def test_file_the_peer_does_not_share_is_rejected(
    client: SlskdClient, sim: SlskdSimulator
) -> None:
    transfer = (
        await client.enqueue("flacfan", [("@@flacfan\\Music\\Nope\\01 Nothing.flac", 1234)])
    ).enqueued[0]
    final = (await wait_for(client, transfer, lambda t: t.is_complete))[-1]
    assert final.state == "Completed, Rejected" and final.failed


async def test_clear_completed(client: SlskdClient, sim: SlskdSimulator) -> None:
    done = (
        await client.enqueue("flacfan", [as_file(sim, share(sim, "flacfan", "Come Together"))])
    ).enqueued[0]
    sim.set_peer("staller", behaviour="stall")
    running = (
        await client.enqueue("staller", [as_file(sim, share(sim, "staller", "One More Time"))])
    ).enqueued[0]
    done_final = (await wait_for(client, done, lambda t: t.succeeded))[-1]
    await wait_for(client, running, lambda t: t.bytes_transferred > 0)
    await landed(client, done_final)
    await client.clear_completed()
    left = await client.transfers()
    assert [t.id for t in left] == [running.id]
    assert await client.transfers("flacfan") == []
    # The file itself stays on disk: clearing only tidies slskd's lists.
    assert client.local_file(done.filename).exists()


async def test_cancel_without_remove_keeps_it_listed(
    client: SlskdClient, sim: SlskdSimulator
) -> None:
    transfer = (
        await client.enqueue("staller", [as_file(sim, share(sim, "staller", "One More Time"))])
    ).enqueued[0]
    await client.cancel("staller", transfer.id)
    await wait_for(client, transfer, lambda t: t.is_complete)
    (listed,) = await client.transfers("staller")
    assert listed.state == "Completed, Cancelled"


@pytest.mark.parametrize(
    "remote",
    [
        "..\\..\\x.flac",
        "@@flacfan\\..\\..\\etc\\passwd",
        "/etc/passwd",
        "c:x.flac",  # drive-relative (a drive path "C:\\Music\\x.flac" is legitimate)
        "@@flacfan\\Music\\CON.flac",
        "@@flacfan\\Music\\",
        "@@flacfan\\\\x.flac",
    ],
)
async def test_hostile_remote_names_are_refused_before_slskd_sees_them(
    client: SlskdClient, sim: SlskdSimulator, remote: str
) -> None:
    with pytest.raises(UnsafeRemoteName):
        await client.enqueue("flacfan", [(remote, 10)])
    with pytest.raises(UnsafeRemoteName):
        client.local_file(remote)
    assert sim.counters.enqueue_requests == 0


async def test_hostile_name_shared_by_a_peer_is_never_resolved_outside(
    client: SlskdClient, sim: SlskdSimulator, tmp_path: Path
) -> None:
    # A peer shares "..\\x.flac"-style names; slskd itself refuses them (400)...
    base = share(sim, "flacfan", "Come Together")
    sim.add_share(
        SharedFile(
            username="flacfan",
            filename="@@flacfan\\Music\\..\\..\\evil.flac",
            track_key=base.track_key,
            audio=base.audio,
            bit_rate=None,
            sample_rate=44100,
            bit_depth=16,
            is_variable_bit_rate=None,
            length=None,
        )
    )
    responses = await client.search("evil flac")
    (hostile,) = [f for r in responses for f in r.files]
    async with httpx.AsyncClient(base_url=sim.api_url, headers={"X-API-Key": API_KEY}) as raw:
        refused = await raw.post(
            "/transfers/downloads/flacfan", json=[{"filename": hostile.filename, "size": 1}]
        )
    assert refused.status_code == 400
    # ...and our client refuses them before asking.
    with pytest.raises(UnsafeRemoteName, match=re.escape("'..'")):
        await client.enqueue("flacfan", [hostile])
    (tmp_path / "evil.flac").write_bytes(b"not yours")
    with pytest.raises(UnsafeRemoteName):
        client.local_file(hostile.filename)


async def test_directory_listing_for_album_folders(
    client: SlskdClient, sim: SlskdSimulator
) -> None:
    folder = "@@flacfan\\Music\\The Beatles\\1969 - Abbey Road [FLAC]"
    files = await client.directory("flacfan", folder)
    expected = [
        s for s in sim.shares if s.username == "flacfan" and s.filename.startswith(folder + "\\")
    ]
    assert sorted(f.filename for f in files) == sorted(s.filename for s in expected)
    assert all(f.size == sim.size_of(sim.find_share("flacfan", f.filename)) for f in files)  # type: ignore[arg-type]


async def test_legacy_empty_enqueue_response_is_handled(
    client: SlskdClient, sim: SlskdSimulator
) -> None:
    sim.legacy_enqueue_response = True  # slskd 0.22 answered 201 with no body
    f = as_file(sim, share(sim, "flacfan", "Come Together"))
    result = await client.enqueue("flacfan", [f])
    (transfer,) = result.enqueued
    assert transfer.filename == f.filename
    assert (await wait_for(client, transfer, lambda t: t.is_complete))[-1].succeeded


async def test_bad_transfer_id_is_a_clear_error(client: SlskdClient) -> None:
    with pytest.raises(ProviderError, match="400"):
        await client.transfer("flacfan", "not-a-guid")
    with pytest.raises(NotFound):
        await client.transfer("flacfan", "00000000-0000-0000-0000-000000000000")


async def test_peer_that_never_connects_times_out(client: SlskdClient, sim: SlskdSimulator) -> None:
    sim.set_peer("flacfan", behaviour="timeout")
    transfer = (
        await client.enqueue("flacfan", [as_file(sim, share(sim, "flacfan", "Hello"))])
    ).enqueued[0]
    final = (await wait_for(client, transfer, lambda t: t.is_complete))[-1]
    assert final.state == "Completed, TimedOut" and final.failed
    assert final.bytes_transferred == 0


async def test_local_file_for_ignores_an_older_file_of_the_same_name(
    client: SlskdClient, sim: SlskdSimulator
) -> None:
    s = share(sim, "flacfan", "Come Together")
    folder, name = s.filename.split("\\")[-2:]
    old = sim.downloads_dir / folder / name
    old.parent.mkdir(parents=True)
    old.write_bytes(b"an old download")
    os.utime(old, (1_000_000_000, 1_000_000_000))
    transfer = (await client.enqueue("flacfan", [as_file(sim, s)])).enqueued[0]
    final = (await wait_for(client, transfer, lambda t: t.is_complete))[-1]
    path = await landed(client, final)
    assert path != old and path.parent == old.parent
    assert path.read_bytes() == sim.audio_cache.ensure(s.audio).read_bytes()
    with pytest.raises(ProviderError, match="has no file"):
        client.local_file_for(transfer)  # the enqueue-time copy is not Succeeded
