"""``soulsync library scan|stats|find`` against the Plex simulator."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from soulsync.cli import app as cli
from soulsync.sandbox.library_seed import library_seed_tracks, write_seed_file
from soulsync.sandbox.media import AudioCache
from soulsync.sandbox.plex import PlexSimulator

runner = CliRunner()


pytestmark = pytest.mark.usefixtures("isolated_cli_env")


def _config(tmp_path: Path, url: str, token: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f'[paths]\ndata_dir = "data"\n[plex]\nurl = "{url}"\ntoken = "{token}"\n',
        encoding="utf-8",
    )
    return path


def run(config: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(cli.app, ["--config", str(config), "library", *args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout + result.stderr


def test_scan_stats_and_find_on_plex(
    tmp_path: Path,
    plex_sim: PlexSimulator,
    plex_token: str,
    library_dir: Path,
    audio_cache: AudioCache,
) -> None:
    config = _config(tmp_path, plex_sim.url, plex_token)
    code, out = run(config, "stats")
    assert code == 0 and "plex library" in out and "flac 12" in out
    write_seed_file(
        library_dir, library_seed_tracks(keys=["discovery/Digital Love"])[0], audio_cache
    )
    code, out = run(config, "scan")
    assert code == 0 and "13 tracks" in out
    code, out = run(config, "find", "Daft Punk - Digital Love")
    assert code == 0 and out.startswith("owned") and "Digital Love.flac" in out
    assert plex_token not in out


def test_plex_down_is_one_clear_line(
    tmp_path: Path, plex_sim: PlexSimulator, plex_token: str
) -> None:
    url = plex_sim.url
    plex_sim.stop()
    code, out = run(_config(tmp_path, url, plex_token), "stats")
    assert code == 1
    assert f"Plex is not reachable at {url}" in out
    assert "Traceback" not in out


def test_wrong_token_is_one_clear_line(tmp_path: Path, plex_sim: PlexSimulator) -> None:
    code, out = run(_config(tmp_path, plex_sim.url, "wrong-token"), "find", "Adele - Hello")
    assert code == 1
    assert "Plex rejected the token" in out
    assert "wrong-token" not in out
