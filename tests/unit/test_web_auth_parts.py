"""The pieces behind web auth: API keys, sessions, login limiter, secret key, CSRF parsing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from soulsync.config import ConfigError, load_config
from soulsync.store import Store
from soulsync.web.apikeys import create_api_key, list_api_keys, revoke_api_key, verify_api_key
from soulsync.web.auth import (
    LoginLimiter,
    SetupError,
    admin_is_set,
    change_admin_password,
    set_initial_admin,
    verify_admin,
)
from soulsync.web.middleware import presented_api_key
from soulsync.web.routes_auth import safe_next
from soulsync.web.secret import load_or_create_secret_key
from soulsync.web.sessions import Session, SessionCodec, SessionRegistry


def test_api_key_lifecycle(store: Store) -> None:
    info, key = create_api_key(store, "  backup  ")
    assert info.name == "backup"
    assert key.startswith("ss_")
    stored = str(store.get_setting("web.api_keys"))
    assert key not in stored  # only the hash is kept
    assert [k.name for k in list_api_keys(store)] == ["backup"]
    verified = verify_api_key(store, key)
    assert verified is not None and verified.id == info.id
    assert verified.last_used_at is not None
    assert verify_api_key(store, key + "x") is None
    assert verify_api_key(store, "not-our-format") is None
    assert revoke_api_key(store, info.id)
    assert not revoke_api_key(store, info.id)
    assert verify_api_key(store, key) is None


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_api_key_name_rules(store: Store, name: str) -> None:
    with pytest.raises(ValueError, match="name"):
        create_api_key(store, name)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"x-api-key": "ss_abc"}, "ss_abc"),
        ({"authorization": "Bearer ss_abc"}, "ss_abc"),
        ({"authorization": "bearer   ss_abc "}, "ss_abc"),
        ({"authorization": "Basic dXNlcjpwYXNz"}, None),
        ({"authorization": "Bearer "}, None),
        ({}, None),
    ],
)
def test_presented_api_key(headers: dict[str, str], expected: str | None) -> None:
    assert presented_api_key(headers) == expected


def test_admin_setup_and_verify(store: Store) -> None:
    assert not admin_is_set(store)
    with pytest.raises(SetupError, match="differ"):
        set_initial_admin(store, "admin", "password-1", "password-2")
    set_initial_admin(store, "admin", "password-1", "password-1")
    assert admin_is_set(store)
    assert verify_admin(store, "admin", "password-1")
    assert not verify_admin(store, "admin", "password-2")
    assert not verify_admin(store, "root", "password-1")
    with pytest.raises(SetupError, match="already set"):
        set_initial_admin(store, "evil", "password-3", "password-3")
    change_admin_password(store, "password-4", "password-4")
    assert verify_admin(store, "admin", "password-4")
    assert not verify_admin(store, "admin", "password-1")


def test_session_codec_round_trip_and_tampering() -> None:
    codec = SessionCodec("k" * 40, max_age_s=3600)
    session = Session(csrf="token-1", sid="sid-1")
    cookie = codec.dumps(session)
    back = codec.loads(cookie)
    assert (back.csrf, back.sid, back.new) == ("token-1", "sid-1", False)
    other = SessionCodec("j" * 40, max_age_s=3600)
    forged = other.loads(cookie)  # signed with another key
    assert forged.new and forged.sid is None and forged.csrf != "token-1"
    tampered = codec.loads(cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB"))
    assert tampered.new and tampered.sid is None
    assert codec.loads(None).new


def test_session_registry(store: Store) -> None:
    registry = SessionRegistry(store, max_age_s=3600)
    sid = registry.create("admin")
    assert registry.user_for(sid) == "admin"
    assert sid not in str(store.get_setting("web.sessions"))  # stored hashed
    registry.revoke(sid)
    assert registry.user_for(sid) is None
    a, b = registry.create("admin"), registry.create("admin")
    registry.revoke_all()
    assert registry.user_for(a) is None and registry.user_for(b) is None


def test_session_registry_expires_old_sessions(store: Store) -> None:
    registry = SessionRegistry(store, max_age_s=60)
    sid = registry.create("admin")
    rows = store.get_setting("web.sessions")
    for row in rows.values():
        row["created"] -= 120
    store.set_setting("web.sessions", rows)
    assert registry.user_for(sid) is None


def test_login_limiter_window() -> None:
    limiter = LoginLimiter(max_failures=3, window_s=100)
    for t in (0.0, 1.0, 2.0):
        assert limiter.reserve("1.2.3.4", f"user{t}", now=t) == 0
    assert limiter.reserve("1.2.3.4", "admin", now=3.0) == pytest.approx(97.0)
    assert limiter.reserve("5.6.7.8", "admin", now=3.0) == 0  # per client
    assert limiter.reserve("1.2.3.4", "admin", now=100.5) == 0  # the first attempt aged out
    limiter.succeeded("1.2.3.4", "admin")
    assert limiter.reserve("1.2.3.4", "admin", now=101.0) == 0


def test_login_limiter_reserves_before_the_password_is_checked() -> None:
    # Parallel requests: every reserve happens before any result is known.
    limiter = LoginLimiter(max_failures=5, window_s=300)
    granted = [limiter.reserve("9.9.9.9", "admin", now=1.0) == 0 for _ in range(40)]
    assert granted.count(True) == 5


def test_login_limiter_backs_off_per_account_across_addresses() -> None:
    limiter = LoginLimiter(max_failures=5, window_s=300, account_free=3)
    for i in range(3):
        assert limiter.reserve(f"10.0.0.{i}", "Admin", now=10.0) == 0
    # The fourth failure on the account, from a fresh address: wait 1 s, then 2 s, 4 s...
    assert limiter.reserve("10.0.1.1", "admin ", now=10.0) == pytest.approx(1.0)
    assert limiter.reserve("10.0.1.1", "admin", now=11.5) == 0
    assert limiter.reserve("10.0.1.2", "admin", now=12.0) == pytest.approx(1.5)
    assert limiter.reserve("10.0.1.2", "admin", now=13.5) == 0
    assert limiter.reserve("10.0.1.3", "admin", now=14.0) == pytest.approx(3.5)
    assert limiter.reserve("10.0.1.3", "someone-else", now=14.0) == 0  # per account
    limiter.succeeded("10.0.1.3", "admin")
    assert limiter.reserve("10.0.1.4", "admin", now=14.0) == 0


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/queue?x=1", "/queue?x=1"),
        (None, "/"),
        ("", "/"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example/", "/"),
        ("queue", "/"),
    ],
)
def test_safe_next(value: str | None, expected: str) -> None:
    assert safe_next(value) == expected


def test_secret_key_generated_once_with_0600(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[paths]\ndata_dir = "d"\n')
    settings = load_config(config)
    key = load_or_create_secret_key(settings)
    path = tmp_path / "d" / "web-secret.key"
    assert path.stat().st_mode & 0o777 == 0o600
    assert load_or_create_secret_key(settings) == key
    os.chmod(path, 0o644)
    assert load_or_create_secret_key(settings) == key
    assert path.stat().st_mode & 0o777 == 0o600  # repaired


def test_configured_secret_key_must_be_long(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[paths]\ndata_dir = "d"\n[web]\nsecret_key = "short"\n')
    with pytest.raises(ConfigError, match=r"web\.secret_key \(.*line 4\): must be at least 32"):
        load_config(config)
    config.write_text('[paths]\ndata_dir = "d"\n[web]\nsecret_key = "' + "s" * 32 + '"\n')
    assert load_or_create_secret_key(load_config(config)) == "s" * 32
    assert not (tmp_path / "d" / "web-secret.key").exists()
