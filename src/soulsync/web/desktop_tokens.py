"""One-time login tokens for ``soulsync desktop``'s window.

The desktop command starts the web app in its own process and logs its window
in without a password: it mints a token here and the window hands it back once
(``POST /auth/desktop``). A token is random (256 bits), lives ``ttl_s`` seconds,
works once, and exists only in this process's memory as a SHA-256 digest, so a
``soulsync serve`` process (which never mints one) accepts none.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Callable

from soulsync.web.auth import LoginLimiter

DEFAULT_TTL_S = 60.0


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class DesktopTokens:
    """Tokens minted by this process, each usable once before it expires.

    ``limiter`` throttles wrong tokens per client like the login form does, but
    with its own counters, so a refused token never costs a password attempt.
    """

    def __init__(
        self, ttl_s: float = DEFAULT_TTL_S, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl_s = ttl_s
        self.limiter = LoginLimiter()
        self._clock = clock
        self._expiry: dict[str, float] = {}
        self._lock = threading.Lock()

    def mint(self) -> str:
        """A new token; only its digest is kept."""
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._expiry[_digest(token)] = self._clock() + self.ttl_s
        return token

    def consume(self, token: str) -> bool:
        """True if ``token`` was minted here, is unused and not expired; it is spent either way."""
        if not token or len(token) > 256:
            return False
        now = self._clock()
        with self._lock:
            for digest in [d for d, until in self._expiry.items() if until <= now]:
                del self._expiry[digest]
            until = self._expiry.pop(_digest(token), None)
        return until is not None and until > now

    def pending(self) -> int:
        """How many tokens could still be used (expired ones count until the next consume)."""
        with self._lock:
            return len(self._expiry)
