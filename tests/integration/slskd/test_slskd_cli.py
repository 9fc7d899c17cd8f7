"""``soulsync slskd test|search`` against the simulator."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from slskd_helpers import API_KEY
from typer.testing import CliRunner

from soulsync.cli.common import CliError, CliState
from soulsync.cli.slskd import availability_key, register, wanted_track
from soulsync.domain import SoulseekFile
from soulsync.sandbox.slskd import SlskdSimulator


def make_root(config: Path) -> typer.Typer:
    root = typer.Typer()

    @root.callback()
    def main(ctx: typer.Context) -> None:
        ctx.obj = CliState(config_path=config)

    register(root)
    return root


@pytest.fixture()
def config(tmp_path: Path, sim: SlskdSimulator) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f"""
[paths]
data_dir = "{tmp_path / "data"}"

[slskd]
url = "{sim.url}"
api_key = "{API_KEY}"
downloads_dir = "{sim.downloads_dir}"
min_gap_s = 0
search_timeout_ms = 1000
""",
        encoding="utf-8",
    )
    return path


def invoke(config: Path, *args: str) -> tuple[int, str, BaseException | None]:
    # A wide terminal so table cells and the summary line are not wrapped.
    result = CliRunner().invoke(make_root(config), list(args), env={"COLUMNS": "250"})
    return result.exit_code, result.output, result.exception


def test_slskd_test_ok(config: Path) -> None:
    code, out, _ = invoke(config, "slskd", "test")
    assert code == 0, out
    assert "ok: slskd 0.24.1, Connected, LoggedIn" in out
    assert API_KEY not in out


def test_slskd_test_failing(config: Path, sim: SlskdSimulator) -> None:
    sim.server_state = "Disconnected"
    code, _, exc = invoke(config, "slskd", "test")
    assert code != 0
    assert isinstance(exc, CliError) and "not logged in" in str(exc)


def test_search_ranked_for_artist_title(config: Path, sim: SlskdSimulator) -> None:
    code, out, _ = invoke(config, "slskd", "search", "Daft Punk - One More Time", "--limit", "50")
    assert code == 0, out
    assert "ranked for 'Daft Punk - One More Time' by the matching engine" in out
    assert "flacfan" in out and "One More Time" in out
    assert sim.counters.searches_posted == 1
    # The radio edit from a compilation and the studio files were all listed.
    assert "Radio Edit" in out


def test_search_free_text_uses_the_documented_order(config: Path) -> None:
    code, out, _ = invoke(config, "slskd", "search", "come together", "--limit", "5")
    assert code == 0, out
    assert "ordered by free slot, upload speed, queue length, size" in out


def test_search_when_slskd_is_down(config: Path, sim: SlskdSimulator) -> None:
    sim.stop()
    code, _, exc = invoke(config, "slskd", "search", "come together")
    assert code != 0
    assert isinstance(exc, CliError) and "not reachable" in str(exc)


@pytest.mark.parametrize(
    ("query", "artist", "title", "expected"),
    [
        ("Daft Punk - One More Time", None, None, ("Daft Punk", "One More Time")),
        ("daft punk one more time", None, None, None),
        ("x", "Adele", "Hello", ("Adele", "Hello")),
        ("anything", None, "Hello", (None, "Hello")),
    ],
)
def test_wanted_track(
    query: str, artist: str | None, title: str | None, expected: tuple[str | None, str] | None
) -> None:
    track = wanted_track(query, artist, title, 200.5)
    if expected is None:
        assert track is None
        return
    assert track is not None
    assert (track.artists[0] if track.artists else None, track.title) == expected
    assert track.duration_ms == 200500


def test_availability_key_orders_free_fast_short_big() -> None:
    def f(name: str, slot: bool, speed: int, queue: int, size: int) -> SoulseekFile:
        return SoulseekFile(
            username=name,
            filename=name,
            size=size,
            has_free_upload_slot=slot,
            upload_speed=speed,
            queue_length=queue,
        )

    files = [
        f("busy-fast", False, 9_000_000, 0, 1),
        f("free-slow", True, 100, 0, 1),
        f("free-fast-queued", True, 5_000, 9, 1),
        f("free-fast", True, 5_000, 0, 1),
        f("free-fast-big", True, 5_000, 0, 2),
    ]
    ordered = sorted(files, key=availability_key, reverse=True)
    assert [x.username for x in ordered] == [
        "free-fast-big",
        "free-fast",
        "free-fast-queued",
        "free-slow",
        "busy-fast",
    ]
