"""plexapi 4.18.3, unmodified, against the Plex simulator over a real socket."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
import requests
from mutagen.flac import FLAC
from plexapi.exceptions import NotFound, Unauthorized
from plexapi.server import PlexServer

from soulsync.sandbox.catalogue import build_catalogue
from soulsync.sandbox.library_seed import library_seed_tracks, write_seed_file
from soulsync.sandbox.media import AudioCache
from soulsync.sandbox.plex import PlexSimulator


def test_plexapi_lists_the_sandbox_library(plex: PlexServer, library_dir: Path) -> None:
    assert plex.machineIdentifier
    section = plex.library.section("Music")
    assert section.type == "artist"
    assert section.locations == [str(library_dir.resolve())]
    tracks = section.searchTracks()
    seeds = {s.title: s for s in library_seed_tracks()}
    assert sorted(t.title for t in tracks) == sorted(seeds)
    for track in tracks:
        seed = seeds[track.title]
        assert track.grandparentTitle == seed.album_artist
        assert track.parentTitle == seed.album
        assert track.index == seed.track_number
        assert track.parentIndex == seed.disc_number
        assert track.year == seed.year
        # FLAC durations read back by mutagen are exact to the sample.
        assert abs(track.duration - seed.duration_ms) < 50
        assert Path(track.locations[0]).is_file()
        assert track.librarySectionID == section.key
    uptown = next(t for t in tracks if t.title == "Uptown Funk")
    assert uptown.originalTitle == "Mark Ronson & Bruno Mars"
    hello = next(t for t in tracks if t.title == "Hello")
    assert hello.originalTitle is None or hello.originalTitle == "Adele"


def test_movie_section_is_listed_first_and_is_not_music(plex: PlexServer) -> None:
    kinds = [(s.title, s.type) for s in plex.library.sections()]
    assert kinds == [("Movies", "movie"), ("Music", "artist")]


def test_paging_past_100_tracks_uses_the_container_headers(
    plex: PlexServer, plex_sim: PlexSimulator
) -> None:
    plex_sim.add_synthetic_tracks(250)
    plex_sim.reset_counters()
    tracks = plex.library.section("Music").searchTracks()
    keys = [t.ratingKey for t in tracks]
    assert len(keys) == 262
    assert len(set(keys)) == 262  # no page returned duplicates
    pages = [r for r in plex_sim.log() if r.path.endswith("/all")]
    assert [r.container_start for r in pages] == ["0", "100", "200"]
    assert {r.container_size for r in pages} == {"100"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("hello", ["Hello"]),
        ("SOMETHING", ["Something"]),
        ("o", None),  # many: every title with an "o"
        ("no such song", []),
    ],
)
def test_title_filter_is_partial_and_case_insensitive(
    plex: PlexServer, query: str, expected: list[str] | None
) -> None:
    titles = sorted(t.title for t in plex.library.section("Music").searchTracks(title=query))
    if expected is None:
        all_titles = [s.title for s in library_seed_tracks()]
        expected = sorted(t for t in all_titles if "o" in t.lower())
    assert titles == expected


def test_filters_validated_through_meta(plex: PlexServer) -> None:
    section = plex.library.section("Music")
    both = section.searchTracks(title=["Hello", "Something"])
    assert sorted(t.title for t in both) == ["Hello", "Something"]
    beatles = section.searchTracks(**{"artist.title": "beatles"})
    assert sorted(t.title for t in beatles) == ["Come Together", "Something"]


def test_metadata_reload_and_parents(plex: PlexServer) -> None:
    track = plex.library.section("Music").searchTracks(title="Hello")[0]
    track.reload()
    assert track.title == "Hello"
    assert track.album().title == "25"
    assert track.artist().title == "Adele"
    with pytest.raises(NotFound):
        plex.fetchItem(999_999)


def test_hub_search_finds_tracks(plex: PlexServer) -> None:
    found = plex.search("teen spirit", mediatype="track")
    assert [t.title for t in found] == ["Smells Like Teen Spirit"]
    assert plex.search("zzz no match", mediatype="track") == []


def test_create_list_edit_and_delete_a_playlist(plex: PlexServer) -> None:
    section = plex.library.section("Music")
    by_title = {t.title: t for t in section.searchTracks()}
    order = ["Something", "Hello", "September", "Blinding Lights"]
    playlist = plex.createPlaylist("Road Trip", items=[by_title[t] for t in order])
    assert playlist.playlistType == "audio"
    assert [i.title for i in playlist.items()] == order
    assert [p.title for p in plex.playlists(playlistType="audio")] == ["Road Trip"]
    assert plex.playlist("Road Trip").ratingKey == playlist.ratingKey

    playlist.addItems([by_title["Love Story"]])
    playlist.reload()
    items = playlist.items()
    assert [i.title for i in items] == [*order, "Love Story"]
    assert len({i.playlistItemID for i in items}) == 5

    playlist.moveItem(items[4], after=items[0])
    playlist.reload()
    playlist.removeItems([by_title["Hello"]])
    playlist.reload()
    assert [i.title for i in playlist.items()] == [
        "Something",
        "Love Story",
        "September",
        "Blinding Lights",
    ]
    assert playlist.leafCount == 4
    playlist.delete()
    assert plex.playlists(playlistType="audio") == []


def test_refresh_picks_up_a_new_file_and_keeps_rating_keys(
    plex: PlexServer, plex_sim: PlexSimulator, library_dir: Path, audio_cache: AudioCache
) -> None:
    section = plex.library.section("Music")
    before = {t.locations[0]: t.ratingKey for t in section.searchTracks()}
    new_key = "discovery/Digital Love"
    assert new_key in build_catalogue().tracks
    seed = library_seed_tracks(keys=[new_key])[0]
    path = write_seed_file(library_dir, seed, audio_cache)

    section.update()
    # The scan starts a moment later and takes a while: it is visible meanwhile.
    deadline = time.monotonic() + 5
    seen_activity = False
    while time.monotonic() < deadline and not seen_activity:
        seen_activity = any(a.type == "library.update.section" for a in plex.activities)
        time.sleep(0.02)
    assert seen_activity
    assert plex_sim.wait_idle(5)
    assert plex.activities == []

    after = {t.locations[0]: t.ratingKey for t in section.searchTracks()}
    assert str(path) in after
    assert {p: k for p, k in after.items() if p != str(path)} == before


def test_refresh_of_one_folder_and_removal(
    plex: PlexServer, plex_sim: PlexSimulator, library_dir: Path
) -> None:
    adele = library_dir / "Adele"
    shutil.rmtree(adele)
    plex.library.section("Music").update(path=str(library_dir / "Queen"))
    assert plex_sim.wait_idle(5)
    # Only Queen's folder was rescanned: Adele's vanished file is still listed.
    assert any(t.title == "Hello" for t in plex.library.section("Music").searchTracks())
    plex.library.section("Music").update(path=str(adele.parent))
    assert plex_sim.wait_idle(5)
    assert not any(t.title == "Hello" for t in plex.library.section("Music").searchTracks())
    plex.library.section("Music").update(path="/etc")
    assert plex_sim.wait_idle(5)
    assert plex_sim.ignored_refresh_paths == ["/etc"]


def test_unknown_playlist_is_404(plex: PlexServer) -> None:
    with pytest.raises(NotFound):
        plex.fetchItem("/playlists/424242")


@pytest.mark.parametrize(
    ("headers", "query", "status"),
    [
        ({}, "", 401),
        ({"X-Plex-Token": "wrong"}, "", 401),
        ({"X-Plex-Token": "<token>"}, "", 200),
        ({}, "?X-Plex-Token=<token>", 200),
    ],
)
def test_token_required_in_header_or_query(
    plex_sim: PlexSimulator, plex_token: str, headers: dict[str, str], query: str, status: int
) -> None:
    headers = {k: v.replace("<token>", plex_token) for k, v in headers.items()}
    query = query.replace("<token>", plex_token)
    response = requests.get(f"{plex_sim.url}/library/sections{query}", headers=headers, timeout=5)
    assert response.status_code == status
    # The simulator's own log never keeps a token value.
    assert all(plex_token not in r.query for r in plex_sim.log())


def test_plexapi_raises_unauthorized_for_a_wrong_token(plex_sim: PlexSimulator) -> None:
    with pytest.raises(Unauthorized):
        PlexServer(plex_sim.url, "wrong-token", timeout=5)


def test_down_knob_answers_503(plex_sim: PlexSimulator, plex_token: str) -> None:
    headers = {"X-Plex-Token": plex_token}
    plex_sim.down = True
    assert requests.get(f"{plex_sim.url}/identity", headers=headers, timeout=5).status_code == 503
    plex_sim.down = False
    assert requests.get(f"{plex_sim.url}/identity", headers=headers, timeout=5).ok


def test_retagged_file_shows_new_tags_after_refresh(
    plex: PlexServer, plex_sim: PlexSimulator
) -> None:
    section = plex.library.section("Music")
    hello = section.searchTracks(title="Hello")[0]
    audio = FLAC(hello.locations[0])
    audio["title"] = "Hello (Live)"
    audio.save()
    section.update()
    assert plex_sim.wait_idle(5)
    again = plex.fetchItem(hello.ratingKey)
    assert again.title == "Hello (Live)"  # same ratingKey, fresh tags, no stale cache


def test_refreshes_arriving_during_a_scan_are_not_lost(
    plex: PlexServer, plex_sim: PlexSimulator, library_dir: Path, audio_cache: AudioCache
) -> None:
    section = plex.library.section("Music")
    section.update()
    seed = library_seed_tracks(keys=["discovery/Digital Love"])[0]
    write_seed_file(library_dir, seed, audio_cache)
    section.update()  # queued behind the running scan
    assert plex_sim.wait_idle(5)
    assert any(t.title == "Digital Love" for t in section.searchTracks())
