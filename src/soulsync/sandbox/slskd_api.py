"""The HTTP routes of the slskd simulator (``/api/v0``), over the simulator's state.

Kept apart from the simulator's state and clock (:mod:`soulsync.sandbox.slskd`);
see that module for what is reproduced and the knobs.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from soulsync.sandbox.catalogue import SharedFile
from soulsync.sandbox.slskd_search import file_payload
from soulsync.sandbox.slskd_state import SimulatorState
from soulsync.sandbox.slskd_transfers import SimTransfer, has_traversal

API = "/api/v0"
TOO_MANY = (
    "Only one concurrent operation is permitted. Wait until the existing operation "
    "completes and try again"
)


def _error(status: int, message: str) -> Response:
    """An error as slskd sends it: its controllers are ``[Produces("application/json")]``,
    so ``BadRequest("…")`` and ``StatusCode(429, "…")`` arrive as a JSON *string*.
    """
    return JSONResponse(message, status_code=status)


def _problem(status: int, title: str) -> Response:
    """ASP.NET's ProblemDetails, as for a bare ``NotFound()`` or a wrong content type."""
    body = {
        "type": f"https://tools.ietf.org/html/rfc9110#section-15.5.{status - 399}",
        "title": title,
        "status": status,
        "traceId": f"00-{uuid.uuid4().hex}-{uuid.uuid4().hex[:16]}-00",
    }
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


def _json_body(request: Request) -> bool:
    """``[Consumes("application/json")]``: anything else is refused with 415."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return kind == "application/json" or kind.endswith("+json")


def search_refusal(sim: SimulatorState, body: Any) -> Response | None:
    """The 400/409 slskd gives a search request before starting it, or None.

    In slskd's order: model validation (``SearchRequest``'s ``[Range(5, …)]``
    on ``searchTimeout`` and its ``Validate``), then Soulseek.NET's
    ``SearchAsync`` - empty text, no term, not logged in (``InvalidOperationException``
    → 409), and no term longer than one character once those are dropped
    (``ArgumentException`` → 400). See ``SearchesController.cs`` and
    ``Search/API/DTO/SearchRequest.cs`` in slskd/slskd, ``SoulseekClient.cs``
    in jpdillingham/Soulseek.NET.
    """
    if not isinstance(body, dict):
        return _error(400, "The request body is not a valid search request.")
    timeout = body.get("searchTimeout")
    if isinstance(timeout, int | float) and timeout < 5:
        return _error(400, "The field SearchTimeout must be between 5 and 2147483647.")
    text = str(body.get("searchText") or "")
    if not text.strip():
        return _error(
            400, "The field SearchText can not be null, empty, or consist of only whitespace"
        )
    tokens = [t for t in text.split(" ")]
    exclusions = {t for t in tokens if t.startswith("-") and len(t) > 1}
    terms = [t for t in tokens if t not in exclusions]
    if not terms:
        return _error(
            400, "Search query must contain at least one non-exclusion term (Parameter 'query')"
        )
    if "LoggedIn" not in sim.server_state:
        return _error(
            409,
            "The server connection must be connected and logged in to perform a search "
            f"(currently: {sim.server_state})",
        )
    if not any(len(t.encode("utf-16-le")) > 2 for t in terms):
        return _error(
            400,
            "Search query must contain at least one non-exclusion term with length greater "
            "than 1 (Parameter 'query')",
        )
    return None


def _is_guid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def build_app(sim: SimulatorState) -> FastAPI:
    """The FastAPI app serving ``sim``'s state."""
    app = FastAPI(title="slskd (sandbox)", docs_url=None, redoc_url=None, openapi_url=None)

    @app.middleware("http")
    async def gate(request: Request, call_next: Any) -> Response:
        sim.counters.requests += 1
        if not request.url.path.startswith(API):
            return _error(404, "Not Found")
        if sim.unavailable:
            return _error(503, "Service Unavailable")
        anonymous = request.url.path == API + "/session/enabled"  # [AllowAnonymous]
        if not (sim.auth_disabled or anonymous) and request.headers.get("x-api-key") != sim.api_key:
            sim.counters.unauthorized += 1
            return Response(status_code=401)
        response: Response = await call_next(request)
        return response

    @app.get(API + "/application/version")
    def version() -> JSONResponse:
        return JSONResponse(sim.version)

    @app.get(API + "/application")
    def application() -> JSONResponse:
        # The State record of Core/State.cs (a subset of its parts).
        state = sim.server_state
        return JSONResponse(
            {
                "version": {
                    "full": f"{sim.version}.0-sandbox",
                    "current": sim.version,
                    "isCanary": False,
                    "isDevelopment": False,
                },
                "pendingReconnect": False,
                "pendingRestart": False,
                "server": _server_json(state),
                "user": {"username": "sandbox"},
                "shares": {"scanPending": False, "ready": True, "directories": 1, "files": 0},
                "rooms": [],
                "users": [],
            }
        )

    @app.get(API + "/options")
    def options() -> JSONResponse:
        # OptionsController.Current: the options, secrets redacted (Core/Options.cs).
        download: dict[str, Any] = {"slots": 2147483647, "speedLimit": 2147483647}
        if sim.modern:
            download["retry"] = {
                "attempts": sim.mode.retry_attempts,
                "delay": int(sim.mode.retry_delay_s * 1000),
                "maxDelay": int(sim.mode.retry_max_delay_s * 1000),
                "partial": "resume",
            }
            download["destination"] = {
                "subdirectory": sim.destination_subdirectory,
                "exists": "rename",
            }
        return JSONResponse(
            {
                "directories": {"downloads": str(sim.downloads_dir), "incomplete": "/incomplete"},
                "transfers": {"download": download},
                "web": {
                    "authentication": {"disabled": sim.auth_disabled, "apiKeys": "*****"},
                },
            }
        )

    @app.get(API + "/session")
    def session() -> Response:
        # Only reached with valid credentials (the gate refuses others with 401).
        return Response(status_code=200)

    @app.get(API + "/session/enabled")
    def session_enabled() -> JSONResponse:
        return JSONResponse(not sim.auth_disabled)

    @app.get(API + "/server")
    def server() -> JSONResponse:
        return JSONResponse(_server_json(sim.server_state))

    # -- searches --------------------------------------------------------------------

    @app.post(API + "/searches")
    async def post_search(request: Request) -> Response:
        if not _json_body(request):
            return _problem(415, "Unsupported Media Type")
        try:
            body = await request.json()
        except ValueError:
            return _error(400, "The request body is not valid JSON.")
        refusal = search_refusal(sim, body)
        if refusal is not None:
            sim.counters.searches_refused += 1
            return refusal
        with sim.lock:
            if sim._busy():
                sim.counters.searches_rejected_429 += 1
                return _error(429, TOO_MANY)
            if body.get("id") and str(body["id"]) in sim.searches:
                return _error(409, f"An active search with Id {body['id']} is already in progress.")
            window = sim.create_window_s
            sim._creating_until = time.monotonic() + window
            sim.counters.searches_posted += 1
            sim.counters.search_times.append(time.monotonic())
            search = sim._new_search(body)
            payload = search.to_json()
        # The "being created" window: slskd holds a semaphore while it sets the search up.
        await asyncio.sleep(window)
        return JSONResponse(payload)

    @app.get(API + "/searches")
    def list_searches() -> JSONResponse:
        with sim.lock:
            return JSONResponse([s.to_json() for s in sim.searches.values()])

    @app.get(API + "/searches/{search_id}")
    def get_search(search_id: str, includeResponses: bool = False) -> Response:  # noqa: N803
        with sim.lock:
            search = sim.searches.get(search_id)
            if search is None:
                return _error(404, "Not Found")
            return JSONResponse(search.to_json(include_responses=includeResponses))

    @app.get(API + "/searches/{search_id}/responses")
    def get_responses(search_id: str) -> Response:
        with sim.lock:
            search = sim.searches.get(search_id)
            if search is None:
                return _error(404, "Not Found")
            return JSONResponse(search.visible())

    @app.put(API + "/searches/{search_id}")
    def stop_search(search_id: str) -> Response:
        with sim.lock:
            search = sim.searches.get(search_id)
            if search is None:
                return _error(404, "Not Found")
            if not search.is_complete:
                if search.all_responses is None:
                    search.all_responses = []
                    if search.pending is not None:
                        search.pending.cancel()
                        search.pending = None
                sim._complete(search, "Completed, Cancelled")
            return Response(status_code=200)

    @app.delete(API + "/searches/{search_id}")
    def delete_search(search_id: str) -> Response:
        with sim.lock:
            if sim.searches.pop(search_id, None) is None:
                return _error(404, "Not Found")
            sim.counters.searches_deleted += 1
            return Response(status_code=204)

    # -- transfers -------------------------------------------------------------------

    @app.get(API + "/transfers/downloads")
    @app.get(API + "/transfers/downloads/")
    def all_downloads(includeRemoved: bool = False) -> JSONResponse:  # noqa: N803
        with sim.lock:
            items = [t for t in sim.transfers.values() if includeRemoved or not t.removed]
            return JSONResponse(sim._groups(items))

    @app.delete(API + "/transfers/downloads/all/completed")
    def clear_completed() -> Response:
        with sim.lock:
            for t in sim.transfers.values():
                if t.is_complete:
                    t.removed = True
            return Response(status_code=204)

    @app.get(API + "/transfers/downloads/{username}")
    def user_downloads(username: str) -> Response:
        with sim.lock:
            items = [t for t in sim.transfers.values() if t.username == username and not t.removed]
            if not items:
                return _error(404, "Not Found")
            return JSONResponse(sim._groups(items)[0])

    @app.get(API + "/transfers/downloads/{username}/{transfer_id}")
    def one_download(username: str, transfer_id: str) -> Response:
        if not _is_guid(transfer_id):
            return _problem(400, "Bad Request")
        with sim.lock:
            # GetDownload looks the id up among all records, removed ones included.
            t = sim.transfers.get(transfer_id)
            if t is None:
                return _problem(404, "Not Found")
            return JSONResponse(t.to_json(sim.mode))

    @app.get(API + "/transfers/downloads/{username}/{transfer_id}/position")
    def position(username: str, transfer_id: str) -> Response:
        if not _is_guid(transfer_id):
            return _error(400, f"The value '{transfer_id}' is not valid.")
        with sim.lock:
            t = sim.transfers.get(transfer_id)
            if t is None or t.username != username:
                return _error(404, "Not Found")
            return JSONResponse(t.place_in_queue or 0)

    @app.delete(API + "/transfers/downloads/{username}/{transfer_id}")
    def cancel(username: str, transfer_id: str, remove: bool = False) -> Response:
        # TransfersController.CancelDownloadAsync: TryCancel (asynchronous: the state
        # changes a moment later), then Remove. Remove touches finished records only:
        # 0.26 silently skips others (an unknown id too); 0.24 throws - NotFound → 404,
        # "remove before it is complete" → an uncaught InvalidOperationException → 500.
        if not _is_guid(transfer_id):
            return _problem(400, "Bad Request")
        with sim.lock:
            t = sim.transfers.get(transfer_id)
            if t is not None:
                t.request_cancel()
            if not remove:
                return Response(status_code=204)
            if t is None:
                return Response(status_code=204) if sim.modern else _problem(404, "Not Found")
            if t.is_complete:
                t.removed = True
            elif not sim.modern:
                return _error(500, "Invalid attempt to remove a download before it is complete")
            return Response(status_code=204)

    @app.post(API + "/transfers/downloads/{username}")
    async def enqueue(username: str, request: Request) -> Response:
        sim.counters.enqueue_requests += 1
        if not _json_body(request):
            return _problem(415, "Unsupported Media Type")
        try:
            body = await request.json()
        except ValueError:
            return _error(400, "A list of files is required.")
        if not isinstance(body, list) or not body:
            return _error(400, "At least one file is required.")
        names = [str(item.get("filename", "")) if isinstance(item, dict) else "" for item in body]
        if len(set(names)) != len(names):
            return _error(400, "Duplicate files are not allowed.")
        if any(has_traversal(n) for n in names):
            return _error(400, "Path traversal is not allowed.")
        with sim.lock:
            if sim._enqueues_in_flight >= 2:
                sim.counters.enqueue_rejected_429 += 1
                return _error(429, TOO_MANY)
            sim._enqueues_in_flight += 1
        try:
            if sim.enqueue_delay_s:
                await asyncio.sleep(sim.enqueue_delay_s)
            return await _enqueue(sim, username, body)
        finally:
            with sim.lock:
                sim._enqueues_in_flight -= 1

    # -- users -----------------------------------------------------------------------

    @app.post(API + "/users/{username}/directory")
    async def directory(username: str, request: Request) -> Response:
        sim.counters.directory_requests += 1
        body = await request.json()
        folder = str(body.get("directory", "")) if isinstance(body, dict) else ""
        if not folder:
            return _error(400, "The Directory field is required.")
        peer = sim.peers.get(username)
        if peer is None or peer.behaviour == "offline":
            return _error(404, f"User {username} appears to be offline")
        with sim.lock:
            shares = [
                s
                for s in sim.shares
                if s.username == username
                and not s.locked
                and s.filename.rsplit("\\", 1)[0] == folder.rstrip("\\")
            ]
        sizes = await asyncio.to_thread(lambda: [sim.size_of(s) for s in shares])
        files = [file_payload(s, n, bare_name=True) for s, n in zip(shares, sizes, strict=True)]
        return JSONResponse([{"name": folder, "fileCount": len(files), "files": files}])

    @app.get(API + "/users/{username}/browse")
    async def browse(username: str) -> Response:
        peer = sim.peers.get(username)
        if peer is None or peer.behaviour == "offline":
            return _error(404, f"User {username} appears to be offline")
        with sim.lock:
            shares = [s for s in sim.shares if s.username == username]
        sizes = await asyncio.to_thread(lambda: [sim.size_of(s) for s in shares])
        folders: dict[tuple[bool, str], list[dict[str, Any]]] = {}
        for share, size in zip(shares, sizes, strict=True):
            folder = share.filename.rsplit("\\", 1)[0]
            folders.setdefault((share.locked, folder), []).append(
                file_payload(share, size, bare_name=True)
            )

        def listing(locked: bool) -> list[dict[str, Any]]:
            return [
                {"name": name, "fileCount": len(files), "files": files}
                for (is_locked, name), files in folders.items()
                if is_locked == locked
            ]

        open_dirs, locked_dirs = listing(False), listing(True)
        return JSONResponse(
            {
                "directoryCount": len(open_dirs),
                "directories": open_dirs,
                "lockedDirectoryCount": len(locked_dirs),
                "lockedDirectories": locked_dirs,
            }
        )

    @app.get(API + "/users/{username}/info")
    def info(username: str) -> Response:
        peer = sim.peers.get(username)
        if peer is None or peer.behaviour == "offline":
            return _error(404, f"User {username} appears to be offline")
        return JSONResponse(
            {
                "description": f"{username}'s shares",
                "hasFreeUploadSlot": peer.has_free_upload_slot,
                "hasPicture": False,
                "queueLength": peer.queue_length,
                "uploadSlots": 2,
            }
        )

    @app.get(API + "/users/{username}/endpoint")
    def endpoint(username: str) -> Response:
        peer = sim.peers.get(username)
        if peer is None or peer.behaviour == "offline":
            return _error(404, f"User {username} appears to be offline")
        return JSONResponse(f"127.0.0.1:{2234 + sum(map(ord, username)) % 1000}")

    @app.get(API + "/users/{username}/status")
    def status(username: str) -> Response:
        peer = sim.peers.get(username)
        if peer is None:
            return _error(404, "Not Found")
        online = peer.behaviour != "offline"
        return JSONResponse({"presence": "Online" if online else "Offline", "isPrivileged": False})

    return app


def _server_json(state: str) -> dict[str, Any]:
    """The ``ServerState`` record (``Core/State.cs``): flags derived from the state string."""
    return {
        "address": "vps.slsknet.org:2271",
        "state": state,
        "isConnected": state.startswith("Connected"),
        "isConnecting": "Connecting" in state,
        "isLoggedIn": "LoggedIn" in state and "LoggingIn" not in state,
        "isLoggingIn": "LoggingIn" in state,
        "isTransitioning": "ing," in state or state.endswith("ing"),
    }


async def _enqueue(sim: SimulatorState, username: str, body: list[Any]) -> Response:
    if "LoggedIn" not in sim.server_state:
        # Users.GetIPEndPointAsync → Soulseek.NET's InvalidOperationException, caught by
        # TransfersController.EnqueueAsync's catch-all and sent as a 500 with its message.
        return _error(
            500,
            "The server connection must be connected and logged in to fetch user endpoint "
            f"(currently: {sim.server_state})",
        )
    peer = sim.peers.get(username)
    if peer is None or peer.behaviour == "offline":
        # slskd tries to reach the peer while holding one of its two enqueue slots
        # (10 s connect timeout), then the exception becomes a 500.
        await asyncio.sleep(sim.connect_timeout_s / max(sim.time_scale, 1e-9))
        return _error(500, f"User {username} appears to be offline")
    wanted: list[tuple[str, int, SharedFile | None]] = []
    for item in body:
        filename = str(item["filename"])
        wanted.append((filename, int(item.get("size") or 0), sim.find_share(username, filename)))
    sources = await asyncio.to_thread(
        lambda: [sim.audio_cache.ensure(s.audio) if s else None for _, _, s in wanted]
    )
    enqueued: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    with sim.lock:
        for (filename, size, share), source in zip(wanted, sources, strict=True):
            active = any(
                t.username == username and t.filename == filename and not t.is_complete
                for t in sim.transfers.values()
            )
            if active:
                failed.append({"filename": filename, "error": "Skipped: Already in progress"})
                continue
            real_size = sim.size_of(share) if share else size
            for old in sim.transfers.values():
                # The new record supersedes finished ones of the same file (EnqueueAsync).
                if old.username == username and old.filename == filename:
                    old.removed = True
            transfer = SimTransfer(username, filename, real_size, source)
            sim.transfers[transfer.id] = transfer
            sim.counters.files_enqueued += 1
            enqueued.append(transfer.to_json(sim.mode))
    if sim.legacy_enqueue_response:
        return Response(status_code=201)
    return JSONResponse({"enqueued": enqueued, "failed": failed}, status_code=201)
