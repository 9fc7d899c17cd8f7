"""Jinja2 templates and the ``render`` helper every page uses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from starlette.templating import Jinja2Templates, _TemplateResponse

from soulsync import __version__
from soulsync.web.formatting import FILTERS, GLOBALS

TEMPLATES_DIR = Path(__file__).with_name("templates")
STATIC_DIR = Path(__file__).with_name("static")

# The main navigation; later issues add the pages behind these links.
NAV: tuple[tuple[str, str], ...] = (
    ("Dashboard", "/"),
    ("Search", "/search"),
    ("Queue", "/queue"),
    ("Playlists", "/playlists"),
    ("Wishlist", "/wishlist"),
    ("Artists", "/artists"),
    ("Settings", "/settings"),
)


def make_templates() -> Jinja2Templates:
    """The template environment (autoescaping on for .html)."""
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    templates.env.globals["nav"] = NAV
    templates.env.globals["version"] = __version__
    templates.env.globals.update(GLOBALS)
    templates.env.filters.update(FILTERS)
    return templates


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> _TemplateResponse:
    """Render ``name`` with the base context: csrf_token, principal, current_path."""
    session = getattr(request.state, "session", None)
    base: dict[str, Any] = {
        "csrf_token": session.csrf if session is not None else "",
        "principal": getattr(request.state, "principal", None),
        "current_path": request.url.path,
    }
    base.update(context or {})
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, name, base, status_code=status_code)
