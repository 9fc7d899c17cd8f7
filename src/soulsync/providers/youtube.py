"""YouTube (and any site yt-dlp knows) as a download source, with yt-dlp as a library.

:class:`YtDlpSource` drives ``yt_dlp.YoutubeDL`` in a worker thread (never a
subprocess, never on the event loop):

* **search**: yt-dlp's search keys (``ytsearchN:query``; ``search_prefix``
  picks another, e.g. YouTube Music's or the sandbox's) with flat extraction,
  so one request lists uploads with title, channel and duration;
* **lookups** for pasted links: one video, or a playlist's entries;
* **download**: the best audio-only stream as the site serves it (m4a/webm/
  opus): no video, no ``FFmpegExtractAudio`` post-processor, so no ffmpeg is
  needed here; the queue's pipeline verifies, tags and files the file like a
  Soulseek download. yt-dlp's ``continuedl`` keeps a ``.part`` file and asks
  for the rest with an HTTP range after a crash or a failed attempt.

Failures are sorted: network errors, HTTP 429/5xx and throttling are
transient and retried here with exponential backoff and jitter (``retries``
times, 1 s, 2 s, 4 s by default); anything else (video gone, sign-in wall,
no audio stream) raises :class:`VideoUnavailable` at once.

YouTube has needed a JavaScript runtime since late 2025 (yt-dlp 2025.11+):
the ``deno`` wheel from PyPI provides one and ``yt-dlp[default]`` brings the
``yt-dlp-ejs`` solver scripts. A cookies file and a PO token are optional
settings for users YouTube asks to sign in (see the yt-dlp wiki "PO Token
Guide", https://github.com/yt-dlp/yt-dlp/wiki/PO-Token-Guide).

``extractors`` adds yt-dlp extractor classes ahead of the built-in ones —
yt-dlp's own extension point. The sandbox uses it to serve a video site on
127.0.0.1; production leaves it empty.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import re
import shutil
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from soulsync.domain import VideoCandidate
from soulsync.providers.base import NotFound, ProviderError, ServiceUnavailable

__all__ = [
    "DownloadProgress",
    "VideoDownloadCancelled",
    "VideoSource",
    "VideoUnavailable",
    "YouTubeOptions",
    "YtDlpSource",
    "backoff_delay",
    "load_plugin_extractors",
]

log = logging.getLogger(__name__)

_SERVICE = "youtube"
# Words in yt-dlp's messages that mean "try again later" when no status is attached.
_TRANSIENT_WORDS = (
    "timed out",
    "timeout",
    "connection reset",
    "connection refused",
    "temporarily unavailable",
    "too many requests",
    "throttl",
    "incomplete read",
    "remote end closed",
    "network is unreachable",
)


class VideoUnavailable(NotFound):
    """The upload cannot be had (removed, private, sign-in wall, no audio stream)."""


class VideoDownloadCancelled(ProviderError):
    """The download was stopped on request; the partial file stays for a resume."""


@dataclass(frozen=True, slots=True)
class DownloadProgress:
    """Bytes so far of a running download (``total`` None when the site does not say)."""

    downloaded: int
    total: int | None
    speed: float


class VideoSource(Protocol):
    """What the download queue and the link resolver need from a video site."""

    async def search(self, query: str, limit: int = 10) -> list[VideoCandidate]:
        """Uploads for a free-text query, in the site's order."""
        ...

    async def video(self, video_id: str) -> VideoCandidate:
        """One upload by id (for pasted links)."""
        ...

    async def playlist(self, list_id: str) -> list[VideoCandidate]:
        """A playlist's uploads in order."""
        ...

    async def download(
        self,
        video: VideoCandidate,
        dest_dir: Path,
        *,
        progress: Callable[[DownloadProgress], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> Path:
        """Fetch the best audio stream into ``dest_dir``; returns the file."""
        ...


def backoff_delay(retry: int, base_s: float, jitter: float = 0.2) -> float:
    """Delay before retry number ``retry`` (1-based): base, 2x, 4x …, plus up to ``jitter`` more."""
    delay = base_s * (2 ** max(0, retry - 1))
    # Jitter spreads retries of many jobs so they do not hit the site together.
    return delay * (1.0 + random.uniform(0.0, jitter))


@dataclass(frozen=True, slots=True)
class YouTubeOptions:
    """Settings of the yt-dlp source (``[youtube]`` in the config)."""

    search_prefix: str = "ytsearch"
    watch_url: str = "https://www.youtube.com/watch?v={id}"
    playlist_url: str = "https://www.youtube.com/playlist?list={id}"
    cookies_file: Path | None = None
    po_token: str = ""
    retries: int = 3
    backoff_s: float = 1.0
    socket_timeout_s: float = 20.0
    extractors: tuple[type, ...] = field(default=())
    # Modules whose ``extractors(options)`` add more (loaded on first use).
    plugin_modules: tuple[str, ...] = ()

    @classmethod
    def from_settings(cls, settings: Any) -> YouTubeOptions:
        """Options from the ``[youtube]`` config section."""
        return cls(
            search_prefix=settings.search_prefix,
            watch_url=settings.watch_url,
            playlist_url=settings.playlist_url,
            cookies_file=settings.cookies_file,
            po_token=settings.po_token.get_secret_value(),
            retries=settings.retries,
            backoff_s=settings.backoff_s,
            plugin_modules=tuple(settings.plugin_modules),
        )


def load_plugin_extractors(
    modules: list[str] | tuple[str, ...], options: YouTubeOptions
) -> tuple[type, ...]:
    """Extractor classes from ``[youtube] plugin_modules``: each module's ``extractors(options)``.

    This is how a deployment adds a site yt-dlp does not know (the sandbox's
    video site uses it); an unknown module or one without ``extractors`` is a
    configuration error with a clear message.
    """
    import importlib

    found: list[type] = []
    for name in modules:
        try:
            module = importlib.import_module(name)
        except ImportError as exc:
            raise ValueError(f"[youtube] plugin_modules: cannot import {name!r}: {exc}") from exc
        make = getattr(module, "extractors", None)
        if not callable(make):
            raise ValueError(f"[youtube] plugin_modules: {name!r} has no extractors(options)")
        found.extend(make(options))
    return tuple(found)


class YtDlpSource:
    """A :class:`VideoSource` backed by yt-dlp. Blocking work runs in threads."""

    def __init__(
        self,
        options: YouTubeOptions | None = None,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.options = options or YouTubeOptions()
        self._sleep = sleep
        self._extractors: tuple[type, ...] | None = None
        # Delays slept before each retry, newest last (the logs and tests read them).
        self.retry_delays: list[float] = []

    # -- yt-dlp plumbing -----------------------------------------------------------------

    def _params(self, **extra: Any) -> dict[str, Any]:
        opts = self.options
        params: dict[str, Any] = {
            "quiet": True,
            "no_warnings": True,
            "noprogress": True,
            "noplaylist": True,
            "socket_timeout": opts.socket_timeout_s,
            # Our loop does the retrying (with backoff and jitter), not yt-dlp's.
            "retries": 0,
            "fragment_retries": 0,
            "extractor_retries": 0,
            "logger": _YtLogger(),
        }
        deno = shutil.which("deno") or _deno_from_wheel()
        if deno:
            params["js_runtimes"] = {"deno": {"path": deno}}
        if opts.cookies_file is not None:
            params["cookiefile"] = str(opts.cookies_file)
        if opts.po_token:
            params["extractor_args"] = {"youtube": {"po_token": [opts.po_token]}}
        params.update(extra)
        return params

    def _ydl(self, **extra: Any) -> Any:
        import yt_dlp  # heavy: imported on first use

        if self._extractors is None:
            plugins = load_plugin_extractors(self.options.plugin_modules, self.options)
            self._extractors = (*self.options.extractors, *plugins)
        ydl = yt_dlp.YoutubeDL(self._params(**extra), auto_init=False)
        # Added first, so they are asked before yt-dlp's own (and its generic) extractors.
        for extractor in self._extractors:
            ydl.add_info_extractor(extractor())
        ydl.add_default_info_extractors()
        return ydl

    async def _with_retries(self, what: str, call: Callable[[], Any]) -> Any:
        attempt = 0
        while True:
            attempt += 1
            try:
                return await asyncio.to_thread(call)
            except VideoDownloadCancelled:
                raise
            except Exception as exc:
                error = _classify(exc, what)
                if not isinstance(error, ServiceUnavailable) or attempt > self.options.retries:
                    raise error from exc
                delay = backoff_delay(attempt, self.options.backoff_s)
                self.retry_delays.append(delay)
                log.info("%s failed (%s); retry %d in %.1fs", what, error.message, attempt, delay)
                await self._sleep(delay)

    # -- VideoSource -----------------------------------------------------------------------

    async def search(self, query: str, limit: int = 10) -> list[VideoCandidate]:
        """Uploads for ``query`` (flat extraction: one request, no stream lookups)."""
        key = f"{self.options.search_prefix}{max(1, limit)}:{query}"

        def run() -> Any:
            with self._ydl(extract_flat="in_playlist") as ydl:
                return ydl.extract_info(key, download=False)

        info = await self._with_retries(f"search {query!r}", run)
        return [v for v in (_candidate(e, self.options) for e in _entries(info)) if v is not None]

    async def video(self, video_id: str) -> VideoCandidate:
        """One upload by id, with its duration and channel."""
        url = self.options.watch_url.format(id=video_id)

        def run() -> Any:
            with self._ydl() as ydl:
                return ydl.extract_info(url, download=False, process=False)

        info = await self._with_retries(f"video {video_id}", run)
        found = _candidate(info, self.options)
        if found is None:
            raise VideoUnavailable(_SERVICE, f"no video at {url}")
        return found

    async def playlist(self, list_id: str) -> list[VideoCandidate]:
        """A playlist's uploads in order."""
        url = self.options.playlist_url.format(id=list_id)

        def run() -> Any:
            with self._ydl(extract_flat="in_playlist", noplaylist=False) as ydl:
                return ydl.extract_info(url, download=False)

        info = await self._with_retries(f"playlist {list_id}", run)
        return [v for v in (_candidate(e, self.options) for e in _entries(info)) if v is not None]

    async def download(
        self,
        video: VideoCandidate,
        dest_dir: Path,
        *,
        progress: Callable[[DownloadProgress], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> Path:
        """The best audio-only stream of ``video`` as ``dest_dir/<id>.<ext>``.

        A ``.part`` file from an earlier attempt or process is continued with
        an HTTP range request (yt-dlp's ``continuedl``), so a restart does not
        fetch the whole file again and leaves one file.
        """
        safe_id = "".join(c for c in video.id if c.isalnum() or c in "-_")[:64] or "video"

        def hook(status: dict[str, Any]) -> None:
            if cancel is not None and cancel.is_set():
                raise VideoDownloadCancelled(_SERVICE, "download cancelled")
            if progress is not None and status.get("status") in ("downloading", "finished"):
                total = status.get("total_bytes") or status.get("total_bytes_estimate")
                progress(
                    DownloadProgress(
                        int(status.get("downloaded_bytes") or 0),
                        int(total) if total else None,
                        float(status.get("speed") or 0.0),
                    )
                )

        def run() -> Path:
            dest_dir.mkdir(parents=True, exist_ok=True)
            params = {
                # Audio only: "bestaudio" never picks a format that carries video.
                "format": "bestaudio",
                "outtmpl": {"default": f"{safe_id}.%(ext)s"},
                "paths": {"home": str(dest_dir), "temp": str(dest_dir)},
                "continuedl": True,
                "nopart": False,
                "overwrites": False,
                "restrictfilenames": True,
                "progress_hooks": [hook],
                "postprocessors": [],
            }
            with self._ydl(**params) as ydl:
                info = ydl.extract_info(video.url, download=True)
                path = _downloaded_path(info, ydl)
            if path is None or not path.is_file():
                raise VideoUnavailable(_SERVICE, f"yt-dlp reported no file for {video.url}")
            return path

        started = time.monotonic()
        path: Path = await self._with_retries(f"download {video.id}", run)
        log.info("downloaded %s in %.1fs -> %s", video.url, time.monotonic() - started, path.name)
        return path


# -- helpers ------------------------------------------------------------------------------


class _YtLogger:
    """Sends yt-dlp's messages to our log instead of stdout."""

    def debug(self, msg: str) -> None:
        log.debug("yt-dlp: %s", msg)

    def info(self, msg: str) -> None:
        log.debug("yt-dlp: %s", msg)

    def warning(self, msg: str) -> None:
        log.info("yt-dlp: %s", msg)

    def error(self, msg: str) -> None:
        log.info("yt-dlp: %s", msg)


def _deno_from_wheel() -> str | None:
    """The ``deno`` binary the PyPI wheel installs beside this interpreter, if any."""
    import sys

    candidate = Path(sys.executable).parent / ("deno.exe" if os.name == "nt" else "deno")
    return str(candidate) if candidate.is_file() else None


def _entries(info: Any) -> list[dict[str, Any]]:
    if not isinstance(info, dict):
        return []
    entries = info.get("entries")
    if entries is None:
        return [info]
    return [e for e in entries if isinstance(e, dict)]


def _candidate(entry: Any, options: YouTubeOptions) -> VideoCandidate | None:
    if not isinstance(entry, dict) or not entry.get("id"):
        return None
    vid = str(entry["id"])
    url = entry.get("webpage_url") or entry.get("url") or ""
    if not str(url).startswith(("http://", "https://")):
        url = options.watch_url.format(id=vid)
    duration = entry.get("duration")
    views = entry.get("view_count")
    return VideoCandidate(
        id=vid,
        title=str(entry.get("title") or ""),
        channel=str(entry.get("channel") or entry.get("uploader") or ""),
        url=str(url),
        duration_ms=int(float(duration) * 1000) if duration else None,
        channel_verified=bool(entry.get("channel_is_verified")),
        view_count=int(views) if isinstance(views, int | float) else None,
    )


def _downloaded_path(info: Any, ydl: Any) -> Path | None:
    if not isinstance(info, dict):
        return None
    for item in info.get("requested_downloads") or ():
        path = item.get("filepath") or item.get("_filename")
        if path:
            return Path(path)
    name = info.get("filepath") or info.get("_filename") or ydl.prepare_filename(info)
    return Path(name) if name else None


def _status_of(exc: BaseException) -> int | None:
    """The HTTP status behind a yt-dlp error, following its wrapped causes."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        status = getattr(current, "status", None) or getattr(current, "code", None)
        if isinstance(status, int) and 100 <= status < 600:
            return status
        wrapped = getattr(current, "exc_info", None)
        nxt = wrapped[1] if isinstance(wrapped, tuple) and len(wrapped) > 1 else None
        current = nxt if isinstance(nxt, BaseException) else current.__cause__
    return None


def _is_network(exc: BaseException) -> bool:
    from yt_dlp.networking.exceptions import TransportError

    current: BaseException | None = exc
    seen: set[int] = set()
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, TransportError | ConnectionError | TimeoutError):
            return True
        wrapped = getattr(current, "exc_info", None)
        nxt = wrapped[1] if isinstance(wrapped, tuple) and len(wrapped) > 1 else None
        current = nxt if isinstance(nxt, BaseException) else current.__cause__
    return False


def _classify(exc: BaseException, what: str) -> ProviderError:
    """Transient (:class:`ServiceUnavailable`) or final (:class:`VideoUnavailable`)."""
    if isinstance(exc, ProviderError):
        return exc
    message = str(exc).replace("ERROR: ", "").strip() or type(exc).__name__
    status = _status_of(exc)
    if status is None:
        # yt-dlp's downloader reports some failures as text only ("HTTP Error 503: …").
        found = re.search(r"HTTP Error (\d{3})", message)
        status = int(found.group(1)) if found else None
    lowered = message.lower()
    if status is not None:
        if status == 429 or status >= 500:
            return ServiceUnavailable(_SERVICE, f"{what}: HTTP {status}")
        return VideoUnavailable(_SERVICE, f"{what}: HTTP {status}: {message[:200]}")
    if _is_network(exc) or any(word in lowered for word in _TRANSIENT_WORDS):
        return ServiceUnavailable(_SERVICE, f"{what}: {message[:200]}")
    return VideoUnavailable(_SERVICE, f"{what}: {message[:200]}")


def _conforms(source: YtDlpSource) -> VideoSource:
    # Never called: mypy checks that the yt-dlp source satisfies the port.
    return source
