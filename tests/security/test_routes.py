"""Every route: no way in without a login, CSRF on every change, no 500s (issue 14, suite)."""

from __future__ import annotations

import pytest
from security_helpers import DemoLive, Live
from security_routes import AUTH_PAGES, PUBLIC, fill, route_cases

from soulsync.web.apikeys import create_api_key


def test_the_enumeration_sees_the_whole_app(live: Live) -> None:
    cases = route_cases(live.app)  # type: ignore[arg-type]
    assert len(cases) > 60
    templates = {c.template for c in cases}
    for expected in ("/api/v1/syncs", "/settings/api-keys", "/events", "/wishlist/{entry_id}/pick"):
        assert expected in templates


def test_no_route_answers_without_a_login(live: Live) -> None:
    c = live.client()
    checked = 0
    for case in route_cases(live.app):  # type: ignore[arg-type]
        if case.template in PUBLIC or case.template in AUTH_PAGES:
            continue
        r = c.request(case.method, case.path, json={})
        if case.api:
            assert r.status_code == 401, (str(case), r.status_code)
            assert r.headers["www-authenticate"].startswith("Bearer")
        elif case.changes_state:
            # A cookie-less change is refused (login redirect, or 403 for the token).
            assert r.status_code in (303, 403), (str(case), r.status_code)
        else:
            assert r.status_code == 303, (str(case), r.status_code)
            assert r.headers["location"].startswith("/login")
        assert "set-cookie" not in r.headers or case.api is False
        checked += 1
    assert checked > 55


def test_no_route_answers_to_a_wrong_api_key(live: Live) -> None:
    c = live.client(headers={"Authorization": "Bearer ss_" + "x" * 43})
    for case in route_cases(live.app):  # type: ignore[arg-type]
        if case.template in PUBLIC:
            continue
        r = c.request(case.method, case.path)
        assert r.status_code == 401, (str(case), r.status_code)


def test_every_state_changing_route_needs_the_csrf_token(live: Live) -> None:
    c, token = live.login()
    changing = [x for x in route_cases(live.app) if x.changes_state]  # type: ignore[arg-type]
    assert len(changing) > 30
    for case in changing:
        for headers in ({}, {"X-CSRF-Token": "forged"}, {"X-CSRF-Token": token[:-2] + "zz"}):
            r = c.request(case.method, case.path, json={}, headers=headers)
            assert r.status_code == 403, (str(case), headers, r.status_code)
        form = c.request(case.method, case.path, data={"csrf_token": "forged"})
        assert form.status_code == 403, (str(case), "form", form.status_code)
    # The session survived all of that.
    assert c.get("/api/me").json()["via"] == "session"


def test_a_read_key_changes_nothing_and_no_key_opens_a_page(live: Live) -> None:
    _info, key = create_api_key(live.store, "reader")
    c = live.client(headers={"X-API-Key": key})
    for case in route_cases(live.app):  # type: ignore[arg-type]
        if case.template in PUBLIC:
            continue
        r = c.request(case.method, case.path, json={})
        if not case.api or case.changes_state:
            assert r.status_code == 403, (str(case), r.status_code)


@pytest.mark.parametrize("value", ["-1", "99999999999999999999999", "%2e%2e", "x" * 3000])
def test_odd_path_parameters_never_cause_a_500(demo: DemoLive, value: str) -> None:
    c, token = demo.login()
    for case in route_cases(demo.app):  # type: ignore[arg-type]
        if case.template in ("/logout",) or "{" not in case.template:
            continue
        r = c.request(
            case.method, fill(case.template, value), json={}, headers={"X-CSRF-Token": token}
        )
        assert r.status_code < 500, (str(case), value, r.status_code, r.text[:200])
        assert "Traceback" not in r.text
