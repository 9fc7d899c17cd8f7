"""Webhook notifications for finished syncs, failures and new releases.

Off unless ``[notifications] webhook_url`` is set. One JSON POST per event,
shaped for the receiver:

* ``json`` - ``{"event", "title", "message", "data", "at"}`` for your own tools;
* ``discord`` - ``{"content": "**title**\\nmessage"}`` (Discord's webhook body,
  discord.com/developers/docs/resources/webhook#execute-webhook);
* ``ntfy`` - ntfy's JSON publishing form ``{"topic", "title", "message",
  "tags"}`` POSTed to the server root (docs.ntfy.sh/publish/#publish-as-json),
  the topic being the URL's last path segment.

A failed delivery (connection error, 429 or 5xx) is retried with exponential
backoff; a 4xx other than 429 is not retried. The URL usually carries a token,
so it is never logged: logs name the host only.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from soulsync.providers.http import backoff_delay, parse_retry_after

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Notification:
    """One event to announce."""

    event: str  # sync.finished | sync.failed | watch.new_release
    title: str
    message: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Delivery:
    """How one notification went (for tests, the activity feed and the settings page)."""

    event: str
    ok: bool
    attempts: int
    status: int | None
    error: str | None = None


def body_for(fmt: str, url: str, note: Notification, at: float) -> dict[str, Any]:
    """The JSON body for ``fmt`` (json, discord, ntfy)."""
    if fmt == "discord":
        # Discord caps content at 2000 characters.
        return {"content": f"**{note.title}**\n{note.message}"[:2000]}
    if fmt == "ntfy":
        path = urlsplit(url).path.rstrip("/")
        topic = path.rsplit("/", 1)[-1] if path else "soulsync"
        tags = {"sync.failed": ["warning"], "watch.new_release": ["cd"]}.get(note.event, [])
        return {"topic": topic, "title": note.title, "message": note.message, "tags": tags}
    return {
        "event": note.event,
        "title": note.title,
        "message": note.message,
        "data": note.data,
        "at": at,
    }


def _target(fmt: str, url: str) -> str:
    """Where to POST: ntfy's JSON form goes to the server root, the others to the URL."""
    if fmt != "ntfy":
        return url
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/", "", ""))


def safe_url(url: str) -> str:
    """The URL without path, query or credentials (for logs and the UI)."""
    parts = urlsplit(url)
    host = parts.hostname or "?"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}/…"


class WebhookNotifier:
    """Posts :class:`Notification` s to one webhook, with retries; never raises."""

    def __init__(
        self,
        url: str,
        *,
        fmt: str = "json",
        events: tuple[str, ...] | list[str] = ("sync.finished", "sync.failed", "watch.new_release"),
        retries: int = 3,
        timeout_s: float = 10.0,
        backoff_base_s: float = 1.0,
        sleep: Callable[[float], Any] = asyncio.sleep,
    ) -> None:
        self._url = url
        self.fmt = fmt
        self.events = frozenset(events)
        self.retries = retries
        self.timeout_s = timeout_s
        self.backoff_base_s = backoff_base_s
        self._sleep = sleep
        self.deliveries: list[Delivery] = []

    def __repr__(self) -> str:
        return f"WebhookNotifier({safe_url(self._url)}, fmt={self.fmt!r})"

    @classmethod
    def from_settings(cls, settings: Any) -> WebhookNotifier | None:
        """From ``[notifications]``; None when no webhook is set (notifications off)."""
        url = settings.webhook_url.get_secret_value()
        if not url:
            return None
        return cls(
            url,
            fmt=settings.format,
            events=list(settings.events),
            retries=settings.retries,
            timeout_s=settings.timeout_s,
        )

    async def notify(self, note: Notification) -> Delivery | None:
        """Deliver ``note`` if its event is wanted; returns how it went (None: not wanted)."""
        if note.event not in self.events:
            return None
        body = body_for(self.fmt, self._url, note, time.time())
        target = _target(self.fmt, self._url)
        status: int | None = None
        error: str | None = None
        attempts = 0
        async with httpx.AsyncClient(timeout=self.timeout_s) as client:
            for attempt in range(self.retries + 1):
                attempts = attempt + 1
                wait = backoff_delay(attempt, base_s=self.backoff_base_s)
                try:
                    response = await client.post(target, json=body)
                except httpx.HTTPError as exc:
                    status, error = None, type(exc).__name__
                else:
                    status = response.status_code
                    if status < 300:
                        delivery = Delivery(note.event, True, attempts, status)
                        self.deliveries.append(delivery)
                        return delivery
                    error = f"HTTP {status}"
                    if status != 429 and status < 500:
                        break  # the receiver refuses this body: retrying will not help
                    wait = parse_retry_after(response.headers.get("Retry-After")) or wait
                if attempt < self.retries:
                    await self._sleep(wait)
        log.warning(
            "webhook %s: %s not delivered after %d attempt(s) (%s)",
            safe_url(self._url),
            note.event,
            attempts,
            error,
        )
        delivery = Delivery(note.event, False, attempts, status, error)
        self.deliveries.append(delivery)
        return delivery
