"""The search pacer's rules, checked against a fake clock (no real waiting)."""

from __future__ import annotations

import asyncio

import pytest

from soulsync.providers.slskd_pacer import (
    PacerExhausted,
    PacerSettings,
    SearchPacer,
    SearchRejected,
    shared_pacer,
)


class FakeClock:
    """A monotonic clock that only moves when someone sleeps on it."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


def make(clock: FakeClock, **kw: float) -> SearchPacer:
    return SearchPacer(PacerSettings(**kw), clock=clock, sleep=clock.sleep)  # type: ignore[arg-type]


async def post_times(pacer: SearchPacer, clock: FakeClock, n: int) -> list[float]:
    times: list[float] = []

    async def attempt() -> None:
        times.append(clock.now)

    for _ in range(n):
        await pacer.run(attempt)
    return times


async def test_window_budget_then_wait_for_refill() -> None:
    clock = FakeClock()
    pacer = make(clock, max_per_window=34, window_s=220, min_gap_s=0)
    times = await post_times(pacer, clock, 36)
    assert times[:34] == [0.0] * 34
    # The 35th waits for the window to end; the budget then refills all at once.
    assert times[34] == pytest.approx(220.0)
    assert times[35] == pytest.approx(220.0)
    assert pacer.posted == 36


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"max_per_window": 100, "window_s": 220, "min_gap_s": 2}, [0, 2, 4, 6, 8]),
        ({"max_per_window": 3, "window_s": 10, "min_gap_s": 2}, [0, 2, 4, 10, 12]),
        ({"max_per_window": 2, "window_s": 5, "min_gap_s": 0}, [0, 0, 5, 5, 10]),
        ({"max_per_window": 1, "window_s": 1, "min_gap_s": 3}, [0, 3, 6, 9, 12]),
    ],
)
async def test_post_schedule(settings: dict[str, float], expected: list[float]) -> None:
    clock = FakeClock()
    pacer = make(clock, **settings)
    times = await post_times(pacer, clock, len(expected))
    assert times == pytest.approx(expected)


async def test_idle_time_counts_towards_the_gap() -> None:
    clock = FakeClock()
    pacer = make(clock, max_per_window=10, window_s=100, min_gap_s=5)
    await post_times(pacer, clock, 1)
    clock.now = 3.0  # the caller was busy elsewhere for 3 s
    assert pacer.delay_needed() == pytest.approx(2.0)
    clock.now = 7.0
    assert pacer.delay_needed() == 0.0


async def test_429_is_retried_with_backoff_and_costs_no_permit() -> None:
    clock = FakeClock()
    pacer = make(
        clock, max_per_window=5, window_s=100, min_gap_s=0, backoff_base_s=1, backoff_max_s=30
    )
    calls: list[float] = []

    async def attempt() -> str:
        calls.append(clock.now)
        if len(calls) <= 2:
            raise SearchRejected()
        return "ok"

    assert await pacer.run(attempt) == "ok"
    assert calls == pytest.approx([0.0, 1.0, 3.0])  # backoff 1 s, then 2 s
    assert pacer.rejected == 2
    assert pacer.posted == 1
    assert pacer.used_in_window == 1


async def test_retry_after_is_honoured_up_to_the_cap() -> None:
    clock = FakeClock()
    pacer = make(clock, min_gap_s=0, backoff_base_s=1, backoff_max_s=10)
    rejected = [SearchRejected(retry_after=7), SearchRejected(retry_after=500)]

    async def attempt() -> None:
        if rejected:
            raise rejected.pop(0)

    await pacer.run(attempt)
    assert clock.sleeps == pytest.approx([7.0, 10.0])


async def test_gives_up_after_bounded_retries() -> None:
    clock = FakeClock()
    pacer = make(clock, min_gap_s=0, max_retries=3, backoff_base_s=1, backoff_max_s=4)
    attempts = 0

    async def attempt() -> None:
        nonlocal attempts
        attempts += 1
        raise SearchRejected()

    with pytest.raises(PacerExhausted) as info:
        await pacer.run(attempt)
    assert attempts == 4
    assert info.value.attempts == 4
    assert clock.sleeps == pytest.approx([1.0, 2.0, 4.0])
    assert pacer.posted == 0


async def test_one_post_at_a_time_across_concurrent_callers() -> None:
    clock = FakeClock()
    pacer = make(clock, max_per_window=100, window_s=1000, min_gap_s=1)
    in_flight = 0
    peak = 0
    starts: list[float] = []

    async def attempt() -> None:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        starts.append(clock.now)
        await asyncio.sleep(0)  # let the other callers try to get in
        await asyncio.sleep(0)
        in_flight -= 1

    await asyncio.gather(*(pacer.run(attempt) for _ in range(6)))
    assert peak == 1
    assert starts == pytest.approx([0, 1, 2, 3, 4, 5])


def test_shared_pacer_is_one_instance_and_works_across_event_loops() -> None:
    first = shared_pacer()
    assert shared_pacer() is first
    saved = first.settings
    first.settings = PacerSettings(min_gap_s=0)

    async def once() -> int:
        async def attempt() -> int:
            return 1

        return await first.run(attempt)

    # A pacer kept for the whole process must not be tied to the first loop.
    try:
        assert asyncio.run(once()) == 1
        assert asyncio.run(once()) == 1
    finally:
        first.settings = saved
