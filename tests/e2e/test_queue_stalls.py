"""The queue shows a stalled transfer as "stalled N s" counting up, then the move to
the next peer with "(2/3)" and the candidate being tried (issue 15 item 10).

The job's first candidate is the simulator's ``staller`` peer (it stops sending at
30 % of the file); the second is ``flacfan`` slowed down so it is still running
when the page is looked at; a third exists so the counts read "of 3".
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator

import pytest
from e2e_helpers import Running, wait_for
from playwright.sync_api import Page, expect

from soulsync.domain import JobKind, SoulseekFile
from soulsync.services.downloads.jobs_store import NewJob

pytestmark = pytest.mark.e2e

PEERS = ("staller", "flacfan", "hires_hoarder")
STALL_TIMEOUT_S = 12.0  # long enough to watch the timer grow, short enough for a test


def one_more_time(running: Running, username: str) -> SoulseekFile:
    """The peer's shared copy of Discovery's "One More Time", as slskd lists it."""
    sim = running.demo.sandbox.slskd
    share = next(
        s
        for s in sim.shares
        if s.username == username
        and "One More Time" in s.filename
        and "Discovery" in s.filename
        and s.extension == "flac"
    )
    return SoulseekFile(username, share.filename, sim.size_of(share))


@pytest.fixture()
def stalling_job(running: Running) -> Iterator[int]:
    """A queued plain download whose first peer stalls and second is slow."""
    downloads = running.services.downloads
    assert downloads is not None
    sim = running.demo.sandbox.slskd
    steps = downloads.steps
    before = steps.queue
    steps.queue = dataclasses.replace(before, stall_timeout_s=STALL_TIMEOUT_S)
    sim.set_peer("flacfan", transfer_speed=300)  # bytes per second: still running when looked at
    files = tuple(one_more_time(running, user) for user in PEERS)
    (job,) = downloads.jobs.insert([NewJob(JobKind.PLAIN, file=files[0], candidates=files)])
    try:
        yield job.id
    finally:
        steps.queue = before
        sim.set_peer("flacfan", transfer_speed=None)


def stalled_seconds(page: Page, job_id: int) -> int:
    text = page.locator(f'li.job[data-job-id="{job_id}"] .state').inner_text()
    found = re.fullmatch(r"stalled (\d+) s", text.strip(), flags=re.IGNORECASE)
    return int(found.group(1)) if found else -1


@pytest.mark.parametrize("width", [1280, 375], ids=["desktop", "phone"])
def test_stalled_transfer_counts_up_then_moves_to_the_next_peer(
    page: Page, running: Running, stalling_job: int, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/queue")
    job = page.locator(f'li.job[data-job-id="{stalling_job}"]')
    expect(job.locator(".candidate")).to_contain_text("peer 1 of 3: staller")
    expect(job.locator(".candidate")).to_contain_text("One More Time.flac")

    # The stall shows as "stalled N s" and N grows while the page is open.
    expect(job.locator(".state")).to_have_text(re.compile(r"stalled \d+ s"), timeout=30_000)
    first = stalled_seconds(page, stalling_job)
    assert first >= 0
    wait_for(
        lambda: stalled_seconds(page, stalling_job) >= first + 2, 10, "the stall timer to grow"
    )
    expect(job).not_to_contain_text("left")  # no ETA for a transfer that does not move

    # Then the stall timeout moves the job to the next peer, with counts.
    expect(job.locator(".attempt-note")).to_contain_text(
        "trying the next peer (2/3)", timeout=30_000
    )
    expect(job.locator(".attempt-note")).to_contain_text("stalled")
    expect(job.locator(".candidate")).to_contain_text("peer 2 of 3: flacfan")
    expect(job.locator(".state")).not_to_have_text(re.compile("stalled"))
    width_now = page.evaluate("document.documentElement.scrollWidth")
    assert width_now <= width, f"the queue is {width_now} px wide in a {width} px window"

    job.get_by_role("button", name="Cancel").click()
    expect(job).to_have_count(0)
    assert page.errors == []  # type: ignore[attr-defined]
