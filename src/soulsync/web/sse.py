"""Server-Sent Events: the event bus streamed to browsers.

``GET /events?topics=job.,sync.`` streams every bus event whose topic starts
with one of the prefixes as ``event: <topic>`` / ``data: <json>`` with the
event id, so the browser's ``EventSource`` resumes with ``Last-Event-ID``
after a reconnect (the bus replays what it still buffers). A comment line
every ``HEARTBEAT_S`` keeps proxies from closing an idle stream and lets the
server notice a client that went away. ``retry: 2000`` tells the browser to
reconnect after two seconds.

A stream can stay open for days, far past a logout or a password reset, so
every ``SESSION_CHECK_S`` seconds it checks that its session (or API key)
still exists and ends with an ``event: logout`` frame when it does not; the
browser's reconnect then meets the login redirect.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import OrderedDict
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from soulsync.services.events import Event, EventBus
from soulsync.web.apikeys import list_api_keys

router = APIRouter()

HEARTBEAT_S = 15.0
SESSION_CHECK_S = 20.0
LOGOUT_FRAME = "event: logout\ndata: {}\n\n"
ALLOWED_PREFIXES = ("job.", "sync.", "wishlist.", "activity", "library.", "search.")
SSE_HEADERS = {
    "Cache-Control": "no-cache, no-transform",
    "X-Accel-Buffering": "no",  # nginx: do not buffer the stream
}


_FRAMES: OrderedDict[int, str] = OrderedDict()
_FRAMES_KEEP = 256


def format_event(event: Event) -> str:
    """One SSE frame for ``event`` (encoded once, however many streams send it)."""
    frame = _FRAMES.get(event.id)
    if frame is None:
        payload = json.dumps({"topic": event.topic, "at": event.at, **event.data}, default=str)
        frame = f"id: {event.id}\nevent: {event.topic}\ndata: {payload}\n\n"
        _FRAMES[event.id] = frame
        while len(_FRAMES) > _FRAMES_KEEP:
            _FRAMES.popitem(last=False)
    return frame


def sse_frame(name: str, data: Any, event_id: int | None = None) -> str:
    """One SSE frame with a JSON payload (for streams not fed by the bus)."""
    head = f"id: {event_id}\n" if event_id is not None else ""
    text = json.dumps(data, default=str)
    return f"{head}event: {name}\ndata: {text}\n\n"


def parse_prefixes(raw: str | None) -> tuple[str, ...]:
    """The requested topic prefixes, limited to the ones the UI may see."""
    wanted = tuple(p.strip() for p in (raw or "").split(",") if p.strip())
    if not wanted:
        return ALLOWED_PREFIXES
    return tuple(p for p in wanted if p.startswith(ALLOWED_PREFIXES)) or ALLOWED_PREFIXES


def still_authorised(request: Request) -> bool:
    """True while the stream's session (or API key) is still valid."""
    principal = getattr(request.state, "principal", None)
    auth = getattr(request.state, "auth", None)
    if principal is None or auth is None:
        return False
    if principal.via == "session":
        sid = request.state.session.sid
        return sid is not None and auth.sessions.user_for(sid) is not None
    return any(k.id == principal.api_key_id for k in list_api_keys(auth.store))


class SessionWatch:
    """Answers "is the stream still allowed?", asking the store at most every SESSION_CHECK_S."""

    def __init__(self, request: Request) -> None:
        self.request = request
        self.checked = time.monotonic()

    @staticmethod
    def wait_s() -> float:
        """How long a stream may sleep between checks."""
        return min(HEARTBEAT_S, SESSION_CHECK_S)

    def gone(self) -> bool:
        """True once the session has ended (checked when the interval has passed)."""
        now = time.monotonic()
        if now - self.checked < SESSION_CHECK_S:
            return False
        self.checked = now
        return not still_authorised(self.request)


async def bus_stream(
    request: Request, bus: EventBus, prefixes: tuple[str, ...], after_id: int | None
) -> AsyncIterator[str]:
    """Yield SSE frames from ``bus`` until the client disconnects."""
    yield "retry: 2000\n: connected\n\n"
    events = bus.subscribe(prefixes, after_id=after_id)
    assert isinstance(events, AsyncGenerator)
    pending: asyncio.Task[Event] | None = None
    watch = SessionWatch(request)
    try:
        while True:
            if pending is None:
                pending = asyncio.ensure_future(anext(events))
            done, _ = await asyncio.wait({pending}, timeout=watch.wait_s())
            if await request.is_disconnected():
                break
            if watch.gone():
                yield LOGOUT_FRAME
                break
            if not done:
                yield ": ping\n\n"
                continue
            event = pending.result()
            pending = None
            yield format_event(event)
    finally:
        if pending is not None:
            pending.cancel()
            with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
                await pending
        await events.aclose()


@router.get("/events", include_in_schema=False)
async def events(request: Request, topics: str | None = None) -> StreamingResponse:
    """The live event stream for the pages (login required, like every page)."""
    services = request.app.state.services
    bus: EventBus | None = getattr(services, "bus", None)
    last = request.headers.get("last-event-id")
    after_id = int(last) if last and last.isdigit() else None
    if bus is None:

        async def idle() -> AsyncIterator[str]:
            # No services: keep the stream open so the page shows "connected".
            yield "retry: 5000\n: no event bus\n\n"
            watch = SessionWatch(request)
            while not await request.is_disconnected():
                await asyncio.sleep(watch.wait_s())
                if watch.gone():
                    yield LOGOUT_FRAME
                    return
                yield ": ping\n\n"

        return StreamingResponse(idle(), media_type="text/event-stream", headers=SSE_HEADERS)
    return StreamingResponse(
        bus_stream(request, bus, parse_prefixes(topics), after_id),
        media_type="text/event-stream",
        headers=SSE_HEADERS,
    )
