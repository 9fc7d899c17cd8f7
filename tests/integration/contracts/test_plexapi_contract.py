"""Contract: the Plex sandbox driven by plexapi, the client users know (issue 13).

Includes what a late scan looks like to a client: the section's
``refreshing`` attribute and the server's ``/activities``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from plexapi.server import PlexServer

from soulsync.sandbox.library_seed import library_seed_tracks, seed_library, write_seed_file
from soulsync.sandbox.media import AudioCache
from soulsync.sandbox.plex import PlexSimulator


@pytest.fixture(scope="module")
def audio_cache() -> AudioCache:
    return AudioCache()


@pytest.fixture()
def library_dir(tmp_path: Path, audio_cache: AudioCache) -> Path:
    folder = tmp_path / "Music"
    seed_library(folder, cache=audio_cache)
    return folder


@pytest.fixture()
def plex_sim(library_dir: Path) -> Iterator[PlexSimulator]:
    sim = PlexSimulator([library_dir], scan_start_delay_s=0.3, scan_duration_s=0.6).start()
    sim.wait_idle()
    yield sim
    sim.stop()


@pytest.fixture()
def plex(plex_sim: PlexSimulator) -> PlexServer:
    return PlexServer(plex_sim.url, plex_sim.token, timeout=10)


def test_music_section_tracks_and_playlists(plex: PlexServer) -> None:
    music = plex.library.section("Music")
    tracks = music.searchTracks()
    assert tracks and all(t.media[0].parts[0].file for t in tracks)
    hello = next(t for t in tracks if t.title == "Hello")
    playlist = plex.createPlaylist("Contract", items=[hello])
    assert [i.title for i in playlist.items()] == ["Hello"]
    playlist.delete()


def test_a_late_scan_shows_as_refreshing_and_activity(
    plex: PlexServer, plex_sim: PlexSimulator, library_dir: Path, audio_cache: AudioCache
) -> None:
    seed = library_seed_tracks(keys=["discovery/Aerodynamic"])[0]
    write_seed_file(library_dir, seed, audio_cache)
    music = plex.library.section("Music")
    scanned_before = music._data.attrib.get("scannedAt")  # plexapi keeps it raw only
    music.update()
    assert not music.reload().refreshing  # queued: not started yet
    seen_refreshing = seen_activity = False
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not (seen_refreshing and seen_activity):
        seen_refreshing |= bool(music.reload().refreshing)
        seen_activity |= any(a.type.startswith("library.update") for a in plex.activities)
        time.sleep(0.05)
    assert seen_refreshing and seen_activity
    plex_sim.wait_idle()
    music.reload()
    assert not music.refreshing and music._data.attrib.get("scannedAt") != scanned_before
    assert any(t.title == "Aerodynamic" for t in music.searchTracks(title="Aerodynamic"))


def test_wrong_token_is_refused(plex_sim: PlexSimulator) -> None:
    from plexapi.exceptions import Unauthorized

    with pytest.raises(Unauthorized):
        PlexServer(plex_sim.url, "not-the-token", timeout=5)
