"""Preview: fetch one search result through slskd into a temporary area to play it.

The file is downloaded like any other (slskd writes it to its downloads
folder), then moved to ``<data_dir>/previews/<token>.<ext>`` and the slskd
transfer is removed from its list, so previews never land in the library or
among real downloads. Only the newest ``KEEP`` previews are kept. The page
plays it with an ``<audio>`` element; Starlette's ``FileResponse`` answers
HTTP range requests, so seeking works.

A fetch runs in the background (:meth:`Previews.start`) so the page can show
how it goes - "peer has a queue of 3" from slskd's ``placeInQueue`` while a
busy peer queues us - and cancel it: the slskd transfer is cancelled, then
removed once slskd reports it ended (slskd removes finished transfers only).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import secrets
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from soulsync.domain import SoulseekFile
from soulsync.providers.base import NotFound, ProviderError
from soulsync.providers.slskd import SlskdClient
from soulsync.services.downloads.slskd_port import SlskdPort

log = logging.getLogger(__name__)

KEEP = 5
TOKEN = re.compile(
    r"^[A-Za-z0-9_-]{16,64}\.(flac|mp3|ogg|opus|m4a|aac|wav|aif|aiff|wma|alac|ape|wv)$"
)
MEDIA_TYPES = {
    "flac": "audio/flac",
    "mp3": "audio/mpeg",
    "ogg": "audio/ogg",
    "opus": "audio/ogg",
    "m4a": "audio/mp4",
    "aac": "audio/aac",
    "wav": "audio/wav",
}


class PreviewError(RuntimeError):
    """The preview could not be fetched; the message says why."""


# How often to ask slskd for our place in a busy peer's queue when the transfer
# does not carry it (the /position request goes to the peer).
POSITION_EVERY_S = 5.0
# Finished fetches remembered for the page to read their outcome.
KEEP_FETCHES = 20


@dataclass
class PreviewFetch:
    """One preview being fetched, as the page polls it."""

    id: str
    file: SoulseekFile
    state: str = "starting"  # starting | waiting | fetching | done | failed | cancelled
    slskd_state: str = ""
    place: int | None = None
    percent: float = 0.0
    token: str | None = None
    error: str | None = None
    task: asyncio.Task[None] | None = field(default=None, repr=False)

    @property
    def finished(self) -> bool:
        """Done, failed or cancelled."""
        return self.state in ("done", "failed", "cancelled")

    @property
    def message(self) -> str:
        """What the page shows while it waits."""
        if self.state == "waiting" and self.place is not None:
            return f"Waiting: peer has a queue of {self.place}"
        if self.state == "waiting":
            return f"Waiting for {self.file.username} ({self.slskd_state or 'queued'})"
        if self.state == "fetching":
            return f"Fetching {self.percent:.0f}%"
        if self.state == "failed":
            return f"Preview failed: {self.error}"
        if self.state == "cancelled":
            return "Preview cancelled"
        if self.state == "done":
            return "Ready"
        return f"Asking {self.file.username} for the file"

    def as_dict(self) -> dict[str, object]:
        """JSON for the page."""
        return {
            "id": self.id,
            "state": self.state,
            "place": self.place,
            "percent": round(self.percent, 1),
            "message": self.message,
            "url": f"/preview/{self.token}" if self.token else None,
            "error": self.error,
        }


class Previews:
    """Fetches previews and finds them again by token."""

    def __init__(self, client: SlskdClient, folder: Path, *, timeout_s: float = 120.0) -> None:
        self.client = client
        self.port = SlskdPort(client)
        self.folder = folder
        self.timeout_s = timeout_s
        self.fetches: dict[str, PreviewFetch] = {}

    def path_for(self, token: str) -> Path | None:
        """The preview file for ``token`` (validated, so no path tricks), or None."""
        if not TOKEN.match(token):
            return None
        path = self.folder / token
        return path if path.is_file() else None

    def start(self, file: SoulseekFile) -> PreviewFetch:
        """Start fetching ``file`` in the background; poll it with :meth:`get`."""
        fetch = PreviewFetch(id=secrets.token_urlsafe(12), file=file)
        fetch.task = asyncio.create_task(self._run(fetch), name=f"preview-{fetch.id}")
        self.fetches[fetch.id] = fetch
        self._forget_old()
        return fetch

    def get(self, fetch_id: str) -> PreviewFetch | None:
        """A fetch started here, or None (unknown or long forgotten)."""
        return self.fetches.get(fetch_id)

    async def cancel(self, fetch_id: str) -> PreviewFetch | None:
        """Stop a fetch: its slskd transfer is cancelled and removed. None if unknown."""
        fetch = self.fetches.get(fetch_id)
        if fetch is None or fetch.finished or fetch.task is None:
            return fetch
        fetch.task.cancel()
        # The task's own clean-up cancels and removes the transfer in slskd.
        await asyncio.wait([fetch.task])
        return fetch

    async def cancel_all(self) -> None:
        """Cancel every fetch still running (the app is stopping): nothing is left in slskd."""
        for fetch_id in [k for k, f in self.fetches.items() if not f.finished]:
            await self.cancel(fetch_id)

    async def fetch(self, file: SoulseekFile) -> str:
        """Download ``file`` and return its preview token (``<random>.<ext>``)."""
        fetch = self.start(file)
        assert fetch.task is not None
        await asyncio.shield(fetch.task)
        if fetch.token is None:
            raise PreviewError(fetch.error or fetch.message)
        return fetch.token

    async def _run(self, fetch: PreviewFetch) -> None:
        try:
            fetch.token = await self._fetch(fetch)
            fetch.state = "done"
        except PreviewError as exc:
            fetch.state, fetch.error = "failed", str(exc)
        except ProviderError as exc:
            fetch.state, fetch.error = "failed", f"slskd: {exc.message}"
        except httpx.HTTPError as exc:
            fetch.state, fetch.error = "failed", f"slskd could not be reached ({exc})"
        except asyncio.CancelledError:
            fetch.state = "cancelled"  # the user's cancel: the task ends here

    async def _fetch(self, fetch: PreviewFetch) -> str:
        file = fetch.file
        started = time.time()
        try:
            result = await self.client.enqueue(file.username, [file])
        except ProviderError as exc:
            raise PreviewError(
                f"could not ask {file.username} for the file: {exc.message}"
            ) from exc
        if not result.enqueued:
            raise PreviewError("slskd did not queue the file (is it already downloading?)")
        transfer = result.enqueued[0]
        deadline = time.monotonic() + self.timeout_s
        asked_at = 0.0
        try:
            while True:
                current = await self.client.transfer(file.username, transfer.id)
                if current.succeeded:
                    break
                if current.failed:
                    raise PreviewError(f"the transfer failed ({current.state})")
                if time.monotonic() > deadline:
                    raise PreviewError("the peer did not send the file in time")
                fetch.slskd_state = current.state
                fetch.percent = current.percent_complete
                fetch.place = current.place_in_queue
                if "Queued" in current.state or current.state in ("Requested", "Initializing"):
                    fetch.state = "waiting"
                    unknown = fetch.place is None and "Remotely" in current.state
                    if unknown and time.monotonic() - asked_at > POSITION_EVERY_S:
                        asked_at = time.monotonic()
                        with contextlib.suppress(ProviderError):
                            fetch.place = await self.client.queue_position(
                                file.username, transfer.id
                            )
                else:
                    fetch.state, fetch.place = "fetching", None
                await asyncio.sleep(0.3)
            local = self.client.local_file(file.filename, not_before=started - 5)
        except NotFound as exc:
            raise PreviewError(exc.message) from exc
        finally:
            # Also on a cancel: the transfer must not go on (or stay listed) in slskd.
            with contextlib.suppress(ProviderError, httpx.HTTPError):
                await asyncio.shield(self.port.cancel(file.username, transfer.id, remove=True))
        ext = file.extension or "bin"
        token = f"{secrets.token_urlsafe(18)}.{ext}"
        self.folder.mkdir(parents=True, exist_ok=True)
        await asyncio.to_thread(shutil.move, str(local), str(self.folder / token))
        self._prune()
        return token

    def _forget_old(self) -> None:
        done = [k for k, f in self.fetches.items() if f.finished]
        for key in done[: max(0, len(done) - KEEP_FETCHES)]:
            del self.fetches[key]

    def _prune(self) -> None:
        files = sorted(self.folder.glob("*"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in files[KEEP:]:
            with contextlib.suppress(OSError):
                old.unlink()
