"""``soulsync test-connections`` against the demo sandbox, then with services down."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from soulsync.cli.app import app
from soulsync.cli.common import console
from soulsync.demo import Demo, prepare_demo
from soulsync.sandbox.media import AudioCache


@pytest.fixture()
def demo(tmp_path: Path) -> Iterator[Demo]:
    prepared = prepare_demo(tmp_path / "demo", audio_cache=AudioCache())
    width = console.width
    console.width = 200
    yield prepared
    console.width = width
    prepared.close()


def _lines(demo: Demo) -> tuple[int, dict[str, str]]:
    result = CliRunner().invoke(app, ["--config", str(demo.config_path), "test-connections"])
    rows = {}
    for line in result.stdout.splitlines():  # logs go to stderr
        name, _, rest = line.partition(" ")
        rows[name] = rest.strip()
    return result.exit_code, rows


def test_every_sandbox_service_answers(demo: Demo) -> None:
    code, rows = _lines(demo)
    assert code == 0, rows
    assert set(rows) >= {"slskd", "plex", "spotify", "deezer"}
    assert all(text.startswith("ok") for name, text in rows.items() if name), rows


def test_a_stopped_service_is_named_with_the_reason(demo: Demo) -> None:
    demo.sandbox.slskd.stop()
    demo.sandbox.plex.down = True
    code, rows = _lines(demo)
    assert code == 1
    assert rows["slskd"].startswith("failing") and "not reachable" in rows["slskd"]
    assert rows["plex"].startswith("failing") and "503" in rows["plex"]
    assert rows["spotify"].startswith("ok")


def test_youtube_line_says_which_yt_dlp_answers(demo: Demo) -> None:
    code, rows = _lines(demo)
    assert code == 0, rows
    assert rows["youtube"].startswith("ok") and "yt-dlp" in rows["youtube"], rows
    demo.sandbox.videosite.stop()
    code, rows = _lines(demo)
    assert code == 1
    assert rows["youtube"].startswith("failing"), rows


def test_a_transfer_folder_that_is_a_file_fails_the_folders_line(demo: Demo) -> None:
    """Issue 18 item 10: it passed test-connections and then failed every job."""
    transfer = demo.settings.transfer_dir
    moved = transfer.with_name("Transfer-moved")
    transfer.rename(moved)
    transfer.write_text("not a folder")
    try:
        code, rows = _lines(demo)
    finally:
        transfer.unlink()
        moved.rename(transfer)
    assert code == 1
    assert rows["folders"].startswith("failing")
    assert f"the Transfer folder {transfer} is a file" in rows["folders"]
    assert rows["slskd"].startswith("ok")


def test_a_transfer_folder_even_root_cannot_write_fails_the_folders_line(
    demo: Demo, mount_tmpfs: Callable[[Path, str], bool]
) -> None:
    """Issue 18 item 10: ``os.access`` said "writable" to root; a real write says otherwise."""
    transfer = demo.settings.transfer_dir
    if not mount_tmpfs(transfer, "size=64k,nr_inodes=1"):
        pytest.fail("cannot mount a tmpfs here: the case needs one (the tests run as root)")
    code, rows = _lines(demo)
    assert code == 1
    assert rows["folders"].startswith("failing")
    assert (
        f"the Transfer folder {transfer} is not writable (No space left on device)"
        in (rows["folders"])
    )
