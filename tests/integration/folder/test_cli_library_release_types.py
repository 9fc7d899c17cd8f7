"""``soulsync library find --album``: the sync's release rule from the command line.

A song owned only from Fleetwood Mac's "The Dance" (a live album whose name
never says so) is the studio song to a name-only check; asked for with the
album it comes from, the MusicBrainz simulator says "The Dance" is live and
the verdict is missing, as in a sync.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from typer.testing import CliRunner

from soulsync.cli import app as cli
from soulsync.sandbox.library_seed import library_seed_tracks, relative_path, write_seed_file
from soulsync.sandbox.media import AudioCache

pytestmark = pytest.mark.usefixtures("isolated_cli_env")
runner = CliRunner()


@pytest.fixture()
def config(tmp_path: Path, library_dir: Path, audio_cache: AudioCache, live_album_mb_sim) -> Path:  # type: ignore[no-untyped-def]
    studio = next(s for s in library_seed_tracks() if s.key == "rumours/Go Your Own Way")
    (library_dir / studio.relpath).unlink()
    live = dataclasses.replace(
        studio,
        album="The Dance",
        date="1997-08-19",
        isrc=None,
        track_number=9,
        relpath=relative_path("Fleetwood Mac", "The Dance", 1, 1, 9, studio.title),
    )
    write_seed_file(library_dir, live, audio_cache)
    path = tmp_path / "config.toml"
    path.write_text(
        f'[paths]\ndata_dir = "data"\n'
        f'[folder_library]\nenabled = true\npath = "{library_dir}"\n'
        f'[musicbrainz]\nenabled = true\napi_base = "{live_album_mb_sim.url}"\n',
        encoding="utf-8",
    )
    return path


def run(config: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(cli.app, ["--config", str(config), "library", *args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout + result.stderr


def test_find_with_the_album_applies_the_release_types(config: Path, live_album_mb_sim) -> None:  # type: ignore[no-untyped-def]
    assert run(config, "scan")[0] == 0
    # By name alone the live copy is the song: nothing is looked up.
    code, out = run(config, "find", "Fleetwood Mac - Go Your Own Way")
    assert code == 0 and out.startswith("owned"), out
    assert "The Dance" in out
    assert live_album_mb_sim.requests == 0

    code, out = run(config, "find", "Fleetwood Mac - Go Your Own Way", "--album", "Rumours")
    flat = " ".join(out.split())
    assert code == 1, out
    assert not flat.startswith("owned"), out
    assert "(MusicBrainz: Album, Live)" in flat, out
    assert live_album_mb_sim.requests == 2

    # Asked again: the answers come from the cache in the data folder.
    code, out = run(config, "find", "Fleetwood Mac - Go Your Own Way", "--album", "Rumours")
    assert code == 1 and live_album_mb_sim.requests == 2
