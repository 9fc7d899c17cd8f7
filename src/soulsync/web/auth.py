"""The admin account: first-start password, argon2 verification, login rate limit.

SoulSync has one administrator. Until a password is set every page leads to
``/setup``; after that the password's argon2 hash lives in the store's settings
table (``web.admin``), never the password itself.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from soulsync.store import Store

ADMIN_SETTING = "web.admin"
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024

_hasher = PasswordHasher()
_setup_lock = threading.Lock()


class SetupError(ValueError):
    """The first-start form was not acceptable; the message says why."""


@dataclass(frozen=True)
class Principal:
    """Who a request acts as: the admin through a session, or an API key."""

    user: str
    via: Literal["session", "api_key"]
    api_key_id: str | None = None
    scope: Literal["read", "full"] = "full"  # an API key's scope; a session can do everything


def admin_is_set(store: Store) -> bool:
    """True once the first-start password has been chosen."""
    return bool(store.get_setting(ADMIN_SETTING))


def admin_username(store: Store) -> str | None:
    """The admin's user name, or None before first start."""
    admin = store.get_setting(ADMIN_SETTING)
    return str(admin["username"]) if admin else None


def check_new_password(username: str, password: str, confirm: str) -> None:
    """Raise SetupError if the chosen name or password is not acceptable."""
    if not username.strip() or len(username) > 64:
        raise SetupError("the user name must be 1 to 64 characters")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise SetupError(f"the password must be at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise SetupError(f"the password must be at most {MAX_PASSWORD_LENGTH} characters")
    if password != confirm:
        raise SetupError("the two passwords differ")


def set_initial_admin(store: Store, username: str, password: str, confirm: str) -> None:
    """Set the admin account on first start; refuse if one is already set.

    The lock makes "check then set" atomic within the process, so two browsers
    racing through /setup cannot both choose the password.
    """
    check_new_password(username, password, confirm)
    with _setup_lock:
        if admin_is_set(store):
            raise SetupError("the admin password is already set")
        store.set_setting(
            ADMIN_SETTING,
            {"username": username.strip(), "hash": _hasher.hash(password), "set_at": time.time()},
        )


def change_admin_password(store: Store, password: str, confirm: str) -> None:
    """Replace the admin password (CLI reset, settings page). Sessions are revoked by the caller."""
    username = admin_username(store) or "admin"
    check_new_password(username, password, confirm)
    store.set_setting(
        ADMIN_SETTING,
        {"username": username, "hash": _hasher.hash(password), "set_at": time.time()},
    )


def verify_admin(store: Store, username: str, password: str) -> bool:
    """True if the name and password are the admin's. Slow on purpose (argon2)."""
    admin = store.get_setting(ADMIN_SETTING)
    if not admin or len(password) > MAX_PASSWORD_LENGTH:
        return False
    try:
        ok = _hasher.verify(admin["hash"], password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    if not ok or username.strip() != admin["username"]:
        return False
    if _hasher.check_needs_rehash(admin["hash"]):
        store.set_setting(ADMIN_SETTING, {**admin, "hash": _hasher.hash(password)})
    return True


class LoginLimiter:
    """Login attempts per client address and per account, reserved before the password is checked.

    * **Per client**: at most ``max_failures`` attempts within ``window_s``
      seconds. An attempt is *reserved* (counted) before argon2 runs and only
      given back by a success, so parallel requests cannot all slip in before
      the first failure is recorded.
    * **Per account** (the user name tried): the first ``account_free``
      failures within ``account_window_s`` cost nothing; after that each
      attempt must wait ``2 ** (n - account_free)`` seconds (at most
      ``account_max_delay_s``) after the previous one. This is a backoff, not
      a lockout: behind a shared address or under a spread-out attack the
      admin still gets in after a short wait.

    In memory: a restart clears it, which is fine for a single-user app whose
    real protection is the argon2 cost and the loopback bind.
    """

    def __init__(
        self,
        max_failures: int = 5,
        window_s: float = 300.0,
        *,
        account_free: int = 10,
        account_window_s: float = 3600.0,
        account_max_delay_s: float = 900.0,
    ) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self.account_free = account_free
        self.account_window_s = account_window_s
        self.account_max_delay_s = account_max_delay_s
        self._clients: dict[str, deque[float]] = {}
        self._accounts: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def reserve(self, client: str, account: str, now: float | None = None) -> float:
        """Take an attempt for ``client`` on ``account``: 0 if it may go ahead, else seconds to wait.

        A granted attempt counts as a failure until :meth:`succeeded` is called.
        """
        now = time.monotonic() if now is None else now
        key = _account_key(account)
        with self._lock:
            times = _pruned(self._clients, client, now, self.window_s)
            if len(times) >= self.max_failures:
                return max(0.001, self.window_s - (now - times[0]))
            tried = _pruned(self._accounts, key, now, self.account_window_s)
            over = len(tried) - self.account_free + 1
            if over > 0 and tried:
                delay = min(self.account_max_delay_s, 2.0 ** (over - 1))
                wait = delay - (now - tried[-1])
                if wait > 0:
                    return wait
            times.append(now)
            tried.append(now)
            return 0.0

    def succeeded(self, client: str, account: str) -> None:
        """Forget the client's and the account's failures."""
        with self._lock:
            self._clients.pop(client, None)
            self._accounts.pop(_account_key(account), None)


def _account_key(account: str) -> str:
    return account.strip().lower()[:64]


def _pruned(table: dict[str, deque[float]], key: str, now: float, window: float) -> deque[float]:
    times = table.setdefault(key, deque())
    while times and now - times[0] > window:
        times.popleft()
    return times
