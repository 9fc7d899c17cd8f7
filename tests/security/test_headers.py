"""Oversized or too many request headers get 431 at the server (issue 14, item 3)."""

from __future__ import annotations

import contextlib
import socket
import time

import pytest
from security_helpers import Live


def _raw(live: Live, request: bytes, timeout: float = 10.0) -> bytes:
    """Send ``request`` on a fresh socket; everything the server answers until it closes."""
    with socket.create_connection((live.host, live.port), timeout=timeout) as sock:
        # The server may close before it has read everything.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(request)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


def _status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


@pytest.mark.parametrize(
    "headers",
    [
        b"Cookie: " + b"a" * 1_000_000 + b"\r\n",  # one 1 MB header
        b"".join(b"X-Pad-%d: %s\r\n" % (i, b"b" * 900) for i in range(60)),  # 54 kB in total
        b"".join(b"X-H-%d: 1\r\n" % i for i in range(200)),  # too many
    ],
    ids=["1MB-cookie", "54kB-in-60-headers", "200-headers"],
)
def test_oversized_header_blocks_get_431(live: Live, headers: bytes) -> None:
    started = time.monotonic()
    answer = _raw(live, b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n")
    assert _status(answer) == 431, answer[:200]
    assert time.monotonic() - started < 5
    # The server is still healthy afterwards.
    assert live.client().get("/healthz").status_code == 200


def test_a_header_block_without_an_end_is_cut_off(live: Live) -> None:
    answer = _raw(live, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Long: " + b"c" * 200_000)
    assert _status(answer) == 431


def test_normal_requests_and_large_bodies_pass_the_header_check(live: Live) -> None:
    c = live.client()
    assert c.get("/healthz", headers={"X-Some": "v" * 4000}).status_code == 200
    body = b"x" * 200_000
    answer = _raw(
        live,
        b"POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
        % len(body)
        + body,
    )
    assert _status(answer) == 405  # the app answered; the header check let it through
