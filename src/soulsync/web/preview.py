"""Preview: fetch one search result through slskd into a temporary area to play it.

The file is downloaded like any other (slskd writes it to its downloads
folder), then moved to ``<data_dir>/previews/<token>.<ext>`` and the slskd
transfer is removed from its list, so previews never land in the library or
among real downloads. Only the newest ``KEEP`` previews are kept. The page
plays it with an ``<audio>`` element; Starlette's ``FileResponse`` answers
HTTP range requests, so seeking works.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import secrets
import shutil
import time
from pathlib import Path

from soulsync.domain import SoulseekFile
from soulsync.providers.base import NotFound, ProviderError
from soulsync.providers.slskd import SlskdClient

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


class Previews:
    """Fetches previews and finds them again by token."""

    def __init__(self, client: SlskdClient, folder: Path, *, timeout_s: float = 120.0) -> None:
        self.client = client
        self.folder = folder
        self.timeout_s = timeout_s

    def path_for(self, token: str) -> Path | None:
        """The preview file for ``token`` (validated, so no path tricks), or None."""
        if not TOKEN.match(token):
            return None
        path = self.folder / token
        return path if path.is_file() else None

    async def fetch(self, file: SoulseekFile) -> str:
        """Download ``file`` and return its preview token (``<random>.<ext>``)."""
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
        try:
            while True:
                current = await self.client.transfer(file.username, transfer.id)
                if current.succeeded:
                    break
                if current.failed:
                    raise PreviewError(f"the transfer failed ({current.state})")
                if time.monotonic() > deadline:
                    raise PreviewError("the peer did not send the file in time")
                await asyncio.sleep(0.3)
            local = self.client.local_file(file.filename, not_before=started - 5)
        except NotFound as exc:
            raise PreviewError(exc.message) from exc
        finally:
            with contextlib.suppress(ProviderError):
                await self.client.cancel(file.username, transfer.id, remove=True)
        ext = file.extension or "bin"
        token = f"{secrets.token_urlsafe(18)}.{ext}"
        self.folder.mkdir(parents=True, exist_ok=True)
        await asyncio.to_thread(shutil.move, str(local), str(self.folder / token))
        self._prune()
        return token

    def _prune(self) -> None:
        files = sorted(self.folder.glob("*"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in files[KEEP:]:
            with contextlib.suppress(OSError):
                old.unlink()
