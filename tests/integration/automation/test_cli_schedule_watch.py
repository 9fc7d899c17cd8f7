"""``soulsync schedule …`` and ``soulsync watch …`` against a real store and the Deezer simulator."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from soulsync.cli import app as cli
from soulsync.sandbox.catalogue import build_catalogue
from soulsync.sandbox.deezer import DeezerSimulator

runner = CliRunner()
pytestmark = pytest.mark.usefixtures("isolated_cli_env")


@pytest.fixture()
def deezer_sim() -> Iterator[DeezerSimulator]:
    sim = DeezerSimulator(build_catalogue())
    sim.start()
    yield sim
    sim.stop()


@pytest.fixture()
def config(tmp_path: Path, deezer_sim: DeezerSimulator) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f'[paths]\ndata_dir = "data"\n[deezer]\napi_base = "{deezer_sim.url}"\n',
        encoding="utf-8",
    )
    return path


def run(config: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(cli.app, ["--config", str(config), *args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout + result.stderr


def test_schedule_set_list_clear(config: Path, deezer_sim: DeezerSimulator) -> None:
    playlist = next(iter(deezer_sim.catalogue.playlists.values()))
    ref = f"deezer:{playlist.deezer_id}"
    code, out = run(config, "schedule", "list")
    assert code == 0 and "No schedules" in out
    code, out = run(config, "schedule", "set", ref, "--every", "6", "--download-missing")
    assert code == 0, out
    assert "every 6 h, download missing" in out
    code, out = run(config, "schedule", "list", "--json")
    assert code == 0
    (row,) = json.loads(out)
    assert row["playlist_ref"] == ref and row["every_hours"] == 6 and row["download_missing"]
    # Replaced by a daily time, by name this time.
    code, out = run(config, "schedule", "set", playlist.name, "--daily", "4:30")
    assert code == 0 and "daily at 04:30" in out
    code, out = run(config, "schedule", "set", ref, "--every", "6", "--daily", "04:00")
    assert code == 2 and "either --every" in out
    code, out = run(config, "schedule", "set", ref, "--daily", "25:00")
    assert code == 1 and "not a time of day" in out
    code, out = run(config, "schedule", "clear", ref)
    assert code == 0 and "schedule removed" in out
    code, out = run(config, "schedule", "clear", ref)
    assert code == 1 and "has no schedule" in out


def test_watch_add_list_check_remove(config: Path, deezer_sim: DeezerSimulator) -> None:
    cat = deezer_sim.catalogue
    artist = next(a for a in cat.artists.values() if cat.albums_of_artist(a.key))
    code, out = run(config, "watch", "add", f"deezer:{artist.deezer_id}", "--type", "single")
    assert code == 0, out
    assert f"Watching {artist.name}" in out and f"from {date.today().isoformat()}" in out
    code, out = run(config, "watch", "add", f"deezer:{artist.deezer_id}")
    assert code == 1 and "already watched" in out
    code, out = run(config, "watch", "list", "--json")
    (row,) = json.loads(out)
    assert row["types"] == ["single"] and row["action"] == "wishlist"
    code, out = run(config, "watch", "check")
    assert code == 0 and "No new releases" in out
    code, out = run(config, "watch", "remove", artist.name)
    assert code == 0 and "No longer watching" in out
    code, out = run(config, "watch", "list")
    assert "No watched artists" in out
