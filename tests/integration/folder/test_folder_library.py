"""The plain-folder library: mutagen scans into SQLite, incremental rescans, m3u8 playlists."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from mutagen.flac import FLAC

from soulsync.library.audio import TONE_FORMATS, sine_blocks, write_audio
from soulsync.providers.base import MediaServer, NotFound
from soulsync.providers.folder import FolderLibrary
from soulsync.sandbox.library_seed import library_seed_tracks, write_seed_file
from soulsync.sandbox.media import AudioCache
from soulsync.store import Store

# Blocking file work lives in these small sync helpers (the tests are async).


def _seed_path(root: Path, parts: tuple[str, ...]) -> str:
    return str(root.resolve().joinpath(*parts))


def _unlink(path: str) -> None:
    Path(path).unlink()


def _corrupt(path: str) -> None:
    Path(path).write_bytes(b"corrupted" * 100)


def _make_audio(target: Path, meta: dict[str, str]) -> None:
    """A 3 s tone whose tags FFmpeg's muxer writes (not mutagen, which reads them)."""
    target.parent.mkdir()
    fmt = {"m4a": "aac"}.get(target.suffix[1:], target.suffix[1:])
    encoding = TONE_FORMATS[fmt]
    rate = encoding.rate or 44100
    blocks = sine_blocks(300, 3.0, rate, 2)
    write_audio(target, encoding, blocks, sample_rate=rate, channels=2, metadata=meta)


def _resolve(base: Path, entries: list[str]) -> list[str]:
    return [os.path.normpath(base / p) for p in entries]


def _by_title(folder: FolderLibrary) -> dict[str, str]:
    return {t.title: t.id for t in folder.all_tracks_sync()}


def test_is_a_media_server(folder: FolderLibrary) -> None:
    assert isinstance(folder, MediaServer)


async def test_scan_reads_every_tag(folder: FolderLibrary, library_dir: Path) -> None:
    report = await folder.rescan()
    assert (report.seen, report.read, report.added, report.broken) == (12, 12, 12, ())
    tracks = await folder.all_tracks()
    seeds = {s.title: s for s in library_seed_tracks()}
    assert sorted(t.title for t in tracks) == sorted(seeds)
    for track in tracks:
        seed = seeds[track.title]
        assert track.id == track.path
        assert track.path == _seed_path(library_dir, seed.relpath.parts)
        assert track.artist == seed.artist
        assert track.album == seed.album
        assert track.album_artist == seed.album_artist
        assert track.track_number == seed.track_number
        assert track.disc_number == seed.disc_number
        assert track.isrc == seed.isrc
        assert track.year == seed.year
        assert track.duration_ms is not None and abs(track.duration_ms - seed.duration_ms) < 50


async def test_results_persist_in_the_store(
    folder: FolderLibrary, library_dir: Path, store: Store
) -> None:
    await folder.rescan()
    again = FolderLibrary(library_dir, store)
    assert len(await again.all_tracks()) == 12  # from SQLite, no scan
    report = await again.rescan()
    assert (report.read, report.unchanged) == (0, 12)


async def test_rescan_is_incremental(
    folder: FolderLibrary, library_dir: Path, audio_cache: AudioCache
) -> None:
    await folder.rescan()
    keys = _by_title(folder)
    # add one file, retag another, delete a third
    added = write_seed_file(
        library_dir, library_seed_tracks(keys=["discovery/Digital Love"])[0], audio_cache
    )
    changed = Path(keys["Something"])
    audio = FLAC(changed)
    audio["title"] = "Something (2019 Mix)"
    audio.save()
    _unlink(keys["Hello"])

    report = await folder.rescan()
    assert report.read == 2  # only the new and the changed file were opened
    assert (report.added, report.updated, report.removed, report.unchanged) == (1, 1, 1, 10)
    titles = _by_title(folder)
    assert titles["Digital Love"] == str(added)
    assert titles["Something (2019 Mix)"] == str(changed)
    assert "Hello" not in titles and "Something" not in titles
    assert len(titles) == 12


async def test_rescan_of_one_folder_only_looks_there(
    folder: FolderLibrary, library_dir: Path
) -> None:
    await folder.rescan()
    shutil.rmtree(library_dir / "Adele")
    shutil.rmtree(library_dir / "Queen")
    report = await folder.rescan(str(library_dir / "Queen"))
    assert report.removed == 1
    titles = _by_title(folder)
    assert "Bohemian Rhapsody" not in titles
    assert "Hello" in titles  # outside the scanned folder: not noticed yet
    with pytest.raises(NotFound, match="not inside the library folder"):
        await folder.rescan("/etc")


def _broken_files(root: Path) -> dict[str, str]:
    bad = root / "Broken"
    bad.mkdir()
    (bad / "garbage.flac").write_bytes(b"this is not audio at all" * 10)
    (bad / "empty.mp3").write_bytes(b"")
    (bad / "cover.jpg").write_bytes(b"\xff\xd8\xff not scanned")
    truncated = bad / "truncated.flac"
    good = next(root.rglob("*.flac"))
    truncated.write_bytes(good.read_bytes()[:20])
    return {
        "garbage.flac": str(bad / "garbage.flac"),
        "empty.mp3": str(bad / "empty.mp3"),
        "truncated.flac": str(truncated),
    }


async def test_broken_files_are_reported_not_fatal(
    folder: FolderLibrary, library_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    broken = _broken_files(library_dir)
    caplog.set_level(logging.WARNING, logger="soulsync.providers.folder")
    report = await folder.rescan()
    assert report.added == 12
    assert sorted(p for p, _ in report.broken) == sorted(broken.values())
    assert all(reason for _, reason in report.broken)
    assert "3 unreadable" in report.summary()
    for path in broken.values():
        assert path in caplog.text
    assert len(await folder.all_tracks()) == 12


async def test_a_file_that_turns_broken_leaves_the_index(
    folder: FolderLibrary, library_dir: Path
) -> None:
    await folder.rescan()
    victim = _by_title(folder)["Love Story"]
    _corrupt(victim)
    report = await folder.rescan()
    assert [p for p, _ in report.broken] == [victim]
    assert "Love Story" not in _by_title(folder)


@pytest.mark.parametrize("ext", ["mp3", "m4a", "ogg", "opus"])
async def test_other_formats_are_read(folder: FolderLibrary, library_dir: Path, ext: str) -> None:
    target = library_dir / "Other" / f"01 Song.{ext}"
    meta = {
        "title": "Ünïcode Song",
        "artist": "Some Artist",
        "album": "Some Album",
        "album_artist": "Album Artist",
        "track": "4/9",
        "disc": "2/2",
        "date": "1999-02-03",
    }
    _make_audio(target, meta)
    await folder.rescan()
    track = next(t for t in await folder.all_tracks() if t.id == str(target))
    assert (track.title, track.artist, track.album, track.album_artist) == (
        "Ünïcode Song",
        "Some Artist",
        "Some Album",
        "Album Artist",
    )
    assert (track.track_number, track.disc_number, track.year) == (4, 2, 1999)
    assert track.duration_ms is not None and abs(track.duration_ms - 3000) < 100


def _playlist_text(folder: FolderLibrary, name: str) -> str:
    return (folder.playlists_dir / name).read_text(encoding="utf-8")


async def test_m3u8_playlist_with_relative_paths_in_order(
    folder: FolderLibrary, library_dir: Path
) -> None:
    await folder.rescan()
    keys = _by_title(folder)
    order = ["Uptown Funk", "Hello", "Something", "Hello"]
    created = await folder.create_playlist("Road Trip", [keys[t] for t in order])
    assert created.id == "Road Trip.m3u8"
    assert list(created.item_ids) == [keys[t] for t in order]
    lines = _playlist_text(folder, created.id).splitlines()
    assert lines[0] == "#EXTM3U"
    assert lines[1] == "#PLAYLIST:Road Trip"
    assert lines[2] == "#EXTINF:271,Mark Ronson & Bruno Mars - Uptown Funk"
    assert lines[3] == "../Mark Ronson/Mark Ronson - Uptown Special/01 Uptown Funk.flac"
    paths = [line for line in lines if not line.startswith("#")]
    assert all(not p.startswith("/") for p in paths)
    assert _resolve(folder.playlists_dir, paths) == [keys[t] for t in order]

    new_order = ["Something", "September", "Uptown Funk"]
    replaced = await folder.replace_playlist_items(created.id, [keys[t] for t in new_order])
    assert list(replaced.item_ids) == [keys[t] for t in new_order]
    assert replaced.title == "Road Trip"
    assert await folder.get_playlist(created.id) == replaced
    assert [p.id for p in await folder.list_playlists()] == ["Road Trip.m3u8"]
    assert await folder.delete_playlist(created.id) is True
    assert await folder.get_playlist(created.id) is None


async def test_playlist_names_are_safe_and_unique(folder: FolderLibrary) -> None:
    await folder.rescan()
    one = next(iter(_by_title(folder).values()))
    first = await folder.create_playlist("AC/DC: Best?", [one])
    second = await folder.create_playlist("AC/DC: Best?", [one])
    assert (first.id, second.id) == ("AC_DC_ Best_.m3u8", "AC_DC_ Best_ (2).m3u8")
    assert first.title == second.title == "AC/DC: Best?"
    assert all(p.parent == folder.playlists_dir for p in folder.playlists_dir.iterdir())


@pytest.mark.parametrize(
    ("playlist_id", "message"),
    [
        ("../escape.m3u8", "not a playlist file name"),
        ("/etc/passwd", "not a playlist file name"),
        ("notes.txt", "not a playlist file name"),
        ("missing.m3u8", "there is no playlist"),
    ],
)
async def test_hostile_or_unknown_playlist_ids(
    folder: FolderLibrary, playlist_id: str, message: str
) -> None:
    with pytest.raises(NotFound, match=message):
        await folder.replace_playlist_items(playlist_id, [])


async def test_playlist_entries_must_be_library_files(
    folder: FolderLibrary, library_dir: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside.flac"
    outside.write_bytes(b"x")
    with pytest.raises(NotFound, match="not inside the library folder"):
        await folder.create_playlist("Bad", [str(outside)])
    with pytest.raises(NotFound, match="does not exist"):
        await folder.create_playlist("Bad", [str(library_dir / "nope.flac")])
    assert not folder.playlists_dir.exists() or not any(folder.playlists_dir.iterdir())


def test_playlists_folder_must_be_inside_the_library(
    library_dir: Path, store: Store, tmp_path: Path
) -> None:
    with pytest.raises(ValueError, match="must be inside the library folder"):
        FolderLibrary(library_dir, store, playlists_dir=tmp_path / "elsewhere")
    with pytest.raises(ValueError, match="must be inside the library folder"):
        FolderLibrary(library_dir, store, playlists_dir="../up")


async def test_connection_and_stats(folder: FolderLibrary, store: Store, tmp_path: Path) -> None:
    await folder.rescan()
    status = await folder.test_connection()
    assert status.ok and "12 tracks" in status.detail
    stats = await folder.stats()
    assert (stats.tracks, stats.formats) == (12, {"flac": 12})
    assert stats.artists == 11  # The Beatles own two of the twelve
    assert stats.albums == 11
    expected_ms = sum(s.duration_ms for s in library_seed_tracks())
    assert abs(stats.duration_ms - expected_ms) < 12 * 50
    missing = FolderLibrary(tmp_path / "nowhere", store)
    status = await missing.test_connection()
    assert not status.ok and "does not exist" in status.detail
    with pytest.raises(NotFound, match="does not exist"):
        await missing.rescan()


async def test_relative_ids_and_parent_escapes(folder: FolderLibrary, library_dir: Path) -> None:
    await folder.rescan()
    created = await folder.create_playlist("Rel", ["Adele/Adele - 25/01 Hello.flac"])
    assert created.item_ids == (_seed_path(library_dir, ("Adele", "Adele - 25", "01 Hello.flac")),)
    with pytest.raises(NotFound, match="not inside the library folder"):
        await folder.create_playlist("Up", ["../outside.flac"])


async def test_concurrent_rescans_are_serialised(folder: FolderLibrary) -> None:
    reports = await asyncio.gather(folder.rescan(), folder.rescan(), folder.rescan())
    assert sorted(r.added for r in reports) == [0, 0, 12]
    assert len(await folder.all_tracks()) == 12


async def test_library_version_moves_when_a_file_is_added_or_removed(
    folder: FolderLibrary, library_dir: Path
) -> None:
    """Issue 18 item 8: directory mtimes tell a sync that the folder changed."""
    before = await folder.library_version()
    assert before is not None and await folder.library_version() == before
    victim = await asyncio.to_thread(lambda: next(library_dir.rglob("*.flac")))
    await asyncio.to_thread(victim.unlink)
    removed = await folder.library_version()
    assert removed is not None and removed != before
    await asyncio.to_thread(
        _make_audio, library_dir / "New Artist" / "01 New.flac", {"title": "New", "artist": "A"}
    )
    added = await folder.library_version()
    assert added is not None and added not in (before, removed)


async def test_connection_fails_when_even_root_cannot_write_playlists(
    folder: FolderLibrary, mount_tmpfs: Callable[[Path, str], bool]
) -> None:
    """Issue 18 item 10: ``os.access`` said "writable" to root; a real write says otherwise."""
    if not mount_tmpfs(folder.playlists_dir, "size=64k,nr_inodes=1"):
        pytest.fail("cannot mount a tmpfs here: the case needs one (the tests run as root)")
    status = await folder.test_connection()
    assert not status.ok
    assert status.detail == (
        f"cannot write playlists: the playlists folder {folder.playlists_dir} "
        "is not writable (No space left on device)"
    )
