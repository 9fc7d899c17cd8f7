"""The login throttle under parallel guesses, per account, and behind proxies (issue 14, item 2)."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from security_helpers import PASSWORD, Live, csrf_field, start_live


def _anonymous(live: Live) -> tuple[dict[str, str], str]:
    c = live.client()
    token = csrf_field(c.get("/login").text)
    return dict(c.cookies), token


def _guess(live: Live, cookies: dict[str, str], token: str, password: str, **headers: str) -> int:
    with httpx.Client(base_url=live.url, cookies=cookies, timeout=60) as c:
        r = c.post(
            "/login",
            data={"csrf_token": token, "username": "admin", "password": password},
            headers=headers,
        )
        return r.status_code


def test_forty_parallel_guesses_are_at_most_five_evaluated(live: Live) -> None:
    cookies, token = _anonymous(live)
    with ThreadPoolExecutor(40) as pool:
        codes = list(pool.map(lambda i: _guess(live, cookies, token, f"wrong-{i}"), range(40)))
    seen = Counter(codes)
    assert seen[401] <= 5, seen
    assert seen[429] >= 35, seen
    # The right password from the same address is refused too until the window passes.
    assert _guess(live, cookies, token, PASSWORD) == 429


def test_forwarded_for_is_ignored_without_a_trusted_proxy(live: Live) -> None:
    cookies, token = _anonymous(live)
    codes = [
        _guess(live, cookies, token, "wrong", **{"X-Forwarded-For": f"198.51.100.{i}"})
        for i in range(7)
    ]
    assert codes[:5] == [401] * 5
    assert codes[5:] == [429, 429]


def test_behind_a_trusted_proxy_each_client_has_its_own_limit(tmp_path: Path) -> None:
    live, server = start_live(tmp_path, '\n[web]\ntrusted_proxies = ["127.0.0.1"]\n')
    try:
        cookies, token = _anonymous(live)
        attacker = {"X-Forwarded-For": "203.0.113.66"}
        codes = [_guess(live, cookies, token, "wrong", **attacker) for _ in range(6)]
        assert codes == [401] * 5 + [429]
        # The admin behind the same proxy is not locked out by the attacker.
        ok = _guess(live, cookies, token, PASSWORD, **{"X-Forwarded-For": "192.0.2.10"})
        assert ok == 303
    finally:
        server.stop()
        live.store.close()


def test_many_addresses_meet_the_per_account_backoff(tmp_path: Path) -> None:
    live, server = start_live(tmp_path, '\n[web]\ntrusted_proxies = ["127.0.0.1"]\n')
    try:
        cookies, token = _anonymous(live)
        codes = [
            _guess(live, cookies, token, "wrong", **{"X-Forwarded-For": f"203.0.113.{i}"})
            for i in range(12)
        ]
        # Ten free failures on the account, then a growing wait whatever the address.
        assert codes[:10] == [401] * 10
        assert 429 in codes[10:]
    finally:
        server.stop()
        live.store.close()
