"""Error helpers never answer a message as HTML (issue 14, item 4: reflected markup)."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from soulsync.web.ui import error_response

HOSTILE = '<meta http-equiv="refresh" content="0;url=https://evil.example/">'


def _request(headers: dict[str, str]) -> Request:
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    return Request({"type": "http", "method": "GET", "path": "/", "headers": raw})


@pytest.mark.parametrize(
    "headers",
    [{"accept": "text/html"}, {"hx-request": "true", "accept": "application/json"}, {}],
)
def test_error_messages_are_plain_text(headers: dict[str, str]) -> None:
    response = error_response(_request(headers), f"no album {HOSTILE}", 502)
    assert response.status_code == 502
    assert response.headers["content-type"].startswith("text/plain")


def test_json_callers_get_json() -> None:
    response = error_response(_request({"accept": "application/json"}), HOSTILE, 400)
    assert response.headers["content-type"] == "application/json"
