"""One slskd search's life on the wire: the POST body, progress reports and the wait for its end.

slskd marks a search ``Completed`` a moment before it stores the responses,
so reading them on ``isComplete`` alone can return nothing: the wait here
lasts until ``endedAt`` is set (``shared/reference/soulseek-and-slskd.md``);
then the responses are read and the search is DELETEd so slskd does not keep
it forever. :meth:`soulsync.providers.slskd.SlskdClient.search` is the
public entry; the POST goes through the process-wide search pacer.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from soulsync.domain import SearchResponse
from soulsync.providers.base import ProviderError, RateLimited, ServiceUnavailable
from soulsync.providers.slskd_errors import (
    SERVICE,
    InvalidSearch,
    NotLoggedIn,
    brief_error,
    retry_after_s,
)
from soulsync.providers.slskd_models import response_from_json
from soulsync.providers.slskd_pacer import PacerExhausted, SearchPacer, SearchRejected

log = logging.getLogger(__name__)

# ``SlskdClient._request``: one call to slskd's API, errors already mapped.
SlskdRequest = Callable[..., Awaitable[httpx.Response]]


@dataclass(frozen=True, slots=True)
class SearchProgress:
    """What slskd says about a running search: its state and how many have answered.

    slskd keeps the responses themselves until the search is finalised, so
    these counts are all that is honestly known while it runs.
    """

    state: str
    responses: int
    files: int
    posted: bool = True


SearchProgressCallback = Callable[[SearchProgress], None]


async def run_search(
    request: SlskdRequest,
    pacer: SearchPacer,
    body: Mapping[str, Any],
    *,
    limit_s: float,
    poll_interval_s: float,
    on_progress: SearchProgressCallback | None = None,
) -> list[SearchResponse]:
    """POST one search through ``pacer``, wait for its end, read its responses, delete it.

    ``body`` is slskd's ``SearchRequest`` (with ``id`` and ``searchText``).

    Raises:
        InvalidSearch: slskd refused the text (400).
        NotLoggedIn: slskd is not connected to the Soulseek network (409).
        RateLimited: slskd kept answering 429 through every retry.
    """
    search_id = str(body["id"])
    query = body["searchText"]

    async def post() -> None:
        response = await request("POST", "/searches", json=body, allow=frozenset({400, 409, 429}))
        if response.status_code == 429:
            raise SearchRejected(retry_after_s(response))
        if response.status_code == 409:
            raise NotLoggedIn(brief_error(response))
        if response.status_code == 400:
            raise InvalidSearch(
                SERVICE, f"slskd refused the search {query!r}: {brief_error(response)}"
            )

    try:
        await pacer.run(post)
    except PacerExhausted as exc:
        raise RateLimited(SERVICE, str(exc), pacer.settings.backoff_max_s) from exc
    log.debug("slskd search %s posted: %r", search_id, query)
    try:
        if on_progress is not None:
            on_progress(SearchProgress("Requested", 0, 0))
        await wait_until_ended(request, search_id, limit_s, poll_interval_s, on_progress)
        payload = (await request("GET", f"/searches/{search_id}/responses")).json()
    finally:
        await delete_search(request, search_id)
    return [response_from_json(item) for item in payload or []]


async def wait_until_ended(
    request: SlskdRequest,
    search_id: str,
    limit_s: float,
    poll_interval_s: float,
    on_progress: SearchProgressCallback | None = None,
) -> None:
    """Poll until ``endedAt`` is set (not merely ``isComplete``: see the module doc).

    Past ``limit_s`` the search is stopped; if slskd still does not finalise
    it within 10 s, ``ServiceUnavailable`` is raised.
    """
    deadline = time.monotonic() + limit_s
    stopped = False
    seen = (0, 0)
    while True:
        state = (await request("GET", f"/searches/{search_id}")).json()
        counts = (int(state.get("responseCount") or 0), int(state.get("fileCount") or 0))
        if on_progress is not None and counts != seen:
            seen = counts
            on_progress(SearchProgress(str(state.get("state", "")), *counts))
        if state.get("endedAt"):
            return
        now = time.monotonic()
        if now > deadline:
            if stopped:
                raise ServiceUnavailable(
                    SERVICE,
                    f"slskd did not finish search {search_id} (state {state.get('state')})",
                )
            await request("PUT", f"/searches/{search_id}", allow=frozenset({404}))
            stopped = True
            deadline = now + 10
        await asyncio.sleep(poll_interval_s)


async def delete_search(request: SlskdRequest, search_id: str) -> None:
    """Delete a finished search so slskd does not keep it forever (failure only logged)."""
    try:
        await request("DELETE", f"/searches/{search_id}", allow=frozenset({404}))
    except ProviderError as exc:
        # Not fatal for the caller: the results are read; slskd just keeps the record.
        log.warning("could not delete slskd search %s: %s", search_id, exc.message)
