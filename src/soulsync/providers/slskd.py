"""The slskd client: searches, downloads and folder listings through slskd's REST API.

This is our own small httpx client rather than the ``slskd-api`` package:
that wrapper is AGPL-3.0 (which would bind SoulSync's licence), synchronous,
thin, and hides what matters here - it raises on any non-2xx without telling
a 429 from a 500, and knows nothing of the pacing and the ``endedAt`` race.

What it does right, and why (``shared/reference/soulseek-and-slskd.md``):

* every search goes through the process-wide :class:`SearchPacer` (window
  budget, minimum gap, one POST at a time, 429 → backoff and retry);
* after POSTing a search it polls until ``endedAt`` is present - slskd marks
  a search ``Completed`` a moment before it stores the responses, so reading
  them on ``isComplete`` alone can return nothing - then reads
  ``/responses`` and DELETEs the search so slskd does not keep it forever
  (:mod:`.slskd_search`);
* finished files are found by slskd's own rule (:mod:`.slskd_files`), never
  by a fuzzy search over the downloads folder, and hostile remote names are
  refused before they are enqueued or resolved;
* errors become :mod:`soulsync.providers.base` errors with messages fit for a
  user; the API key is registered with the log mask and never logged.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import httpx
from pydantic import SecretStr

from soulsync.domain import SearchResponse, SoulseekFile
from soulsync.logging_setup import register_secret
from soulsync.providers.base import (
    AuthError,
    ConnectionStatus,
    NotFound,
    ProviderError,
    RateLimited,
    ServiceUnavailable,
)
from soulsync.providers.slskd_errors import (
    LOGGED_OUT_WORDING,
    SERVICE,
    InvalidSearch,
    NotLoggedIn,
    PeerUnavailable,
    UnusablePeerName,
    brief_error,
    peer_segment,
    retry_after_s,
)
from soulsync.providers.slskd_files import (
    DEFAULT_SUBDIRECTORY,
    LEGACY_LAYOUT,
    SlskdLayout,
    locate_download,
    slskd_relative_path,
)
from soulsync.providers.slskd_models import (
    EnqueueResult,
    SlskdTransfer,
    directory_files,
    transfer_from_json,
    transfers_from_groups,
)
from soulsync.providers.slskd_pacer import PacerSettings, SearchPacer, shared_pacer
from soulsync.providers.slskd_search import SearchProgressCallback, run_search

if TYPE_CHECKING:
    from soulsync.config import Settings

log = logging.getLogger(__name__)

API_PREFIX = "/api/v0"
# An enqueue may wait for slskd's 10 s peer connect timeout: allow well beyond it.
ENQUEUE_TIMEOUT_S = 30.0
ENQUEUE_429_RETRIES = 5

__all__ = [
    "EnqueueResult",
    "InvalidSearch",
    "NotLoggedIn",
    "PeerUnavailable",
    "SlskdClient",
    "SlskdTransfer",
    "UnusablePeerName",
    "peer_segment",
]


class SlskdClient:
    """Async client for one slskd instance. Use ``async with`` or call :meth:`aclose`."""

    def __init__(
        self,
        url: str,
        api_key: SecretStr | str,
        *,
        downloads_dir: Path | None = None,
        destination_subdirectory: str | None = None,
        pacer: SearchPacer | None = None,
        timeout_s: float = 15.0,
        poll_interval_s: float = 0.5,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        key = api_key.get_secret_value() if isinstance(api_key, SecretStr) else api_key
        register_secret(key)
        self.url = url.rstrip("/")
        self.downloads_dir = downloads_dir
        # slskd 0.26's destination template, used only when slskd's /options cannot be read.
        self.destination_subdirectory = destination_subdirectory
        self._layout: SlskdLayout | None = None
        # slskd 0.26+ retries failed downloads itself (transfers.download.retry.attempts).
        self.retry_attempts: int | None = None
        # First wait after an enqueue 429; doubled per retry (0.5 s: 15.5 s in all).
        self.enqueue_backoff_s = 0.5
        self.pacer = pacer or shared_pacer()
        self.poll_interval_s = poll_interval_s
        self._http = httpx.AsyncClient(
            base_url=self.url + API_PREFIX,
            headers={"X-API-Key": key, "Accept": "application/json"},
            timeout=timeout_s,
            transport=transport,
        )

    @classmethod
    def from_settings(cls, settings: Settings, **kwargs: Any) -> SlskdClient:
        """Build from :class:`soulsync.config.Settings` (uses the shared pacer with its limits)."""
        sl = settings.slskd
        pacer = shared_pacer(
            PacerSettings(
                max_per_window=sl.searches_per_window, window_s=sl.window_s, min_gap_s=sl.min_gap_s
            )
        )
        return cls(
            sl.url,
            sl.api_key,
            downloads_dir=settings.slskd_downloads_dir,
            destination_subdirectory=sl.destination_subdirectory,
            pacer=pacer,
            **kwargs,
        )

    async def aclose(self) -> None:
        """Close the HTTP connection pool."""
        await self._http.aclose()

    async def __aenter__(self) -> SlskdClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # -- plumbing ----------------------------------------------------------------------

    async def _request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        allow: frozenset[int] = frozenset(),
        timeout_s: float | None = None,
    ) -> httpx.Response:
        """One call; maps transport failures and error statuses to provider errors.

        Statuses in ``allow`` are returned to the caller instead of raising.
        """
        extra: dict[str, Any] = {} if timeout_s is None else {"timeout": timeout_s}
        try:
            response = await self._http.request(method, path, json=json, params=params, **extra)
        except httpx.ConnectError as exc:
            raise ServiceUnavailable(SERVICE, f"slskd is not reachable at {self.url}") from exc
        except httpx.TimeoutException as exc:
            raise ServiceUnavailable(
                SERVICE, f"slskd at {self.url} did not answer in time ({method} {path})"
            ) from exc
        except httpx.TransportError as exc:
            raise ServiceUnavailable(
                SERVICE, f"slskd at {self.url} failed: {type(exc).__name__}"
            ) from exc
        status = response.status_code
        if status < 400 or status in allow:
            return response
        if status in (401, 403):
            raise AuthError(
                SERVICE,
                f"slskd at {self.url} refused the API key ({status}); check slskd.api_key",
            )
        if status == 404:
            raise NotFound(SERVICE, f"not found: {method} {path}")
        if status == 429:
            raise RateLimited(
                SERVICE,
                f"slskd is busy (429): {brief_error(response)}",
                retry_after_s(response) or 1.0,
            )
        if status >= 500:
            raise ServiceUnavailable(
                SERVICE, f"slskd error {status} on {method} {path}: {brief_error(response)}"
            )
        raise ProviderError(
            SERVICE, f"slskd refused {method} {path} ({status}): {brief_error(response)}"
        )

    # -- connection --------------------------------------------------------------------

    async def version(self) -> str:
        """slskd's version string, e.g. ``"0.24.1"``."""
        response = await self._request("GET", "/application/version")
        try:
            value = response.json()
        except ValueError:
            return response.text.strip()
        return str(value)

    async def application(self) -> dict[str, Any]:
        """``GET /application``: version, server connection, shares… ({} if slskd lacks it)."""
        response = await self._request("GET", "/application", allow=frozenset({404}))
        if response.status_code == 404:
            return {}
        data = response.json()
        return data if isinstance(data, dict) else {}

    async def layout(self, *, refresh: bool = False) -> SlskdLayout:
        """How this slskd lays out finished files (detected once, then cached).

        The version comes from ``GET /application`` (``version.current``; the
        ``State`` record of ``Core/State.cs``), else ``/application/version``.
        For 0.26+ the destination template and the retry count are read from
        ``GET /options`` (``transfers.download``, ``Core/Options.cs``); if that
        cannot be read, the configured ``destination_subdirectory`` is used.
        """
        if self._layout is not None and not refresh:
            return self._layout
        app = await self.application()
        version_info = app.get("version")
        text = ""
        if isinstance(version_info, dict):
            text = str(version_info.get("current") or version_info.get("full") or "")
        version = SlskdLayout.parse_version(text or await self.version())
        layout = SlskdLayout(version, self.destination_subdirectory or DEFAULT_SUBDIRECTORY)
        if layout.templated:
            download = await self._download_options()
            destination = download.get("destination")
            template = destination.get("subdirectory") if isinstance(destination, dict) else None
            if isinstance(template, str) and template.strip():
                layout = SlskdLayout(version, template)
            retry = download.get("retry")
            attempts = retry.get("attempts") if isinstance(retry, dict) else None
            self.retry_attempts = int(attempts) if isinstance(attempts, int) else 3
        self._layout = layout
        log.debug("slskd %s, download layout %s", text, layout)
        return layout

    @property
    def known_layout(self) -> SlskdLayout:
        """The detected layout, or the 0.22-0.25 one before :meth:`layout` ran."""
        return self._layout or LEGACY_LAYOUT

    async def _download_options(self) -> dict[str, Any]:
        response = await self._request("GET", "/options", allow=frozenset({401, 403, 404}))
        if response.status_code != 200:
            return {}
        data = response.json()
        transfers = data.get("transfers") if isinstance(data, dict) else None
        download = transfers.get("download") if isinstance(transfers, dict) else None
        return download if isinstance(download, dict) else {}

    async def server_state(self) -> dict[str, Any]:
        """slskd's connection to the Soulseek server (``state``, ``isLoggedIn``, ...)."""
        data = (await self._request("GET", "/server")).json()
        return data if isinstance(data, dict) else {}

    async def test_connection(self) -> ConnectionStatus:
        """Reachable, key accepted, and logged in to the Soulseek network?"""
        try:
            version = await self.version()
            server = await self.server_state()
        except ProviderError as exc:
            return ConnectionStatus(SERVICE, False, exc.message)
        state = str(server.get("state", "unknown"))
        if not (server.get("isConnected") and server.get("isLoggedIn")):
            return ConnectionStatus(
                SERVICE, False, f"slskd {version} is up but not logged in to Soulseek ({state})"
            )
        return ConnectionStatus(SERVICE, True, f"slskd {version}, {state}")

    # -- searches ----------------------------------------------------------------------

    async def search(
        self,
        query: str,
        *,
        timeout_ms: int = 8000,
        response_limit: int = 100,
        file_limit: int = 10000,
        minimum_peer_upload_speed: int = 0,
        maximum_peer_queue_length: int = 1_000_000,
        minimum_response_file_count: int = 1,
        max_wait_s: float | None = None,
        on_progress: SearchProgressCallback | None = None,
    ) -> list[SearchResponse]:
        """Run one paced search and return every peer's response.

        ``timeout_ms`` is slskd's ``searchTimeout`` (idle time after the last
        response). ``max_wait_s`` bounds the whole wait (default: three times
        the timeout plus 30 s); past it the search is stopped, and if slskd
        still does not finalise it within 10 s, ``ServiceUnavailable`` is raised.
        ``on_progress`` is called once the search is posted and then whenever
        the answering peer or file count changes (for live search pages).

        Raises:
            InvalidSearch: slskd refused the text (400), e.g. only one-letter terms.
            NotLoggedIn: slskd is not connected to the Soulseek network (409).
            RateLimited: slskd kept answering 429 through every retry.
            ServiceUnavailable, AuthError: slskd is down or the key is wrong.
        """
        if not query.strip():
            raise ValueError("search query is empty")
        body = {
            "id": str(uuid.uuid4()),
            "searchText": query,
            "searchTimeout": timeout_ms,
            "responseLimit": response_limit,
            "fileLimit": file_limit,
            "filterResponses": True,
            "minimumPeerUploadSpeed": minimum_peer_upload_speed,
            "maximumPeerQueueLength": maximum_peer_queue_length,
            "minimumResponseFileCount": minimum_response_file_count,
        }
        limit = max_wait_s if max_wait_s is not None else 3 * timeout_ms / 1000 + 30
        return await run_search(
            self._request,
            self.pacer,
            body,
            limit_s=limit,
            poll_interval_s=self.poll_interval_s,
            on_progress=on_progress,
        )

    # -- transfers ---------------------------------------------------------------------

    async def enqueue(
        self, username: str, files: Sequence[SoulseekFile | tuple[str, int]]
    ) -> EnqueueResult:
        """Ask slskd to download ``files`` from ``username``.

        Hostile remote names are refused here (:class:`UnsafeRemoteName`)
        before slskd sees them. A file already queued from that user comes
        back in ``failed``.

        Raises:
            PeerUnavailable: the user is offline (slskd answers 500).
        """
        items = [
            (f.filename, f.size) if isinstance(f, SoulseekFile) else (str(f[0]), int(f[1]))
            for f in files
        ]
        if not items:
            raise ValueError("nothing to enqueue")
        layout = await self.layout()
        for name, _ in items:
            slskd_relative_path(name, layout, username)  # raises UnsafeRemoteName
        body = [{"filename": name, "size": size} for name, size in items]
        path = f"/transfers/downloads/{peer_segment(username)}"
        response = await self._enqueue_post(path, body, username)
        data = response.json() if response.content else None
        if isinstance(data, dict) and "enqueued" in data:
            enqueued = tuple(transfer_from_json(t) for t in data.get("enqueued") or [])
            failed = tuple(
                str(f.get("filename", "")) if isinstance(f, dict) else str(f)
                for f in data.get("failed") or []
            )
            return EnqueueResult(enqueued, failed)
        # slskd < 0.24 answers an empty 201: find the new transfers in the user's list.
        wanted = {name for name, _ in items}
        mine = [t for t in await self.transfers(username) if t.filename in wanted]
        newest: dict[str, SlskdTransfer] = {}
        for t in sorted(mine, key=lambda t: t.requested_at.timestamp() if t.requested_at else 0.0):
            newest[t.filename] = t  # a later request of the same file wins
        return EnqueueResult(tuple(newest.values()), tuple(n for n, _ in items if n not in newest))

    async def _enqueue_post(
        self, path: str, body: list[dict[str, Any]], username: str
    ) -> httpx.Response:
        """POST an enqueue, waiting out slskd's two enqueue slots.

        slskd holds a slot while it reaches the peer (Soulseek.NET's 10 s connect
        timeout) and answers a third concurrent enqueue with 429
        (``TransfersController.EnqueueAsync``: ``SemaphoreSlim(2, 2)``). So the
        request may take over 10 s, and 429s are retried over more than 10 s
        (0.5 + 1 + 2 + 4 + 8 s) before giving up with :class:`RateLimited` -
        never a false "peer offline".
        """
        for attempt in range(ENQUEUE_429_RETRIES + 1):
            response = await self._request(
                "POST",
                path,
                json=body,
                allow=frozenset({429, 500}),
                timeout_s=ENQUEUE_TIMEOUT_S,
            )
            if response.status_code == 500 and LOGGED_OUT_WORDING in response.text:
                # Soulseek.NET's "must be connected and logged in" surfaces as a 500 here.
                raise NotLoggedIn(brief_error(response))
            if response.status_code == 500:
                raise PeerUnavailable(
                    SERVICE, f"could not enqueue from {username}: {brief_error(response)}"
                )
            if response.status_code != 429:
                return response
            if attempt < ENQUEUE_429_RETRIES:
                await asyncio.sleep(self.enqueue_backoff_s * 2**attempt)
        raise RateLimited(SERVICE, "slskd kept refusing the enqueue (429)", 2.0)

    async def transfer(self, username: str, transfer_id: str) -> SlskdTransfer:
        """One download's current state.

        Raises:
            NotFound: slskd does not know it (or it was removed).
        """
        path = f"/transfers/downloads/{peer_segment(username)}/{quote(transfer_id, safe='')}"
        return transfer_from_json((await self._request("GET", path)).json())

    async def transfers(
        self, username: str | None = None, *, include_removed: bool = False
    ) -> list[SlskdTransfer]:
        """All downloads (or one user's), flattened. A user without downloads gives []."""
        if username is None:
            data = (
                await self._request(
                    "GET",
                    "/transfers/downloads",
                    params={"includeRemoved": str(include_removed).lower()},
                )
            ).json()
            return transfers_from_groups(data or [])
        path = f"/transfers/downloads/{peer_segment(username)}"
        response = await self._request("GET", path, allow=frozenset({404}))
        if response.status_code == 404:
            return []
        return transfers_from_groups([response.json()])

    async def queue_position(self, username: str, transfer_id: str) -> int | None:
        """Place in the peer's upload queue, if slskd knows one."""
        path = (
            f"/transfers/downloads/{peer_segment(username)}/{quote(transfer_id, safe='')}/position"
        )
        response = await self._request("GET", path, allow=frozenset({404}))
        if response.status_code == 404:
            return None
        value = response.json()
        return int(value) if isinstance(value, int | float) else None

    async def cancel(self, username: str, transfer_id: str, *, remove: bool = False) -> None:
        """Cancel a download; with ``remove`` also drop it from slskd's lists."""
        path = f"/transfers/downloads/{peer_segment(username)}/{quote(transfer_id, safe='')}"
        await self._request("DELETE", path, params={"remove": str(remove).lower()})

    async def clear_completed(self) -> None:
        """Remove every finished download from slskd's lists (files stay on disk)."""
        await self._request("DELETE", "/transfers/downloads/all/completed")

    # -- users -------------------------------------------------------------------------

    async def directory(self, username: str, directory: str) -> list[SoulseekFile]:
        """The files of one remote folder (full remote paths), e.g. to fetch a whole album.

        Raises:
            PeerUnavailable: the user is offline or did not answer.
        """
        path = f"/users/{peer_segment(username)}/directory"
        response = await self._request(
            "POST", path, json={"directory": directory}, allow=frozenset({404, 500})
        )
        if response.status_code in (404, 500):
            raise PeerUnavailable(
                SERVICE, f"could not list {directory!r} from {username}: {brief_error(response)}"
            )
        return directory_files(username, response.json(), directory)

    # -- files -------------------------------------------------------------------------

    def local_file(
        self, remote_filename: str, *, not_before: float | None = None, username: str = ""
    ) -> Path:
        """Where slskd saved a finished download (see :mod:`.slskd_files`).

        Uses the layout :meth:`layout` detected (0.22-0.25 rule until then);
        ``username`` fills a ``${SOURCE_USERNAME}`` in slskd 0.26's template.

        Raises:
            UnsafeRemoteName: the remote name could resolve outside the downloads folder.
            NotFound: no file of that name is in the expected folder.
            ProviderError: no downloads folder is configured.
        """
        if self.downloads_dir is None:
            raise ProviderError(SERVICE, "slskd.downloads_dir is not configured")
        layout = self.known_layout
        found = locate_download(
            self.downloads_dir,
            remote_filename,
            not_before=not_before,
            layout=layout,
            username=username,
        )
        if found is None:
            local = slskd_relative_path(remote_filename, layout, username)
            raise NotFound(
                SERVICE,
                f"finished download not found at {self.downloads_dir / local.relative} "
                "(nor with a _<ticks> suffix)",
            )
        return found

    def local_file_for(self, transfer: SlskdTransfer, *, slack_s: float = 5.0) -> Path:
        """The file a succeeded transfer wrote; older files of the same name are ignored.

        Files last modified more than ``slack_s`` before the transfer was
        requested belong to an earlier download and are never returned.

        Raises:
            ProviderError: the transfer did not succeed.
            UnsafeRemoteName, NotFound: as :meth:`local_file`.
        """
        if not transfer.succeeded:
            raise ProviderError(
                SERVICE, f"transfer {transfer.id} has no file (state {transfer.state})"
            )
        since = transfer.requested_at.timestamp() - slack_s if transfer.requested_at else None
        return self.local_file(transfer.filename, not_before=since, username=transfer.username)
