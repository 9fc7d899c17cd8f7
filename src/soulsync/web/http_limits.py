"""Header limits at the HTTP layer: a request whose header block is too big gets 431.

uvicorn's default parser (httptools) buffers a header block of any size, so a
50 MB ``Cookie:`` header costs 50 MB before the app is even called. We serve
with uvicorn's h11 protocol instead and look at the bytes before h11 does: a
header block over ``MAX_HEADER_BYTES`` (or with more than ``MAX_HEADER_COUNT``
lines) is answered ``431 Request Header Fields Too Large`` (RFC 6585 §5,
https://www.rfc-editor.org/rfc/rfc6585#section-5) and the connection closed,
so at most that many bytes are ever held. h11's own limit
(``h11_max_incomplete_event_size``) is set just above ours as a backstop; it
would answer 400.
"""

from __future__ import annotations

import re

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

# Browsers send a few kB; nginx's default limit is 4 x 8 kB.
MAX_HEADER_BYTES = 32 * 1024
MAX_HEADER_COUNT = 100
H11_BACKSTOP_BYTES = MAX_HEADER_BYTES + 1024
_END_OF_HEADERS = re.compile(rb"\n\r?\n")


def header_block_problem(buffered: bytes) -> str | None:
    """Why the (possibly incomplete) start of a request is refused, or None if it is fine."""
    window = buffered[: MAX_HEADER_BYTES + 4]
    end = _END_OF_HEADERS.search(window)
    if end is None:
        if len(buffered) > MAX_HEADER_BYTES:
            return f"the request headers are larger than {MAX_HEADER_BYTES // 1024} kB"
        head = window
    else:
        if end.start() > MAX_HEADER_BYTES:
            return f"the request headers are larger than {MAX_HEADER_BYTES // 1024} kB"
        head = window[: end.start()]
    # The request line plus one line per header.
    if head.count(b"\n") > MAX_HEADER_COUNT:
        return f"the request has more than {MAX_HEADER_COUNT} headers"
    return None


class LimitedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, refusing oversized header blocks with 431 before buffering them."""

    def data_received(self, data: bytes) -> None:
        """Check the header block of a new request, then hand the bytes to h11."""
        if self.conn.their_state is h11.IDLE:
            problem = header_block_problem(self.conn.trailing_data[0] + data)
            if problem is not None:
                self.logger.warning("refused a request: %s", problem)
                self._send_431(problem)
                return
        super().data_received(data)

    def _send_431(self, message: str) -> None:
        body = (message + "\n").encode("ascii")
        head = (
            "HTTP/1.1 431 Request Header Fields Too Large\r\n"
            "content-type: text/plain; charset=utf-8\r\n"
            f"content-length: {len(body)}\r\n"
            "connection: close\r\n\r\n"
        ).encode("ascii")
        self.transport.write(head + body)
        self.transport.close()
