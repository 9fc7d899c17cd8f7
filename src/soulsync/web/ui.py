"""Small helpers every page router shares: services, errors as messages, htmx triggers."""

from __future__ import annotations

import json
import logging
from typing import Annotated, Any

from fastapi import HTTPException, Path, Request, UploadFile
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from soulsync.providers.base import CoolingDown, ProviderError

log = logging.getLogger(__name__)

# A database row id in a path: SQLite integers are 64-bit, so anything larger
# is refused with 422 instead of overflowing into a 500.
RowId = Annotated[int, Path(ge=0, le=2**63 - 1)]


def services_of(request: Request) -> Any:
    """The app's ``AppServices`` (or None when the app runs without services)."""
    return request.app.state.services


def error_text(exc: BaseException) -> str:
    """A one-line message for a user; never a traceback."""
    if isinstance(exc, CoolingDown):
        return f"{exc.service} is cooling down after too many requests: {exc.message}"
    if isinstance(exc, ProviderError):
        return f"{exc.service}: {exc.message}"
    text = str(exc).strip() or type(exc).__name__
    return text[:400]


def error_response(request: Request, exc: BaseException | str, status: int = 400) -> Response:
    """An error as JSON for fetch() calls and as a short text for htmx (shown as a toast)."""
    message = exc if isinstance(exc, str) else error_text(exc)
    if "application/json" in request.headers.get("accept", "") and "hx-request" not in {
        k.lower() for k in request.headers
    }:
        return JSONResponse({"error": message}, status_code=status)
    # Plain text, never HTML: the message may carry what the request sent.
    return PlainTextResponse(message, status_code=status)


def with_toast(response: Response, message: str, kind: str = "ok", **more: Any) -> Response:
    """Ask the page (through htmx's HX-Trigger) to show a toast, and maybe more events."""
    triggers: dict[str, Any] = {"toast": {"message": message, "kind": kind}}
    triggers.update(more)
    response.headers["HX-Trigger"] = json.dumps(triggers)
    return response


def missing(service: str, why: str | None) -> str:
    """The honest sentence for a page whose service is not available."""
    return f"{service} is not available: {why or 'not configured'}."


async def read_upload(file: UploadFile, max_bytes: int = 1_000_000) -> bytes:
    """The uploaded file's bytes; 413 past ``max_bytes`` (read in chunks, never more)."""
    chunks: list[bytes] = []
    size = 0
    while chunk := await file.read(64 * 1024):
        size += len(chunk)
        if size > max_bytes:
            raise HTTPException(413, f"the file is too large (at most {max_bytes // 1000} kB)")
        chunks.append(chunk)
    return b"".join(chunks)
