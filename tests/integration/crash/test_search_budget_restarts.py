"""Issue 18 item 7: the Soulseek search budget survives restarts.

With restarts every 25 s, 108 searches went out in 227 s (the limit is 34 per
220 s): each new process started with a fresh budget. Here the budget is 3
searches per 120 s and the CLI is killed and restarted four times (each run
lives until it has searched, or, once the budget is used up, for 8 s); the
slskd simulator's own clock of accepted search POSTs must never show more than
3 in any 120 s. With a budget per process, every restart would search again.
"""

from __future__ import annotations

import time

import pytest
from cli_world import CliWorld, road_trip_ref

pytestmark = pytest.mark.slow

PER_WINDOW, WINDOW_S = 3, 120.0


@pytest.fixture()
def world_config() -> dict[str, dict[str, object]]:
    """A small, fast budget so a few restarts would overrun a per-process one."""
    return {"slskd": {"searches_per_window": PER_WINDOW, "window_s": WINDOW_S, "min_gap_s": 0}}


def _most_in_any_window(times: list[float], window: float) -> int:
    ordered = sorted(times)
    best = 0
    for i, start in enumerate(ordered):
        best = max(best, sum(1 for t in ordered[i:] if t - start < window))
    return best


def test_restarts_never_exceed_the_search_budget(world: CliWorld) -> None:
    counters = world.demo.sandbox.slskd.counters
    for _restart in range(4):
        before = counters.searches_posted
        proc = world.spawn("sync", road_trip_ref(), "--download-missing")
        started = time.monotonic()
        # Killed once it searched; once the budget is used up, after 8 s of waiting.
        world.kill_when(
            proc,
            lambda before=before, started=started: (
                (counters.searches_posted > before and time.monotonic() - started > 1)
                or (counters.searches_posted >= PER_WINDOW and time.monotonic() - started > 8)
            ),
            within_s=120,
        )
    # Four processes each wanted to search at once; together they got the budget, no more.
    assert len(counters.search_times) == PER_WINDOW
    assert _most_in_any_window(counters.search_times, WINDOW_S) <= PER_WINDOW
