"""Issue 13 item 9 on the web playlist page: a failed run says why.

The playlist page used to show "Last run failed" with no reason. A sync of a
Spotify-made playlist (404) or with the app owner's Premium lapsed (403) now
shows Spotify's reason under it.
"""

from __future__ import annotations

import time

from soulsync.services.sync.models import RunState
from soulsync.web.templating import make_templates


def _page(sandbox, ref: str) -> str:  # type: ignore[no-untyped-def]
    record = sandbox.sync.find_playlist(ref)
    status = next(s for s in sandbox.sync.list_playlists() if s.playlist.id == record.id)
    context = {
        "record": record,
        "ref": record.ref,
        "tracks": [],
        "run": status.last_run,
        "running_id": status.running_run_id,
        "counts": {},
        "total": 0,
        "owned": 0,
        "done": 0,
        "pct": 0,
        "downloads_ok": True,
        "server_ok": True,
        "image": None,
        "now": time.time(),
    }
    template = make_templates().get_template("partials/playlist_body.html")
    return template.render(context)


async def test_editorial_playlist_run_says_why_it_failed(sandbox) -> None:  # type: ignore[no-untyped-def]
    pid = sandbox.spotify_sim.add_editorial_playlist("Discover Weekly", ["discovery/Digital Love"])
    ref = f"spotify:{pid}"
    await sandbox.sync.refresh_playlists()  # the user follows it: it is listed
    run = await sandbox.sync.wait(await sandbox.sync.start_sync(ref))
    assert run.state is RunState.FAILED
    assert run.error is not None and "made by Spotify" in run.error
    html = _page(sandbox, ref)
    assert "Last run failed" in html
    assert "made by Spotify" in html and 'id="run-error"' in html


async def test_premium_run_says_why_it_failed(sandbox) -> None:  # type: ignore[no-untyped-def]
    ref = sandbox.ref("road-trip")
    await sandbox.sync.refresh_playlists()
    sandbox.spotify_sim.premium_required = True
    run = await sandbox.sync.wait(await sandbox.sync.start_sync(ref))
    assert run.state is RunState.FAILED
    assert run.error is not None and "Premium" in run.error
    assert "needs an active Premium subscription" in _page(sandbox, ref)
