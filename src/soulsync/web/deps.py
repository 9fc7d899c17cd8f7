"""FastAPI dependencies for routers: who is calling, and the shared objects.

The middleware has already refused unauthenticated requests; ``require_principal``
states the requirement in the route itself (and in the OpenAPI schema), and
gives the handler the ``Principal``.
"""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException, Request

from soulsync.config import Settings
from soulsync.store import Store
from soulsync.web.auth import Principal


def require_principal(request: Request) -> Principal:
    """The authenticated caller; 401 if there is none."""
    principal = getattr(request.state, "principal", None)
    if principal is None:
        raise HTTPException(status_code=401, detail="authentication required")
    return principal


def get_settings(request: Request) -> Settings:
    """The app's Settings."""
    settings: Settings = request.app.state.settings
    return settings


def get_store(request: Request) -> Store:
    """The app's Store."""
    store: Store = request.app.state.store
    return store


def get_services(request: Request) -> Any:
    """The services object given to ``create_app`` (None until the services exist)."""
    return request.app.state.services
