"""Live Soulseek searches for the search page.

``SlskdClient.search`` returns only once slskd has finished (``endedAt``),
which would leave the page blank for the whole search. This adapter runs
the client's search with a progress callback and records what happens on the
way, so the page can show it as it goes: the search state and how many peers
and files have answered so far (slskd keeps the responses themselves until
the search is finalised, so the counts are what is honestly known while it
runs), then the grouped results in chunks.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections import OrderedDict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from soulsync.domain import SoulseekFile
from soulsync.matching.queries import wildcard_filtered
from soulsync.matching.settings import QualityProfile
from soulsync.providers.base import ProviderError
from soulsync.providers.slskd import SlskdClient
from soulsync.providers.slskd_search import SearchProgress
from soulsync.web.search_results import ResultGroup, flat_files, group_results
from soulsync.web.ui import error_text

log = logging.getLogger(__name__)

CHUNK = 12  # groups per "results" frame
KEEP = 30  # searches kept for the buttons of their results
MAX_QUERY = 200


@dataclass
class LiveSearch:
    """One search as the page sees it."""

    sid: str
    query: str
    state: str = "waiting"  # waiting | searching | reading | done | error
    slskd_state: str = ""
    responses: int = 0
    files_seen: int = 0
    error: str | None = None
    note: str | None = None  # e.g. a name the network filters, searched with a wildcard
    files: list[SoulseekFile] = field(default_factory=list)
    groups: list[ResultGroup] = field(default_factory=list)
    frames: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None

    def emit(self, name: str, **data: Any) -> None:
        """Record a frame and wake the streams."""
        self.frames.append((name, data))
        self.changed.set()

    @property
    def finished(self) -> bool:
        """True once no more frames will come."""
        return self.state in ("done", "error")

    def group(self, index: int) -> ResultGroup:
        """A result group by index (``KeyError`` if there is none)."""
        if not 0 <= index < len(self.groups):
            raise KeyError(f"no result {index}")
        return self.groups[index]

    def file(self, index: int) -> SoulseekFile:
        """A file by its index in the flat list (``KeyError`` if there is none)."""
        if not 0 <= index < len(self.files):
            raise KeyError(f"no file {index}")
        return self.files[index]


class SearchRegistry:
    """The live and recent searches of this process (bounded)."""

    def __init__(self, client: SlskdClient, profile: QualityProfile, timeout_ms: int) -> None:
        self.client = client
        self.profile = profile
        self.timeout_ms = timeout_ms
        self._searches: OrderedDict[str, LiveSearch] = OrderedDict()

    def start(self, query: str) -> LiveSearch:
        """Start a search in the background; returns at once."""
        text = " ".join(query.split())[:MAX_QUERY]
        if not text:
            raise ValueError("type something to search for")
        search = LiveSearch(sid=uuid.uuid4().hex[:12], query=text)
        self._searches[search.sid] = search
        while len(self._searches) > KEEP:
            _, old = self._searches.popitem(last=False)
            if old.task is not None and not old.task.done():
                old.task.cancel()
        search.task = asyncio.create_task(self._run(search), name=f"web-search-{search.sid}")
        return search

    def get(self, sid: str) -> LiveSearch | None:
        """A search by id, or None (unknown or dropped)."""
        return self._searches.get(sid)

    async def close(self) -> None:
        """Cancel running searches (app shutdown)."""
        for search in self._searches.values():
            if search.task is not None and not search.task.done():
                search.task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await search.task

    async def frames(
        self, search: LiveSearch, start: int = 0
    ) -> AsyncIterator[tuple[int, str, dict[str, Any]]]:
        """Yield (number, name, data) frames from ``start`` until the search has finished."""
        n = start
        while True:
            while n < len(search.frames):
                name, data = search.frames[n]
                yield n, name, data
                n += 1
            if search.finished and n >= len(search.frames):
                return
            search.changed.clear()
            if n < len(search.frames):
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(search.changed.wait(), timeout=10)
            yield -1, "ping", {}

    # -- the search itself ------------------------------------------------------------

    async def _run(self, search: LiveSearch) -> None:
        def progress(p: SearchProgress) -> None:
            search.state = "searching"
            search.slskd_state = p.state
            search.responses, search.files_seen = p.responses, p.files
            search.emit("progress", **_progress(search))

        try:
            search.emit("progress", **_progress(search))
            sent, hidden = wildcard_filtered(search.query)
            if hidden:
                names = ", ".join(f"“{w}”" for w in hidden)
                search.note = f"The Soulseek network filters {names}: searched as “{sent}” instead."
                search.emit("note", message=search.note)
            responses = await self.client.search(
                sent, timeout_ms=self.timeout_ms, on_progress=progress
            )
            search.state = "reading"
            search.emit("progress", **_progress(search))
            search.files = flat_files(responses)
            search.groups = await asyncio.to_thread(
                group_results, search.query, search.files, self.profile
            )
            for start in range(0, len(search.groups), CHUNK):
                search.emit("results", start=start, end=min(start + CHUNK, len(search.groups)))
                await asyncio.sleep(0)
            search.state = "done"
            search.emit(
                "done",
                groups=len(search.groups),
                files=len(search.files),
                peers=len(responses),
                words=len(search.query.split()),
                note=search.note,
            )
        except asyncio.CancelledError:
            search.state = "error"
            search.error = "search cancelled"
            search.emit("error", message=search.error)
            raise
        except (ProviderError, ValueError, OSError) as exc:
            search.state = "error"
            search.error = error_text(exc)
            log.warning("web search %r failed: %s", search.query, search.error)
            search.emit("error", message=search.error)


def _progress(search: LiveSearch) -> dict[str, Any]:
    return {
        "state": search.state,
        "slskd_state": search.slskd_state,
        "responses": search.responses,
        "files": search.files_seen,
        "elapsed": round(time.monotonic() - search.started, 1),
    }
