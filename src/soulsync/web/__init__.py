"""The web UI and REST API (FastAPI, Jinja2, htmx)."""

from __future__ import annotations

from soulsync.web.app import create_app

__all__ = ["create_app"]
