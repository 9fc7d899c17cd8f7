"""The download CLI against the demo sandbox (in-process, real sockets, real files)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from dl_helpers import tree
from typer.testing import CliRunner

from soulsync.cli.app import app
from soulsync.demo import Demo, prepare_demo
from soulsync.sandbox.media import AudioCache


@pytest.fixture()
def demo(tmp_path: Path, audio_cache: AudioCache) -> Iterator[Demo]:
    """The demo sandbox with a config file; closed after the test."""
    prepared = prepare_demo(tmp_path / "demo", time_scale=50, audio_cache=audio_cache)
    yield prepared
    prepared.close()


def invoke(demo: Demo, *args: str, stdin: str | None = None) -> tuple[int, str]:
    """Run ``soulsync --config <demo> ARGS``; returns the exit code and the output."""
    result = CliRunner().invoke(
        app, ["--config", str(demo.config_path), *args], input=stdin, env={"COLUMNS": "300"}
    )
    return result.exit_code, result.output


def test_download_by_name_then_history_and_clear(demo: Demo) -> None:
    code, out = invoke(demo, "download", "Adele - Hello")
    assert code == 0, out
    assert "Found Adele - Hello" in out and "completed" in out
    library = tree(demo.settings.transfer_dir)
    assert "Adele/Adele - 25/01 Hello.flac" in library, library
    code, out = invoke(demo, "history")
    assert code == 0 and "Adele - Hello" in out and "completed" in out
    code, out = invoke(demo, "queue", "clear")
    assert code == 0 and "cleared 1 completed job" in out
    code, out = invoke(demo, "queue")
    assert code == 0 and "the download queue is empty" in out


def test_download_with_pick_uses_the_chosen_file(demo: Demo) -> None:
    code, out = invoke(demo, "download", "Daft Punk - Digital Love", "--pick", stdin="2\n")
    assert code == 0, out
    assert "Ranked files" in out and "completed" in out
    assert any(
        p.endswith("03 Digital Love.flac") or p.endswith("03 Digital Love.mp3")
        for p in tree(demo.settings.transfer_dir)
    )


def test_download_folder_as_matched_album(demo: Demo) -> None:
    code, out = invoke(
        demo,
        "download",
        "--folder",
        "flacfan",
        "@@flacfan\\Music\\Adele\\2015 - 25 [FLAC]",
        "--artist",
        "Adele",
        "--album",
        "25",
    )
    assert code == 0, out
    assert {p for p in tree(demo.settings.transfer_dir) if p.endswith(".flac")} == {
        "Adele/Adele - 25/01 Hello.flac",
        "Adele/Adele - 25/02 Send My Love (To Your New Lover).flac",
        "Adele/Adele - 25/03 When We Were Young.flac",
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("download",), 'give either "Artist - Title" or --folder USER PATH'),
        (("download", "No Such Artist - No Such Song"), "no track found"),
        (("queue", "cancel", "999"), "no download job with id 999"),
        (("queue", "retry", "999"), "no download job with id 999"),
    ],
)
def test_bad_input_gets_one_clear_line(demo: Demo, args: tuple[str, ...], message: str) -> None:
    code, out = invoke(demo, *args)
    assert code != 0
    assert message in out


def test_cancel_and_retry_from_the_cli(demo: Demo) -> None:
    code, out = invoke(demo, "download", "Adele - Hello", "--no-wait")
    assert code == 0 and "queued job(s) 1" in out
    code, out = invoke(demo, "queue", "cancel", "1")
    assert code == 0 and "job 1: cancelled" in out
    code, out = invoke(demo, "queue", "retry", "1")
    assert code == 0 and "job 1: queued" in out
    code, out = invoke(demo, "queue")
    assert code == 0 and "completed" in out
