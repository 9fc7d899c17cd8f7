"""The client's search reports progress while slskd runs it (for the live search page)."""

from __future__ import annotations

from soulsync.providers.slskd import SlskdClient
from soulsync.providers.slskd_search import SearchProgress


async def test_progress_is_reported_before_results(client: SlskdClient) -> None:
    seen: list[SearchProgress] = []
    responses = await client.search(
        "daft punk digital love", timeout_ms=1000, on_progress=seen.append
    )
    assert responses, "the sandbox shares Digital Love"
    assert seen[0].state == "Requested" and seen[0].responses == 0
    # The counts only grow, and the last one matches what was read back.
    assert [p.responses for p in seen] == sorted(p.responses for p in seen)
    assert seen[-1].responses == len(responses)
    assert seen[-1].files == sum(len(r.files) for r in responses)
