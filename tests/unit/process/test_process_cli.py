"""``soulsync process`` and ``soulsync report --processing`` through Typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mutagen.mp3 import MP3
from process_signals import music_like, write_audio
from typer.testing import CliRunner

from soulsync.cli import app as cli
from soulsync.library.process.gain_tags import read_gain

runner = CliRunner()
pytestmark = pytest.mark.usefixtures("isolated_cli_env")


def _run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(cli.app, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture()
def album(tmp_path: Path) -> Path:
    folder = tmp_path / "Artist - Album"
    folder.mkdir()
    for i, level in enumerate((0.2, 0.5, 0.8)):
        write_audio(
            folder / f"{i + 1:02d} t.flac", music_like(44100, 4.0, seed=i) * level, 44100, "flac"
        )
    return folder


@pytest.fixture()
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'[paths]\ndata_dir = "{tmp_path / "data"}"\n', encoding="utf-8")
    return path


def test_json_lines_with_album_gain_and_conversion(
    album: Path, config: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    code, stdout, _ = _run(
        "--config",
        str(config),
        "process",
        str(album),
        "--to",
        "mp3",
        "--bitrate",
        "192",
        "--album",
        "--out",
        str(out),
        "--json",
    )
    assert code == 0
    lines = [json.loads(line) for line in stdout.splitlines()]
    assert len(lines) == 3
    for line in lines:
        assert {
            "path",
            "output",
            "integrated_lufs",
            "track_gain_db",
            "track_peak",
            "trimmed_ms",
            "seconds",
        } <= set(line)
        assert round(MP3(line["output"]).info.bitrate / 1000) == 192
        tags = read_gain(Path(line["output"]))
        assert tags.track_gain_db == pytest.approx(line["track_gain_db"], abs=0.01)
        assert tags.album_gain_db == pytest.approx(line["album_gain_db"], abs=0.01)
    assert len({line["album_gain_db"] for line in lines}) == 1
    assert len({line["track_gain_db"] for line in lines}) == 3
    # The sources are untouched with --out.
    assert sorted(p.name for p in album.iterdir()) == ["01 t.flac", "02 t.flac", "03 t.flac"]
    code, stdout, _ = _run("--config", str(config), "report", "--processing", "--json")
    stats = json.loads(stdout)
    assert (stats["files"], stats["ok"], stats["failed"], stats["converted"]) == (3, 3, 0, 3)
    assert stats["bytes_saved"] > 0


def test_in_place_and_a_bad_file_fails_alone(album: Path, config: Path) -> None:
    bad = album / "04 broken.flac"
    bad.write_bytes(b"fLaC" + b"\x00" * 500)
    code, stdout, _ = _run("--config", str(config), "process", str(album), "--json")
    assert code == 1
    lines = {Path(json.loads(line)["path"]).name: json.loads(line) for line in stdout.splitlines()}
    assert lines["04 broken.flac"]["output"] is None
    assert lines["04 broken.flac"]["reason"] == "unreadable"
    assert bad.read_bytes() == b"fLaC" + b"\x00" * 500
    assert read_gain(album / "01 t.flac").track_gain_db == pytest.approx(
        lines["01 t.flac"]["track_gain_db"]
    )
    code, stdout, _ = _run("--config", str(config), "report", "--processing", "--json")
    assert json.loads(stdout)["failed"] == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--to", "wav"], "--to must be one of"),
        (["--bitrate", "192"], "--bitrate needs --to"),
    ],
)
def test_bad_options(album: Path, config: Path, args: list[str], message: str) -> None:
    code, _, stderr = _run("--config", str(config), "process", str(album), *args)
    assert code == 2
    assert message in stderr


def test_missing_path(config: Path, tmp_path: Path) -> None:
    code, _, stderr = _run("--config", str(config), "process", str(tmp_path / "nope"))
    assert code == 2
    assert "no such file or folder" in stderr
