"""Issue 13 item 1 (and 7), against slskd 0.24 and 0.26 behaviour: one-letter search terms, as slskd (Soulseek.NET) treats them.

Soulseek.NET drops one-character terms and refuses a search with no longer
term (400); the query ladder must never send such a search, and a track
titled "U" or "X" must still be found.
"""

from __future__ import annotations

import pytest

from soulsync.domain import Track
from soulsync.matching.queries import query_ladder
from soulsync.matching.rank import rank_soulseek_files
from soulsync.providers.base import ServiceUnavailable
from soulsync.providers.slskd import InvalidSearch, NotLoggedIn, SlskdClient
from soulsync.sandbox.slskd import SlskdSimulator

SHORT = [
    (Track("7", ("Catfish and the Bottlemen",), album="The Balcony", duration_ms=213_000), "7"),
    (Track("u", ("Kendrick Lamar",), album="To Pimp a Butterfly", duration_ms=268_000), "u"),
    (Track("X", ("Xzibit",), album="Restless", duration_ms=254_000), "X"),
    (Track("22", ("Taylor Swift",), album="Red", duration_ms=232_000), "22"),
]


@pytest.mark.parametrize(("track", "title"), SHORT, ids=[t for _, t in SHORT])
async def test_short_titles_are_found_without_refused_searches(
    client: SlskdClient, vsim: SlskdSimulator, track: Track, title: str
) -> None:
    best = None
    for query in query_ladder(track):
        responses = await client.search(query.text)
        ranked = rank_soulseek_files(track, responses)
        if ranked.candidates:
            best = ranked.candidates[0].file
            break
    assert vsim.counters.searches_refused == 0
    assert best is not None
    stem = best.filename.rsplit("\\", 1)[-1].rsplit(".", 1)[0]
    assert stem.split()[-1] == title or stem.endswith(f"-{title.lower()}")


@pytest.mark.parametrize("text", ["u", "7", "x u", "o o c", "a -live"])
async def test_one_letter_searches_are_refused_with_400(
    client: SlskdClient, vsim: SlskdSimulator, text: str
) -> None:
    with pytest.raises(InvalidSearch, match=r"greater than 1|non-exclusion term"):
        await client.search(text)
    assert vsim.counters.searches_posted == 0


async def test_logged_out_search_is_409_not_logged_in(
    client: SlskdClient, vsim: SlskdSimulator
) -> None:
    vsim.server_state = "Disconnected"
    with pytest.raises(NotLoggedIn, match="not connected to the Soulseek network") as caught:
        await client.search("daft punk")
    assert isinstance(caught.value, ServiceUnavailable)  # transient: wait, then try again
