"""Error messages never come back as HTML (issue 14, item 4: /matched/mapping?album=<markup>)."""

from __future__ import annotations

import time

from security_helpers import DemoLive

HOSTILE = '<meta http-equiv="refresh" content="0;url=https://evil.example/">'


def test_a_hostile_album_reference_is_answered_as_plain_text(demo: DemoLive) -> None:
    c, token = demo.login()
    started = c.post("/search/start", json={"q": "daft punk"}, headers={"X-CSRF-Token": token})
    assert started.status_code == 200, started.text
    sid = started.json()["sid"]
    deadline = time.monotonic() + 60
    answer = None
    while time.monotonic() < deadline:
        # Groups appear as results arrive; 404 until the first folder is known.
        answer = c.get("/matched/mapping", params={"sid": sid, "gi": "0", "album": HOSTILE})
        if answer.status_code != 404:
            break
        time.sleep(0.5)
    assert answer is not None and answer.status_code == 502, answer.text if answer else None
    # On main before the fix this was text/html with the markup inside.
    assert answer.headers["content-type"].startswith("text/plain")
