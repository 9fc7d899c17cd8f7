"""The sync CLI against the demo sandbox: sync, wishlist, report (in-process, real sockets)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from soulsync.cli.app import app
from soulsync.cli.common import console
from soulsync.demo import Demo, prepare_demo
from soulsync.sandbox.catalogue import build_catalogue
from soulsync.sandbox.media import AudioCache
from soulsync.services.sync.models import RunState, SyncMode
from soulsync.services.sync.owners import new_owner
from soulsync.services.sync.store import SyncStore


@pytest.fixture()
def demo(tmp_path: Path, audio_cache: AudioCache) -> Iterator[Demo]:
    """The demo sandbox with a config file; closed after the test.

    The CLI's console is made wide so tables do not wrap (rich fixes the width
    when the console is created, which may be before COLUMNS is set here).
    """
    prepared = prepare_demo(tmp_path / "demo", time_scale=50, audio_cache=audio_cache)
    width = console.width
    console.width = 300
    yield prepared
    console.width = width
    prepared.close()


def invoke(demo: Demo, *args: str) -> tuple[int, str]:
    """Run ``soulsync --config <demo> ARGS``; the exit code and stdout (or all output on error)."""
    result = CliRunner().invoke(
        app, ["--config", str(demo.config_path), *args], env={"COLUMNS": "300"}
    )
    return result.exit_code, result.stdout if result.exit_code == 0 else result.output


def test_sync_wishlist_and_report_commands(demo: Demo) -> None:
    ref = "spotify:" + build_catalogue().playlists["rarities"].spotify_id
    code, out = invoke(demo, "sync", ref, "--dry-run", "--json")
    assert code == 0, out
    dry = json.loads(out.strip().splitlines()[-1])
    assert dry["dry_run"] and dry["total"] == 3 and dry["missing"] == 3 and dry["downloaded"] == 0

    code, out = invoke(demo, "sync", ref, "--download-missing")
    assert code == 0, out
    assert '"Rarities" completed: 3 tracks' in out
    assert "not in the playlist" in out and "no acceptable candidate" in out

    code, out = invoke(demo, "wishlist", "show", "--json")
    assert code == 0, out
    entries = [json.loads(line) for line in out.strip().splitlines()]
    assert {e["title"] for e in entries} == {"Кукушка", "Get Lucky - Radio Edit"}
    assert all(e["queries"] and e["reason"] for e in entries)

    code, out = invoke(demo, "wishlist", "ignore", str(entries[0]["id"]))
    assert code == 0 and "ignored" in out
    code, out = invoke(demo, "wishlist", "show")
    assert code == 0 and "ignored" in out

    code, out = invoke(demo, "report", "--json")
    assert code == 0, out
    runs = [json.loads(line) for line in out.strip().splitlines()]
    assert [r["dry_run"] for r in runs] == [False, True]
    real = runs[0]
    assert real["downloaded"] == 1 and real["wishlisted"] == 2 and real["playlist_synced"]

    code, out = invoke(demo, "report", real["id"], "--json")
    assert code == 0, out
    detail = json.loads(out)
    assert len(detail["tracks"]) == 3 and detail["counts"] == {"wishlisted": 2, "downloaded": 1}

    code, out = invoke(demo, "report")
    assert code == 0 and "Rarities" in out and "verified" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("sync",), "give a PLAYLIST or --all"),
        (("sync", "spotify:nope", "--all"), "give a PLAYLIST or --all"),
        (("sync", "No Such Playlist"), "no known playlist"),
        (("sync", "https://example.com/x"), "not a Spotify or Deezer playlist URL"),
        (("sync", "road trip", "--mode", "shuffle"), "--mode must be mirror or append"),
        (("report", "nope"), "no sync run with id nope"),
        (("wishlist", "ignore", "99"), "no wishlist entry with id 99"),
    ],
)
def test_cli_errors_are_one_line(demo: Demo, args: tuple[str, ...], message: str) -> None:
    code, out = invoke(demo, *args)
    assert code != 0
    assert message in out
    assert "Traceback" not in out


def test_report_says_what_a_paused_run_is_waiting_for(demo: Demo) -> None:
    """Issue 18 item 6: `soulsync report` shows "waiting for plex since ..." for a paused run."""
    store = SyncStore(demo.store)
    run_id = store.create_run(
        playlist_row_id=None,
        playlist_name="Road Trip",
        source="spotify",
        source_id="x",
        mode=SyncMode.MIRROR,
        download_missing=True,
        dry_run=False,
        media_server="plex",
        owner=new_owner(),  # this live process: not taken for an interrupted run
    )
    waiting = "waiting for plex since 14:02, next try in 30 s"
    store.update_run(run_id, state=RunState.RUNNING, phase="waiting", message=waiting)
    code, out = invoke(demo, "report")
    assert code == 0, out
    assert f"run {run_id}: {waiting}" in out
    code, out = invoke(demo, "report", run_id)
    assert code == 0, out
    assert '"Road Trip" running: 0 tracks' in out and waiting in out
