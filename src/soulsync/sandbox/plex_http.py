"""HTTP plumbing of the Plex simulator: responses, errors, and the outermost gate.

The gate counts every request, then answers 503 when the simulator is
``down`` and 401 without the right ``X-Plex-Token`` (header or query), as
Plex does, before any route runs. It logs requests without token values.
"""

from __future__ import annotations

import collections
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import unquote

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

XML = "text/xml;charset=utf-8"


class GateTarget(Protocol):
    """What the gate needs from the simulator: its knobs and its counters."""

    token: str
    down: bool
    requests: collections.Counter[str]
    request_log: collections.deque[RequestRecord]


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One request as the simulator saw it (no token values are kept)."""

    method: str
    path: str
    query: str
    container_start: str | None
    container_size: str | None
    token_in_query: bool
    status: int


class HttpError(Exception):
    """Answer the request with this status (plain HTML body, as Plex does)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def xml_response(body: str, status: int = 200) -> Response:
    """An XML document response."""
    return Response(body, status, media_type=XML)


def html_error(status: int, title: str) -> Response:
    """A small HTML error page, the way Plex answers 401/404/503."""
    body = f"<html><head><title>{title}</title></head><body><h1>{status} {title}</h1></body></html>"
    return Response(body, status, media_type="text/html")


def masked_query(scope: Scope) -> str:
    """The query string with any token value replaced by ``***``."""
    raw = scope.get("query_string", b"").decode("latin-1")
    parts = [
        p if not p.lower().startswith("x-plex-token=") else "X-Plex-Token=***"
        for p in raw.split("&")
    ]
    return "&".join(p for p in parts if p)


class Gate:
    """Outermost layer: count every request, then apply ``down`` and the token check."""

    def __init__(self, app: ASGIApp, sim: GateTarget) -> None:
        self.app = app
        self.sim = sim

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sim = self.sim
        method = scope["method"]
        path = scope["path"]
        sim.requests[f"{method} {path}"] += 1
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        query = scope.get("query_string", b"").decode("latin-1")
        query_token = None
        for part in query.split("&"):
            name, _, value = part.partition("=")
            if name.lower() == "x-plex-token":
                query_token = unquote(value)
        token = headers.get("x-plex-token") or query_token

        async def record_send(message: Message) -> None:
            # Logged before the response leaves, so a client that has its answer
            # always finds its request in the log (tests read it right away).
            if message["type"] == "http.response.start":
                sim.request_log.append(
                    RequestRecord(
                        method=method,
                        path=path,
                        query=masked_query(scope),
                        container_start=headers.get("x-plex-container-start"),
                        container_size=headers.get("x-plex-container-size"),
                        token_in_query=query_token is not None,
                        status=int(message["status"]),
                    )
                )
            await send(message)

        if sim.down:
            await html_error(503, "Service Unavailable")(scope, receive, record_send)
        elif token != sim.token:
            await html_error(401, "Unauthorized")(scope, receive, record_send)
        else:
            await self.app(scope, receive, record_send)
