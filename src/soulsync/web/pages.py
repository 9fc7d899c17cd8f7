"""Every page router of the web UI, included in one place (see ``app.create_app``)."""

from __future__ import annotations

from fastapi import FastAPI

from soulsync.web import (
    routes_dashboard,
    routes_matched,
    routes_playlists,
    routes_queue,
    routes_search,
)


def include_pages(app: FastAPI) -> None:
    """Add the page and page-API routers to ``app``."""
    for module in (routes_dashboard, routes_search, routes_matched, routes_queue, routes_playlists):
        app.include_router(module.router)
