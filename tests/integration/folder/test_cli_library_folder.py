"""``soulsync library scan|stats|find`` against a folder library (real files, real store)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from soulsync.cli import app as cli

runner = CliRunner()


pytestmark = pytest.mark.usefixtures("isolated_cli_env")


@pytest.fixture()
def config(tmp_path: Path, library_dir: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f'[paths]\ndata_dir = "data"\n[folder_library]\nenabled = true\npath = "{library_dir}"\n',
        encoding="utf-8",
    )
    return path


def run(config: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(cli.app, ["--config", str(config), "library", *args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout + result.stderr


def test_scan_then_stats_then_rescan(config: Path, library_dir: Path) -> None:
    code, out = run(config, "stats")
    assert code == 0 and "run soulsync library scan first" in " ".join(out.split())
    code, out = run(config, "scan")
    assert code == 0
    assert "12 added" in out and "0 unreadable" in out
    code, out = run(config, "stats")
    assert code == 0
    assert "tracks" in out and "12" in out and "flac 12" in out
    (library_dir / "junk.mp3").write_bytes(b"not audio")
    code, out = run(config, "scan")
    assert code == 0
    assert "12 unchanged" in out and "1 unreadable" in out
    assert "junk.mp3" in out


@pytest.mark.parametrize(
    ("wanted", "code", "verdict", "expect"),
    [
        ("Adele - Hello", 0, "owned", "01 Hello.flac"),
        ("The Beatles - Something", 0, "owned", "02 Something.flac"),
        ("Daft Punk - Harder, Better, Faster, Stronger", 1, "missing", None),
    ],
)
def test_find(config: Path, wanted: str, code: int, verdict: str, expect: str | None) -> None:
    assert run(config, "scan")[0] == 0
    got_code, out = run(config, "find", wanted)
    assert got_code == code
    assert out.startswith(verdict)
    if expect:
        assert expect in out


def test_find_needs_a_title(config: Path) -> None:
    code, out = run(config, "find", "Adele - ")
    assert code == 2 and "Artist - Title" in out


def test_no_library_configured(tmp_path: Path) -> None:
    path = tmp_path / "bare.toml"
    path.write_text('[paths]\ndata_dir = "data"\n', encoding="utf-8")
    code, out = run(path, "stats")
    assert code == 1 and "no library is configured" in out
    code, out = run(path, "stats", "--source", "emby")
    assert code == 2 and "--source must be one of plex, jellyfin, navidrome, folder" in out
    code, out = run(path, "stats", "--source", "jellyfin")
    assert code == 1 and "[jellyfin] url is not set" in out
