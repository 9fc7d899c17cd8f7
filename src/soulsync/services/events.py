"""In-process event bus: progress and activity for the web UI (SSE) and the CLI.

Publishers call :meth:`EventBus.publish` from anywhere (event loop or worker
thread). Subscribers iterate :meth:`EventBus.subscribe`. Each subscriber has a
bounded queue: a slow browser tab loses its oldest events (and is told how
many) instead of making the publisher wait or memory grow. Events carry a
monotonically increasing id so an SSE client that reconnects with
``Last-Event-ID`` gets what it missed from a short replay buffer.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Event:
    """Something that happened: ``topic`` like ``job.progress`` or ``sync.track``."""

    topic: str
    data: dict[str, Any]
    id: int = 0
    at: float = field(default_factory=time.time)


class _Subscriber:
    def __init__(
        self, loop: asyncio.AbstractEventLoop, prefixes: tuple[str, ...], size: int
    ) -> None:
        self.loop = loop
        self.prefixes = prefixes
        self.queue: asyncio.Queue[Event] = asyncio.Queue(maxsize=size)
        self.dropped = 0

    def wants(self, topic: str) -> bool:
        return not self.prefixes or topic.startswith(self.prefixes)

    def offer(self, event: Event) -> None:
        # Runs on the subscriber's loop.
        if self.queue.full():
            self.queue.get_nowait()
            self.dropped += 1
        self.queue.put_nowait(event)


class EventBus:
    """A small publish/subscribe hub with per-subscriber bounded queues."""

    def __init__(self, replay: int = 500, queue_size: int = 1000) -> None:
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._subscribers: set[_Subscriber] = set()
        self._recent: deque[Event] = deque(maxlen=replay)
        self._queue_size = queue_size

    def publish(self, topic: str, **data: Any) -> Event:
        """Publish an event to every interested subscriber; safe from any thread."""
        with self._lock:
            event = Event(topic=topic, data=data, id=next(self._ids))
            self._recent.append(event)
            targets = [s for s in self._subscribers if s.wants(topic)]
        for sub in targets:
            if sub.loop.is_closed():
                continue
            try:
                running = asyncio.get_running_loop()
            except RuntimeError:
                running = None
            if running is sub.loop:
                sub.offer(event)
            else:
                sub.loop.call_soon_threadsafe(sub.offer, event)
        return event

    def recent(self, after_id: int = 0, prefixes: Iterable[str] = ()) -> list[Event]:
        """Buffered events newer than ``after_id`` (for reconnecting clients)."""
        wanted = tuple(prefixes)
        with self._lock:
            return [
                e
                for e in self._recent
                if e.id > after_id and (not wanted or e.topic.startswith(wanted))
            ]

    async def subscribe(
        self, prefixes: Iterable[str] = (), after_id: int | None = None
    ) -> AsyncIterator[Event]:
        """Yield events whose topic starts with one of ``prefixes`` (all if empty).

        With ``after_id`` the buffered events newer than it are replayed first.
        """
        sub = _Subscriber(asyncio.get_running_loop(), tuple(prefixes), self._queue_size)
        with self._lock:
            self._subscribers.add(sub)
            backlog = (
                [e for e in self._recent if e.id > after_id and sub.wants(e.topic)]
                if after_id is not None
                else []
            )
        try:
            last = 0
            for event in backlog:
                last = event.id
                yield event
            while True:
                event = await sub.queue.get()
                if event.id <= last:
                    continue
                last = event.id
                yield event
        finally:
            with self._lock:
                self._subscribers.discard(sub)

    @property
    def subscriber_count(self) -> int:
        """How many subscribers are listening right now."""
        with self._lock:
            return len(self._subscribers)
