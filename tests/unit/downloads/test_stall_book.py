"""The stall book behind the queue's "stalled 25 s" timer (issue 15 item 10)."""

from __future__ import annotations

from soulsync.services.downloads.stalls import StallBook, notice_after


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_short_gap_is_not_a_stall_and_the_notice_follows_the_timeout() -> None:
    assert notice_after(60) == 5.0
    assert notice_after(3) == 1.0
    book = StallBook(Clock())
    assert book.update(1, 2.0, 60) is None
    assert book.stalled_for(1) is None


def test_the_stall_time_grows_with_the_clock_and_ends_with_data() -> None:
    clock = Clock()
    book = StallBook(clock)
    assert book.update(1, 6.0, 60) == 6.0
    clock.now += 4
    assert book.stalled_for(1) == 10.0
    # A later poll with jitter does not move the start back and forth.
    assert book.update(1, 9.5, 60) == 10.0
    assert book.update(1, 0.0, 60) is None
    assert book.stalled_for(1) is None


def test_forget_drops_the_job() -> None:
    book = StallBook(Clock())
    book.update(7, 30.0, 60)
    book.forget(7)
    assert book.stalled_for(7) is None
