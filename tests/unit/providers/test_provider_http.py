"""Pacing, windows, backoff, Retry-After parsing and the stored cool-down."""

from __future__ import annotations

import asyncio
import itertools
import time
from email.utils import formatdate

import pytest

from soulsync.providers.http import (
    CooldownState,
    Pacer,
    WindowLimiter,
    backoff_delay,
    cache_key,
    parse_retry_after,
)
from soulsync.store import Store


@pytest.mark.parametrize(
    ("value", "expected"),
    [("5", 5.0), ("0", 0.0), (" 12 ", 12.0), ("-3", 0.0), ("", None), (None, None), ("soon", None)],
)
def test_parse_retry_after_seconds(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value) == expected


def test_parse_retry_after_http_date() -> None:
    value = formatdate(time.time() + 120, usegmt=True)
    parsed = parse_retry_after(value)
    assert parsed is not None and 115 <= parsed <= 121


@pytest.mark.parametrize("attempt", [0, 1, 2, 3, 10])
def test_backoff_grows_with_jitter_and_cap(attempt: int) -> None:
    ceiling = min(8.0, 0.5 * 2**attempt)
    delays = {backoff_delay(attempt) for _ in range(50)}
    assert all(ceiling / 2 <= d <= ceiling for d in delays)
    assert len(delays) > 1  # jittered


def test_cache_key_is_order_independent() -> None:
    assert cache_key("/search", {"q": "a", "limit": 5}) == cache_key(
        "/search", {"limit": 5, "q": "a"}
    )
    assert cache_key("/me") == "/me"


async def test_pacer_serialises_and_spaces_requests() -> None:
    pacer = Pacer(0.1)
    inside = 0
    most = 0
    starts: list[float] = []

    async def job() -> None:
        nonlocal inside, most
        async with pacer:
            inside += 1
            most = max(most, inside)
            starts.append(time.monotonic())
            await asyncio.sleep(0.01)
            inside -= 1

    await asyncio.gather(*(job() for _ in range(4)))
    assert most == 1
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert all(g >= 0.1 for g in gaps)


async def test_window_limiter() -> None:
    limiter = WindowLimiter(3, 0.3)
    started = time.monotonic()
    for _ in range(3):
        await limiter.acquire()
    assert time.monotonic() - started < 0.1
    await limiter.acquire()
    assert time.monotonic() - started >= 0.3


def test_cooldown_state_round_trip(store: Store) -> None:
    state = CooldownState(store, "spotify")
    assert state.current() is None
    started = state.start(600, "quota exceeded")
    current = state.current()
    assert current is not None and current.reason == "quota exceeded"
    assert current.until == pytest.approx(started.until)
    assert 590 < current.remaining_s <= 600
    # A shorter cool-down never shortens a running one.
    state.start(10, "rate limited")
    assert state.current().until == pytest.approx(started.until)  # type: ignore[union-attr]
    assert store.get_setting("spotify.cooldown_until") == pytest.approx(started.until)
    state.clear()
    assert state.current() is None


def test_expired_cooldown_is_ignored(store: Store) -> None:
    store.set_setting("deezer.cooldown_until", time.time() - 1)
    assert CooldownState(store, "deezer").current() is None
