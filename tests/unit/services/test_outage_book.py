"""Outages: recorded once, probed with a capped doubling backoff, described, given up."""

from __future__ import annotations

import time

from soulsync.config_outage import OutageSettings
from soulsync.services.outage import OutageBook
from soulsync.store import Store


def test_outage_backoff_description_and_give_up(store: Store) -> None:
    now = [time.mktime((2026, 12, 4, 14, 2, 0, 0, 0, -1))]
    book = OutageBook(
        store,
        OutageSettings(first_retry_s=10, max_retry_s=30, max_wait_min=1),
        clock=lambda: now[0],
    )
    first = book.down("slskd", "refused")
    assert first.describe(now[0]) == "waiting for slskd since 14:02, next try in 10 s"
    # Another job meeting the same outage before the probe changes nothing.
    assert book.down("slskd", "refused again") == first
    delays = []
    for _ in range(4):
        now[0] = book.get("slskd").next_try  # type: ignore[union-attr]
        nxt = book.down("slskd", "still down")
        delays.append(nxt.next_try - now[0])
    assert delays == [20, 30, 30, 30]  # doubling, capped
    assert book.get("slskd").since == first.since  # type: ignore[union-attr]
    assert book.gave_up(nxt)  # 110 s > 1 min
    assert book.up("slskd") is not None and book.get("slskd") is None


def test_a_record_nobody_probed_for_minutes_is_a_new_outage(store: Store) -> None:
    """An outage that ended unseen (no probe cleared it) must not make the next one give up at once."""
    now = [time.mktime((2026, 12, 4, 14, 2, 0, 0, 0, -1))]
    book = OutageBook(
        store,
        OutageSettings(first_retry_s=10, max_retry_s=30, max_wait_min=1),
        clock=lambda: now[0],
    )
    book.down("spotify", "refused")
    now[0] += 3 * 3600  # spotify answered meanwhile, but no step of ours called up()
    again = book.down("spotify", "refused")
    assert again.since == now[0] and again.attempts == 1
    assert not book.gave_up(again)
