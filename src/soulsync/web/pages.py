"""Every page router of the web UI, included in one place (see ``app.create_app``)."""

from __future__ import annotations

from fastapi import FastAPI

from soulsync.web import (
    api_v1,
    routes_artists,
    routes_dashboard,
    routes_links,
    routes_matched,
    routes_playlists,
    routes_queue,
    routes_search,
    routes_settings,
    routes_wishlist,
)


def include_pages(app: FastAPI) -> None:
    """Add the page and page-API routers to ``app``."""
    for module in (
        routes_dashboard,
        routes_search,
        routes_links,
        routes_matched,
        routes_queue,
        routes_playlists,
        routes_wishlist,
        routes_artists,
        routes_settings,
        api_v1,
    ):
        app.include_router(module.router)
