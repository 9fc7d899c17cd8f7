"""Helpers shared by the slskd integration tests."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

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
