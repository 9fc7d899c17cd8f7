"""The search pacer's window in SQLite: sliding, shared by two stores (processes), 429 refunded."""

from __future__ import annotations

from pathlib import Path

from soulsync.providers.slskd_ledger import SqliteSearchLedger
from soulsync.providers.slskd_pacer import PacerSettings, SearchPacer, SearchRejected
from soulsync.store import Store


def test_window_is_shared_by_two_processes_and_slides(tmp_path: Path) -> None:
    now = [1000.0]
    a, b = Store(tmp_path / "db.sqlite"), Store(tmp_path / "db.sqlite")
    one = SqliteSearchLedger(a, clock=lambda: now[0])
    two = SqliteSearchLedger(b, clock=lambda: now[0])
    assert one.reserve(2, 10, 0).row_id is not None
    now[0] += 3
    assert two.reserve(2, 10, 0).row_id is not None
    refused = one.reserve(2, 10, 0)
    assert refused.row_id is None and refused.wait_s == 7.0  # until the first leaves the window
    now[0] += 7
    assert two.reserve(2, 10, 0).row_id is not None
    gap = one.reserve(5, 10, 2.5)
    assert gap.row_id is None and gap.wait_s == 2.5
    a.close()
    b.close()


async def test_pacer_with_a_ledger_waits_for_the_budget_and_refunds_a_429(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite")
    now = [50.0]
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        now[0] += seconds

    pacer = SearchPacer(
        PacerSettings(max_per_window=2, window_s=60, min_gap_s=0, backoff_base_s=1),
        clock=lambda: now[0],
        sleep=sleep,
    )
    pacer.ledger = SqliteSearchLedger(store, clock=lambda: now[0])
    pacer.on_wait = waits.append
    calls = {"n": 0}

    async def refused_once() -> str:
        calls["n"] += 1
        if calls["n"] == 1:
            raise SearchRejected()
        return "ok"

    assert await pacer.run(refused_once) == "ok"  # the refused POST spent no permit
    assert pacer.ledger.count_since(0) == 1

    async def fine() -> str:
        return "ok"

    await pacer.run(fine)
    start = now[0]
    await pacer.run(fine)  # the third waits for the window to slide
    assert now[0] - start > 50 and waits and waits[-1] > 50
    store.close()
