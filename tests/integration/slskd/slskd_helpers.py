"""Helpers shared by the slskd integration tests."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

from soulsync.providers.base import NotFound
from soulsync.providers.slskd import SlskdClient, SlskdTransfer

API_KEY = "sandbox-slskd-key-0123456789"


async def wait_for(
    client: SlskdClient,
    transfer: SlskdTransfer,
    done: Callable[[SlskdTransfer], bool],
    limit_s: float = 10.0,
) -> list[SlskdTransfer]:
    """Poll a transfer until ``done`` holds; returns every state seen (last one satisfies it)."""
    seen: list[SlskdTransfer] = []
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        current = await client.transfer(transfer.username, transfer.id)
        seen.append(current)
        if done(current):
            return seen
        await asyncio.sleep(0.01)
    raise AssertionError(
        f"transfer never reached the condition; last: {seen[-1] if seen else None}"
    )


async def landed(client: SlskdClient, final: SlskdTransfer, limit_s: float = 10.0) -> Path:
    """The file of a succeeded transfer once slskd has moved it into place at full size.

    slskd says "Completed, Succeeded" before it moves the file out of its
    incomplete folder, so a client has to wait for it (issue 13 item 3).
    """
    deadline = time.monotonic() + limit_s
    while True:
        try:
            path = client.local_file_for(final)
        except NotFound:
            path = None
        if path is not None and path.stat().st_size == final.size:
            return path
        if time.monotonic() > deadline:
            raise AssertionError(f"the file of {final.filename!r} never landed at full size")
        await asyncio.sleep(0.01)
