"""One process works the queue: a second one is refused while the first lives."""

from __future__ import annotations

import asyncio
import socket
import time

import pytest

from soulsync.config import Settings
from soulsync.providers.slskd import SlskdClient
from soulsync.services.downloads.service import DownloadService, QueueBusy
from soulsync.services.downloads.slskd_port import SlskdPort
from soulsync.services.events import EventBus
from soulsync.store import Store


def _service(store: Store, slskd_client: SlskdClient, settings: Settings) -> DownloadService:
    return DownloadService(store, SlskdPort(slskd_client), None, EventBus(), settings)


async def test_second_worker_is_refused_while_the_first_runs(
    service: DownloadService, store: Store, slskd_client: SlskdClient, settings: Settings
) -> None:
    other = _service(store, slskd_client, settings)
    with pytest.raises(QueueBusy, match="already being worked by process"):
        await other.start()
    assert not other.running
    await service.stop()
    # Once the first stopped (lease released), the second may start.
    await other.start()
    assert other.running
    await other.stop()


async def test_a_dead_holder_does_not_block_a_restart(
    store: Store, slskd_client: SlskdClient, settings: Settings
) -> None:
    proc = await asyncio.create_subprocess_exec("true")
    await proc.wait()  # its pid now names no live process
    store.set_setting(
        "downloads.worker_lease",
        {
            "owner": "crashed",
            "pid": proc.pid,
            "host": socket.gethostname(),
            "heartbeat": time.time(),
        },
    )
    svc = _service(store, slskd_client, settings)
    await svc.start()
    assert svc.running
    await svc.stop()
    assert store.get_setting("downloads.worker_lease") is None
