"""API keys for scripts and other programs: created once, stored only as a hash.

A key is ``ss_`` + 43 random URL-safe characters (256 bits), so a plain SHA-256
of it is enough: unlike a password it cannot be guessed by brute force. Keys
live in the store's settings table under ``web.api_keys`` with a name, the
creation time, the last time they were used and a **scope**:

* ``read`` (the default): GET/HEAD on ``/api/…`` only;
* ``full``: every ``/api/…`` route, changes included.

A key never opens the web pages (``/settings``, the forms behind them): those
need a logged-in session and its CSRF token, so a key cannot create other
keys or change the configuration. Keys stored before scopes existed have no
scope and count as ``read``. ``soulsync admin reset-password`` revokes every key.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any

from soulsync.store import Store

SETTING = "web.api_keys"
PREFIX = "ss_"
# Writing "last used" on every request would turn each API read into a write.
_TOUCH_INTERVAL_S = 60.0
_lock = threading.Lock()
SCOPES = ("read", "full")
DEFAULT_SCOPE = "read"


@dataclass(frozen=True)
class ApiKeyInfo:
    """What is known about a key; the key itself is never stored."""

    id: str
    name: str
    created_at: float
    last_used_at: float | None
    hint: str  # the first characters, to tell keys apart in a list
    scope: str = DEFAULT_SCOPE


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _load(store: Store) -> list[dict[str, Any]]:
    rows = store.get_setting(SETTING, [])
    return rows if isinstance(rows, list) else []


def _info(row: dict[str, Any]) -> ApiKeyInfo:
    return ApiKeyInfo(
        id=str(row["id"]),
        name=str(row["name"]),
        created_at=float(row["created_at"]),
        last_used_at=row.get("last_used_at"),
        hint=str(row.get("hint", "")),
        scope=row["scope"] if row.get("scope") in SCOPES else DEFAULT_SCOPE,
    )


def create_api_key(store: Store, name: str, scope: str = DEFAULT_SCOPE) -> tuple[ApiKeyInfo, str]:
    """Create a key named ``name``; returns its info and the key (shown only this once)."""
    clean = name.strip()
    if not clean or len(clean) > 100:
        raise ValueError("an API key needs a name of 1 to 100 characters")
    if scope not in SCOPES:
        raise ValueError(f"an API key's scope is one of {', '.join(SCOPES)}")
    key = PREFIX + secrets.token_urlsafe(32)
    row = {
        "id": secrets.token_hex(6),
        "name": clean,
        "sha256": _digest(key),
        "created_at": time.time(),
        "last_used_at": None,
        "hint": key[: len(PREFIX) + 4],
        "scope": scope,
    }
    with _lock:
        rows = _load(store)
        if any(r["name"] == clean for r in rows):
            raise ValueError(f"an API key named {clean!r} already exists")
        rows.append(row)
        store.set_setting(SETTING, rows)
    return _info(row), key


def list_api_keys(store: Store) -> list[ApiKeyInfo]:
    """Every key, oldest first."""
    return sorted((_info(r) for r in _load(store)), key=lambda k: k.created_at)


def revoke_api_key(store: Store, key_id_or_name: str) -> bool:
    """Delete a key by id or name; False if there was none."""
    with _lock:
        rows = _load(store)
        kept = [r for r in rows if key_id_or_name not in (r["id"], r["name"])]
        if len(kept) == len(rows):
            return False
        store.set_setting(SETTING, kept)
    return True


def revoke_all_api_keys(store: Store) -> int:
    """Delete every key (after a password reset); returns how many there were."""
    with _lock:
        count = len(_load(store))
        store.set_setting(SETTING, [])
    return count


def verify_api_key(store: Store, presented: str) -> ApiKeyInfo | None:
    """The key's info if ``presented`` is a valid key, else None."""
    if not presented.startswith(PREFIX) or len(presented) > 200:
        return None
    digest = _digest(presented)
    rows = _load(store)
    match: dict[str, Any] | None = None
    for row in rows:
        # Compare every row in constant time, so timing says nothing about hashes.
        if hmac.compare_digest(str(row["sha256"]), digest):
            match = row
    if match is None:
        return None
    now = time.time()
    last = match.get("last_used_at")
    if last is None or now - float(last) > _TOUCH_INTERVAL_S:
        with _lock:
            fresh = _load(store)
            for row in fresh:
                if row["id"] == match["id"]:
                    row["last_used_at"] = now
            store.set_setting(SETTING, fresh)
        match = {**match, "last_used_at": now}
    return _info(match)
