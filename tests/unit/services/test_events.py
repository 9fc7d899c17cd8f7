from __future__ import annotations

import asyncio
import threading

from soulsync.services.events import Event, EventBus


async def _take(agen: object, n: int) -> list[Event]:
    out: list[Event] = []
    async for event in agen:  # type: ignore[attr-defined]
        out.append(event)
        if len(out) == n:
            break
    return out


async def test_subscriber_gets_matching_topics_in_order() -> None:
    bus = EventBus()
    stream = bus.subscribe(prefixes=("job.",))
    task = asyncio.create_task(_take(stream, 2))
    await asyncio.sleep(0)
    bus.publish("job.state", id=1, state="queued")
    bus.publish("sync.track", n=1)
    bus.publish("job.progress", id=1, percent=50)
    events = await asyncio.wait_for(task, 2)
    assert [e.topic for e in events] == ["job.state", "job.progress"]
    assert events[0].id < events[1].id
    assert events[1].data == {"id": 1, "percent": 50}


async def test_publish_from_a_worker_thread_reaches_the_loop() -> None:
    bus = EventBus()
    stream = bus.subscribe()
    task = asyncio.create_task(_take(stream, 1))
    await asyncio.sleep(0)
    threading.Thread(target=lambda: bus.publish("scan.done", tracks=3)).start()
    (event,) = await asyncio.wait_for(task, 2)
    assert event.data == {"tracks": 3}


async def test_replay_after_id_for_reconnecting_clients() -> None:
    bus = EventBus()
    first = bus.publish("a", n=1)
    bus.publish("a", n=2)
    bus.publish("b", n=3)
    assert [e.data["n"] for e in bus.recent(after_id=first.id)] == [2, 3]
    stream = bus.subscribe(prefixes=("a",), after_id=first.id)
    (event,) = await asyncio.wait_for(_take(stream, 1), 2)
    assert event.data == {"n": 2}


async def test_slow_subscriber_drops_oldest_not_newest() -> None:
    bus = EventBus(queue_size=3)
    stream = bus.subscribe()
    agen = stream.__aiter__()
    waiter = asyncio.create_task(agen.__anext__())
    await asyncio.sleep(0)
    for n in range(10):
        bus.publish("p", n=n)
    first = await asyncio.wait_for(waiter, 2)
    rest = [await asyncio.wait_for(agen.__anext__(), 2) for _ in range(2)]
    assert [first.data["n"], *[e.data["n"] for e in rest]] == [7, 8, 9]
    await agen.aclose()
    assert bus.subscriber_count == 0
