"""The app's routes, enumerated from the app itself (so a new route is covered without edits)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.routing import Route

PUBLIC = frozenset({"/healthz", "/favicon.ico"})
AUTH_PAGES = frozenset({"/login", "/setup"})
SAFE = frozenset({"GET", "HEAD", "OPTIONS"})
_PARAM = re.compile(r"\{([^}:]+)(?::[^}]+)?\}")


@dataclass(frozen=True)
class RouteCase:
    """One method on one route, with its path parameters filled in."""

    method: str
    template: str
    path: str

    @property
    def api(self) -> bool:
        return self.template == "/api" or self.template.startswith("/api/")

    @property
    def changes_state(self) -> bool:
        return self.method not in SAFE

    def __str__(self) -> str:
        return f"{self.method} {self.template}"


def fill(template: str, value: str) -> str:
    """The template with every ``{param}`` replaced by ``value``."""
    return _PARAM.sub(value, template)


def _walk(routes: list[Any], prefix: str) -> list[tuple[str, set[str]]]:
    found: list[tuple[str, set[str]]] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append((prefix + route.path, set(route.methods)))
        elif hasattr(route, "original_router"):
            # FastAPI >= 0.12x keeps included routers as wrappers around the original.
            extra = getattr(getattr(route, "include_context", None), "prefix", "") or ""
            found.extend(_walk(list(route.original_router.routes), prefix + extra))
        elif isinstance(route, Route) and route.methods:
            found.append((prefix + route.path, set(route.methods)))
    return found


def route_cases(app: FastAPI, value: str = "1") -> list[RouteCase]:
    """Every (method, route) pair the app serves, HEAD left out."""
    cases = []
    for path, methods in _walk(list(app.routes), ""):
        for method in sorted(methods - {"HEAD"}):
            cases.append(RouteCase(method, path, fill(path, value)))
    return cases
