"""Browser sessions: a signed cookie plus a server-side list of logged-in sessions.

The cookie (signed with itsdangerous, so it cannot be forged) carries a CSRF
token and, once logged in, a random session id. The store keeps the SHA-256 of
every live session id (``web.sessions``), so logging out or changing the
password really ends a session even if someone kept a copy of the cookie.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer

from soulsync.store import Store

COOKIE_NAME = "soulsync_session"
SETTING = "web.sessions"
_lock = threading.Lock()


def new_token() -> str:
    """A fresh random token (CSRF token or session id)."""
    return secrets.token_urlsafe(32)


@dataclass
class Session:
    """The decoded cookie of one request. Handlers change it through the methods."""

    csrf: str
    sid: str | None = None
    user: str | None = None
    new: bool = False  # no valid cookie arrived with the request
    changed: bool = field(default=False)

    def rotate(self) -> None:
        """New CSRF token (on login and logout, against session fixation)."""
        self.csrf = new_token()
        self.changed = True


class SessionCodec:
    """Signs and verifies the session cookie's payload."""

    def __init__(self, secret_key: str, max_age_s: int) -> None:
        self._serializer = URLSafeTimedSerializer(secret_key, salt="soulsync.session")
        self.max_age_s = max_age_s

    def dumps(self, session: Session) -> str:
        """The cookie value for ``session``."""
        return self._serializer.dumps({"csrf": session.csrf, "sid": session.sid})

    def loads(self, cookie: str | None) -> Session:
        """The session in ``cookie``, or a new anonymous one if it is missing, forged or old."""
        if cookie:
            try:
                data: Any = self._serializer.loads(cookie, max_age=self.max_age_s)
            except BadSignature:
                data = None
            if isinstance(data, dict) and isinstance(data.get("csrf"), str):
                sid = data.get("sid")
                return Session(csrf=data["csrf"], sid=sid if isinstance(sid, str) else None)
        return Session(csrf=new_token(), new=True, changed=True)


def _digest(sid: str) -> str:
    return hashlib.sha256(sid.encode("utf-8")).hexdigest()


class SessionRegistry:
    """The logged-in sessions, kept in the store so they survive a restart."""

    def __init__(self, store: Store, max_age_s: int) -> None:
        self.store = store
        self.max_age_s = max_age_s

    def _live(self, now: float) -> dict[str, dict[str, Any]]:
        rows = self.store.get_setting(SETTING, {})
        if not isinstance(rows, dict):
            return {}
        return {k: v for k, v in rows.items() if now - float(v["created"]) < self.max_age_s}

    def create(self, user: str) -> str:
        """Start a session for ``user``; returns the new session id."""
        sid = new_token()
        now = time.time()
        with _lock:
            rows = self._live(now)  # expired entries are dropped here
            rows[_digest(sid)] = {"user": user, "created": now}
            self.store.set_setting(SETTING, rows)
        return sid

    def user_for(self, sid: str) -> str | None:
        """The user of a live session id, or None."""
        row = self._live(time.time()).get(_digest(sid))
        return str(row["user"]) if row else None

    def revoke(self, sid: str) -> None:
        """End one session."""
        with _lock:
            rows = self._live(time.time())
            if rows.pop(_digest(sid), None) is not None:
                self.store.set_setting(SETTING, rows)

    def revoke_all(self) -> None:
        """End every session (after a password change)."""
        with _lock:
            self.store.set_setting(SETTING, {})
