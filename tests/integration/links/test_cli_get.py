"""``soulsync get`` against the demo sandbox (in-process CLI, real sockets, real files)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from soulsync.cli.app import app
from soulsync.demo import Demo


def invoke(demo: Demo, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        app, ["--config", str(demo.config_path), *args], env={"COLUMNS": "300"}
    )
    return result.exit_code, result.output


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def test_dry_run_lists_the_album_with_badges_and_downloads_nothing(demo: Demo) -> None:
    # Abbey Road: two of its three tracks are in the seeded library.
    album = demo.sandbox.catalogue.albums["abbey-road"]
    before = _files(demo.settings.transfer_dir)
    code, out = invoke(
        demo, "get", "--dry-run", f"https://open.spotify.com/album/{album.spotify_id}"
    )
    assert code == 0, out
    assert "Abbey Road" in out
    assert out.count("owned") == 2, out
    assert out.count(" new") == 1, out
    assert _files(demo.settings.transfer_dir) == before


def test_get_youtube_source_fetches_the_track_soulseek_lacks(demo: Demo) -> None:
    track = demo.sandbox.catalogue.tracks["gruppa-krovi/Кукушка"]
    code, out = invoke(
        demo, "get", "--source", "youtube", f"https://open.spotify.com/track/{track.spotify_id}"
    )
    assert code == 0, out
    assert "completed" in out
    assert any(
        p.startswith("Кино/Кино - Группа крови/") and p.endswith("Кукушка.m4a")
        for p in _files(demo.settings.transfer_dir)
    ), _files(demo.settings.transfer_dir)


def test_get_rejects_what_is_not_a_link(demo: Demo) -> None:
    code, out = invoke(demo, "get", "https://open.spotify.com/episode/4uLU6hMCjMI75M1A2tKUQC")
    assert code != 0
    assert "episode" in out and "Traceback" not in out
