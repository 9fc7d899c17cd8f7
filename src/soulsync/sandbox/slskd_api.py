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
    return Response(message, status_code=status, media_type="text/plain")


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
        if request.headers.get("x-api-key") != sim.api_key:
            sim.counters.unauthorized += 1
            return Response(status_code=401)
        response: Response = await call_next(request)
        return response

    @app.get(API + "/application/version")
    def version() -> JSONResponse:
        return JSONResponse(sim.version)

    @app.get(API + "/server")
    def server() -> JSONResponse:
        state = sim.server_state
        return JSONResponse(
            {
                "address": "vps.slsknet.org:2271",
                "state": state,
                "isConnected": state.startswith("Connected"),
                "isLoggedIn": "LoggedIn" in state,
                "isTransitioning": "ing," in state or state.endswith("ing"),
            }
        )

    # -- searches --------------------------------------------------------------------

    @app.post(API + "/searches")
    async def post_search(request: Request) -> Response:
        try:
            body = await request.json()
        except ValueError:
            return _error(400, "A non-empty request body is required.")
        if not isinstance(body, dict) or not str(body.get("searchText") or "").strip():
            return _error(400, "The SearchText field is required.")
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
            return _error(400, f"The value '{transfer_id}' is not valid.")
        with sim.lock:
            t = sim.transfers.get(transfer_id)
            if t is None or t.username != username or t.removed:
                return _error(404, "Not Found")
            return JSONResponse(t.to_json())

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
        if not _is_guid(transfer_id):
            return _error(400, f"The value '{transfer_id}' is not valid.")
        with sim.lock:
            t = sim.transfers.get(transfer_id)
            if t is None or t.username != username or t.removed:
                return _error(404, "Not Found")
            t.cancel()
            if remove:
                t.removed = True
            return Response(status_code=204)

    @app.post(API + "/transfers/downloads/{username}")
    async def enqueue(username: str, request: Request) -> Response:
        sim.counters.enqueue_requests += 1
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

    @app.get(API + "/users/{username}/status")
    def status(username: str) -> Response:
        peer = sim.peers.get(username)
        if peer is None:
            return _error(404, "Not Found")
        online = peer.behaviour != "offline"
        return JSONResponse({"presence": "Online" if online else "Offline", "isPrivileged": False})

    return app


async def _enqueue(sim: SimulatorState, username: str, body: list[Any]) -> Response:
    peer = sim.peers.get(username)
    if peer is None or peer.behaviour == "offline":
        # Soulseek.NET cannot reach the user; slskd lets the exception become a 500.
        return _error(500, f"Failed to enqueue: user {username} appears to be offline")
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
                failed.append(
                    {"filename": filename, "size": size, "error": "File is already queued"}
                )
                continue
            real_size = sim.size_of(share) if share else size
            transfer = SimTransfer(username, filename, real_size, source)
            sim.transfers[transfer.id] = transfer
            sim.counters.files_enqueued += 1
            enqueued.append(transfer.to_json())
    if sim.legacy_enqueue_response:
        return Response(status_code=201)
    return JSONResponse({"enqueued": enqueued, "failed": failed}, status_code=201)
