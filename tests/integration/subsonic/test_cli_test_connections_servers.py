"""``soulsync test-connections`` names the chosen Jellyfin or Navidrome server's state."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from soulsync.cli.app import app
from soulsync.sandbox.jellyfin import JellyfinSimulator
from soulsync.sandbox.navidrome import NavidromeSimulator

pytestmark = pytest.mark.usefixtures("isolated_cli_env")


def _rows(config: Path) -> dict[str, str]:
    result = CliRunner().invoke(app, ["--config", str(config), "test-connections"])
    rows = {}
    for line in result.stdout.splitlines():
        name, _, rest = line.partition(" ")
        rows[name] = " ".join(rest.split())
    return rows


def test_navidrome_and_jellyfin_lines(tmp_path: Path) -> None:
    music = tmp_path / "music"
    music.mkdir()
    navidrome = NavidromeSimulator([music]).start()
    jellyfin = JellyfinSimulator([music], "jf-cli-test-key-0002").start()
    try:
        config = tmp_path / "nd.toml"
        config.write_text(
            '[paths]\ndata_dir = "data"\n[deezer]\nenabled = false\n'
            '[media_server]\ntype = "navidrome"\n'
            f'[navidrome]\nurl = "{navidrome.url}"\nusername = "{navidrome.username}"\n'
            f'password = "{navidrome.password}"\n',
            encoding="utf-8",
        )
        rows = _rows(config)
        assert rows["navidrome"].startswith("ok") and "token auth" in rows["navidrome"]
        config = tmp_path / "jf.toml"
        config.write_text(
            '[paths]\ndata_dir = "data"\n[deezer]\nenabled = false\n'
            '[media_server]\ntype = "jellyfin"\n'
            f'[jellyfin]\nurl = "{jellyfin.url}"\napi_key = "wrong-key-9999999"\n',
            encoding="utf-8",
        )
        rows = _rows(config)
        assert rows["jellyfin"].startswith("failing") and "401" in rows["jellyfin"]
        assert "wrong-key" not in " ".join(rows.values())
    finally:
        navidrome.stop()
        jellyfin.stop()
