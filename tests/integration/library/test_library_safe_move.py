"""safe_move: real files, real filesystems (tmpfs, read-only mounts), real failures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import av
import pytest

from soulsync.library.audio import probe
from soulsync.library.layout import safe_download_name
from soulsync.library.safe_move import (
    TEMP_PREFIX,
    MoveError,
    MoveReason,
    copy_file,
    prune_empty_dirs,
    recover_incomplete,
    safe_move,
)
from soulsync.library.tags import Picture, TagSet, read_tags

Place = Callable[[str, str], Path]
Roots = tuple[Path, Path]


def _tags(cover: bytes | None = None, title: str = "Song") -> TagSet:
    return TagSet(
        title=title,
        artists=("Artist", "Guest"),
        album="Album",
        album_artist="Artist",
        track_number=1,
        track_total=9,
        disc_number=1,
        disc_total=1,
        date="2024-05-01",
        ids={"SPOTIFY_TRACK_ID": "abc123"},
        source_url="https://open.spotify.com/track/abc123",
        cover=Picture(cover) if cover else None,
    )


def _all_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def _temps(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.startswith(TEMP_PREFIX)]


EXT = {"flac": "flac", "mp3": "mp3", "aac": "m4a", "alac": "m4a", "ogg": "ogg", "opus": "opus"}


@pytest.mark.parametrize("fmt", list(EXT))
def test_move_tags_verifies_and_cleans_up(
    place: Place, roots: Roots, cover_jpeg: bytes, fmt: str
) -> None:
    downloads, library = roots
    (downloads / "other-user").mkdir()  # a sibling folder that must survive
    source = place(fmt, f"peer/Some Album/01 song.{EXT[fmt]}")
    original_info = probe(source)
    rel = f"Artist/Artist - Album/01 Song.{EXT[fmt]}"

    result = safe_move(
        source, rel, library_root=library, downloads_root=downloads, tags=_tags(cover_jpeg)
    )

    final = library / rel
    assert result.status == "moved"
    assert result.destination == final
    assert result.size == final.stat().st_size
    assert result.duration_s == pytest.approx(original_info.duration_s, abs=0.01)
    assert not source.exists()
    assert result.removed_dirs == (downloads / "peer" / "Some Album", downloads / "peer")
    assert sorted(p.name for p in downloads.iterdir()) == ["other-user"]
    assert _all_files(library) == [rel]
    # Read back with a fresh mutagen object and with FFmpeg's own demuxer (PyAV).
    got = read_tags(final)
    assert got.title == "Song" and got.artists == ("Artist", "Guest")
    assert got.cover is not None and got.cover.data == cover_jpeg
    with av.open(str(final)) as container:
        tags = {k.lower(): v for k, v in container.metadata.items()}
        for stream in container.streams.audio:  # Ogg keeps its comments on the stream
            tags.update({k.lower(): v for k, v in stream.metadata.items()})
        assert any(s.disposition.attached_pic for s in container.streams.video)
    assert tags["title"] == "Song" and tags["album"] == "Album"
    assert tags["spotify_track_id"] == "abc123"
    assert probe(final).duration_s == pytest.approx(original_info.duration_s, abs=0.05)
    assert set(result.timings_ms) >= {"check", "copy", "tag", "fsync", "readback", "probe", "place"}


def test_probe_copy_also_checks_the_copy(place: Place, roots: Roots) -> None:
    downloads, library = roots
    source = place("mp3", "p/a.mp3")
    result = safe_move(
        source,
        "A/a.mp3",
        library_root=library,
        downloads_root=downloads,
        tags=_tags(),
        probe_copy=True,
    )
    assert result.status == "moved"
    assert "probe_copy" in result.timings_ms


def test_different_file_at_destination_gets_a_numbered_name(place: Place, roots: Roots) -> None:
    downloads, library = roots
    folder = library / "Artist" / "Artist - Album"
    folder.mkdir(parents=True)
    (folder / "01 Song.flac").write_bytes(b"someone else's file")
    (folder / "01 Song (2).flac").write_bytes(b"and another one")
    source = place("flac", "peer/x.flac")

    result = safe_move(
        source,
        "Artist/Artist - Album/01 Song.flac",
        library_root=library,
        downloads_root=downloads,
        tags=_tags(),
    )

    assert result.status == "moved"
    assert result.destination == folder / "01 Song (3).flac"
    assert (folder / "01 Song.flac").read_bytes() == b"someone else's file"
    assert (folder / "01 Song (2).flac").read_bytes() == b"and another one"
    assert read_tags(result.destination).title == "Song"


def test_same_file_arriving_twice_is_not_duplicated(place: Place, roots: Roots) -> None:
    downloads, library = roots
    rel = "Artist/Artist - Album/01 Song.flac"
    first = safe_move(
        place("flac", "peer/A/x.flac"),
        rel,
        library_root=library,
        downloads_root=downloads,
        tags=_tags(),
    )
    before = first.destination.stat()
    second_source = place("flac", "other/B/x.flac")
    second = safe_move(
        second_source, rel, library_root=library, downloads_root=downloads, tags=_tags()
    )
    assert (first.status, second.status) == ("moved", "already_present")
    assert second.destination == first.destination
    assert first.destination.stat().st_mtime_ns == before.st_mtime_ns
    assert not second_source.exists()
    assert _all_files(library) == [rel]
    assert list(downloads.iterdir()) == []


def test_same_audio_with_different_tags_is_kept_apart(place: Place, roots: Roots) -> None:
    downloads, library = roots
    rel = "A/A - B/01 Song.flac"
    safe_move(
        place("flac", "p/1.flac"), rel, library_root=library, downloads_root=downloads, tags=_tags()
    )
    second = safe_move(
        place("flac", "p/2.flac"),
        rel,
        library_root=library,
        downloads_root=downloads,
        tags=_tags(title="Other"),
    )
    assert second.status == "moved"
    assert second.destination.name == "01 Song (2).flac"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"this is not audio at all " * 400, MoveReason.CORRUPT_AUDIO),
        (b"", MoveReason.CORRUPT_AUDIO),
        (b"fLaC\x00\x00\x00\x22" + b"\x00" * 2000, MoveReason.CORRUPT_AUDIO),
    ],
)
def test_corrupt_audio_fails_and_keeps_original(
    roots: Roots, content: bytes, reason: MoveReason
) -> None:
    downloads, library = roots
    source = downloads / "peer" / "Album" / "bad.flac"
    source.parent.mkdir(parents=True)
    source.write_bytes(content)
    with pytest.raises(MoveError) as err:
        safe_move(
            source,
            "A/A - B/01 x.flac",
            library_root=library,
            downloads_root=downloads,
            tags=_tags(),
        )
    assert err.value.reason is reason
    assert source.read_bytes() == content
    assert list(library.iterdir()) == []  # no temp file, no folders left behind


@pytest.mark.parametrize("kind", ["noise", "mp3"])
def test_truncated_audio_fails_and_keeps_original(
    place: Place, roots: Roots, masters: dict[str, Path], kind: str
) -> None:
    downloads, library = roots
    ext = "flac" if kind == "noise" else "mp3"
    full = masters[kind].read_bytes()
    if kind == "mp3":  # 3 s is too short to notice a cut: make a longer one
        from soulsync.library.audio import generate_tone

        full = generate_tone(library.parent / "long.mp3", "mp3", 20.0, noise=True).read_bytes()
    source = downloads / "peer" / f"cut.{ext}"
    source.parent.mkdir(parents=True)
    source.write_bytes(full[: len(full) // 3])
    with pytest.raises(MoveError, match="truncated") as err:
        safe_move(
            source, f"A/x.{ext}", library_root=library, downloads_root=downloads, tags=_tags()
        )
    assert err.value.reason is MoveReason.CORRUPT_AUDIO
    assert source.read_bytes() == full[: len(full) // 3]
    assert list(library.iterdir()) == []


def test_expected_duration_mismatch(place: Place, roots: Roots) -> None:
    downloads, library = roots
    source = place("flac", "p/x.flac")
    with pytest.raises(MoveError, match=r"expected 200\.0s") as err:
        safe_move(
            source,
            "A/x.flac",
            library_root=library,
            downloads_root=downloads,
            expected_duration_s=200.0,
        )
    assert err.value.reason is MoveReason.VERIFY_FAILED
    assert source.exists()
    ok = safe_move(
        source,
        "A/x.flac",
        library_root=library,
        downloads_root=downloads,
        expected_duration_s=3.5,
        duration_tolerance_s=1.0,
    )
    assert ok.status == "moved"


def test_full_disk_fails_and_keeps_original(
    place: Place, roots: Roots, tiny_tmpfs: Path | None
) -> None:
    """A real 1 MiB tmpfs as the library; the 20 s noise FLAC (~3.5 MB) cannot fit.

    Where mounting is not permitted (not root), the same move runs under an
    RLIMIT_FSIZE instead, so the write still really fails.
    """
    downloads, library = roots
    source = place("noise", "peer/Album/01 big.flac")
    original = source.read_bytes()
    if tiny_tmpfs is None:
        outcome = _move_under_rlimit(source, library, downloads)
        assert outcome["reason"] == "no_space"
        assert source.read_bytes() == original
        assert list(library.iterdir()) == []
        return
    with pytest.raises(MoveError) as err:
        safe_move(
            source,
            "Artist/Artist - Album/01 Big.flac",
            library_root=tiny_tmpfs,
            downloads_root=downloads,
            tags=_tags(),
        )
    assert err.value.reason is MoveReason.NO_SPACE
    assert "No space left" in str(err.value)
    assert source.read_bytes() == original
    assert list(tiny_tmpfs.iterdir()) == []  # temp file and new folders removed
    usage = os.statvfs(tiny_tmpfs)
    assert usage.f_bfree == usage.f_blocks  # nothing left occupying the disk


RLIMIT_CHILD = textwrap.dedent(
    """
    import json, resource, signal, sys
    from pathlib import Path
    from soulsync.library.safe_move import MoveError, safe_move
    # Writes past the limit fail with EFBIG instead of killing the process.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (500_000, 500_000))
    src, lib, dl = map(Path, sys.argv[1:4])
    try:
        safe_move(src, "A/A - B/01 x.flac", library_root=lib, downloads_root=dl)
    except MoveError as exc:
        print(json.dumps({"reason": exc.reason.value, "message": exc.message}))
    else:
        print(json.dumps({"reason": None}))
    """
)


def _move_under_rlimit(source: Path, library: Path, downloads: Path) -> dict[str, str | None]:
    proc = subprocess.run(
        [sys.executable, "-c", RLIMIT_CHILD, str(source), str(library), str(downloads)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    outcome: dict[str, str | None] = json.loads(proc.stdout.strip().splitlines()[-1])
    return outcome


def test_file_size_limit_fails_and_keeps_original(place: Place, roots: Roots) -> None:
    """RLIMIT_FSIZE in a child process: the copy's writes fail with EFBIG."""
    downloads, library = roots
    source = place("noise", "peer/big.flac")
    original = source.read_bytes()
    outcome = _move_under_rlimit(source, library, downloads)
    assert outcome["reason"] == "no_space"
    assert "too large" in str(outcome["message"]).lower()
    assert source.read_bytes() == original
    assert list(library.iterdir()) == []


def test_read_only_library_fails_and_keeps_original(
    place: Place, roots: Roots, make_readonly: Callable[[Path], str]
) -> None:
    downloads, library = roots
    source = place("flac", "peer/x.flac")
    make_readonly(library)
    with pytest.raises(MoveError) as err:
        safe_move(
            source, "A/A - B/x.flac", library_root=library, downloads_root=downloads, tags=_tags()
        )
    assert err.value.reason is MoveReason.PERMISSION
    assert source.exists()
    assert list(library.iterdir()) == []


def test_undeletable_original_rolls_back(
    place: Place, roots: Roots, make_readonly: Callable[[Path], str]
) -> None:
    downloads, library = roots
    source = place("flac", "peer/x.flac")
    original = source.read_bytes()
    make_readonly(source.parent)
    with pytest.raises(MoveError, match="cannot delete original") as err:
        safe_move(
            source, "A/A - B/x.flac", library_root=library, downloads_root=downloads, tags=_tags()
        )
    assert err.value.reason is MoveReason.PERMISSION
    assert source.read_bytes() == original
    assert _all_files(library) == []  # the placed copy was taken back


@pytest.mark.parametrize(
    "rel",
    [
        "../escape.flac",
        "A/../../escape.flac",
        "/etc/escape.flac",
        "C:\\escape.flac",
        "\\\\server\\share\\x.flac",
        "",
    ],
)
def test_unsafe_destination_rejected(place: Place, roots: Roots, rel: str) -> None:
    downloads, library = roots
    source = place("flac", "p/x.flac")
    with pytest.raises(MoveError) as err:
        safe_move(source, rel, library_root=library, downloads_root=downloads)
    assert err.value.reason is MoveReason.UNSAFE_PATH
    assert source.exists()
    assert _all_files(library.parent) == ["downloads/p/x.flac"]


def test_symlinked_folder_cannot_lead_outside_the_library(
    place: Place, roots: Roots, tmp_path: Path
) -> None:
    downloads, library = roots
    outside = tmp_path / "outside"
    outside.mkdir()
    (library / "Artist").symlink_to(outside)
    source = place("flac", "p/x.flac")
    with pytest.raises(MoveError) as err:
        safe_move(source, "Artist/Album/x.flac", library_root=library, downloads_root=downloads)
    assert err.value.reason is MoveReason.UNSAFE_PATH
    assert list(outside.iterdir()) == []
    assert source.exists()


def test_source_checks(place: Place, roots: Roots, tmp_path: Path) -> None:
    downloads, library = roots
    stray = tmp_path / "stray.flac"
    stray.write_bytes(place("flac", "p/x.flac").read_bytes())
    with pytest.raises(MoveError) as outside:
        safe_move(stray, "A/x.flac", library_root=library, downloads_root=downloads)
    assert outside.value.reason is MoveReason.UNSAFE_PATH
    link = downloads / "p" / "link.flac"
    link.symlink_to(stray)
    with pytest.raises(MoveError) as linked:
        safe_move(link, "A/x.flac", library_root=library, downloads_root=downloads)
    assert linked.value.reason is MoveReason.UNSAFE_PATH
    with pytest.raises(MoveError) as missing:
        safe_move(
            downloads / "nope.flac", "A/x.flac", library_root=library, downloads_root=downloads
        )
    assert missing.value.reason is MoveReason.SOURCE_MISSING
    assert stray.exists() and link.is_symlink()
    assert list(library.iterdir()) == []


@pytest.mark.parametrize(
    "remote",
    [
        "@@peer\\Music\\..\\..\\..\\etc\\CON.flac",
        "C:\\Users\\x\\.hidden album\\-01- song?.flac",
        "\\\\srv\\share\\" + "長い名前" * 30 + ".flac",
    ],
)
def test_hostile_soulseek_name_end_to_end(place: Place, roots: Roots, remote: str) -> None:
    downloads, library = roots
    local = safe_download_name(remote)
    source = place("flac", str(local))
    assert downloads in source.resolve().parents
    result = safe_move(
        source,
        "Artist/Artist - Album/01 Song.flac",
        library_root=library,
        downloads_root=downloads,
        tags=_tags(),
    )
    assert result.status == "moved"
    assert list(downloads.iterdir()) == []


def test_non_audio_file_moves_with_size_check_only(roots: Roots) -> None:
    downloads, library = roots
    source = downloads / "peer" / "booklet.pdf"
    source.parent.mkdir()
    source.write_bytes(b"%PDF-1.4 not really" * 100)
    result = safe_move(
        source,
        "A/A - B/booklet.pdf",
        library_root=library,
        downloads_root=downloads,
        verify_audio=False,
    )
    assert result.status == "moved"
    assert result.duration_s is None
    assert (library / "A/A - B/booklet.pdf").read_bytes() == b"%PDF-1.4 not really" * 100


def test_recover_incomplete_removes_only_leftovers(roots: Roots) -> None:
    _downloads, library = roots
    keep = library / "A" / "A - B" / "01 Song.flac"
    keep.parent.mkdir(parents=True)
    keep.write_bytes(b"real")
    stale1 = keep.parent / f"{TEMP_PREFIX}0123-01 Song.flac"
    stale1.write_bytes(b"half")
    lonely = library / "C" / "C - D" / f"{TEMP_PREFIX}4567-02 Other.flac"
    lonely.parent.mkdir(parents=True)
    lonely.write_bytes(b"half")
    decoy = library / "E" / "not-a-.soulsync-tmp-file.flac"
    decoy.parent.mkdir()
    decoy.write_bytes(b"keep me")

    report = recover_incomplete(library)

    assert sorted(report.removed_files) == sorted([stale1, lonely])
    assert report.removed_dirs == (library / "C" / "C - D", library / "C")
    assert report.errors == ()
    assert _all_files(library) == ["A/A - B/01 Song.flac", "E/not-a-.soulsync-tmp-file.flac"]
    assert recover_incomplete(library).removed_files == ()
    assert recover_incomplete(library / "missing") == type(report)()


CRASH_CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from soulsync.library.safe_move import safe_move
    from soulsync.library.tags import TagSet
    src, lib, dl = map(Path, sys.argv[1:4])
    print("ready", flush=True)
    sys.stdin.readline()
    safe_move(src, "A/A - B/01 Song.flac", library_root=lib, downloads_root=dl,
              tags=TagSet(title="Song", artists=("A",), album="B", track_number=1))
    print("done", flush=True)
    """
)


@pytest.mark.parametrize(
    "delay_ms", [0, 2, 5, 10, 20, 30, 40, 45, 50, 55, 60, 65, 70, 80, 100, 130]
)
def test_crash_at_any_point_is_recoverable(place: Place, roots: Roots, delay_ms: int) -> None:
    """SIGKILL a real mover process mid-move, then recover and retry as the queue would."""
    import time

    downloads, library = roots
    source = place("noise", "peer/Album/01 song.flac")
    original = source.read_bytes()
    child = subprocess.Popen(
        [sys.executable, "-c", CRASH_CHILD, str(source), str(library), str(downloads)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None and child.stdin is not None
    assert child.stdout.readline().strip() == "ready"
    child.stdin.write("go\n")
    child.stdin.flush()
    time.sleep(delay_ms / 1000)
    child.kill()
    child.wait(timeout=30)

    recover_incomplete(library)
    final = library / "A" / "A - B" / "01 Song.flac"
    if source.exists():
        assert source.read_bytes() == original  # never modified, whatever the timing
        result = safe_move(
            source,
            "A/A - B/01 Song.flac",
            library_root=library,
            downloads_root=downloads,
            tags=TagSet(title="Song", artists=("A",), album="B", track_number=1),
        )
        assert result.destination == final
    assert not source.exists()
    assert _temps(library) == []
    assert _all_files(library) == ["A/A - B/01 Song.flac"]
    assert read_tags(final).title == "Song"
    assert probe(final).is_complete


CRASH_TAGS = TagSet(title="Song", artists=("A",), album="B", track_number=1)


@pytest.mark.parametrize("temp_left", [True, False])
def test_crash_between_place_and_delete_is_finished_by_a_retry(
    place: Place, roots: Roots, temp_left: bool
) -> None:
    """The narrow window after the final name appears and before the original goes.

    Built with the same steps the mover uses (tagged temp copy, hard link), since
    a timed kill rarely lands in a window this short.
    """
    downloads, library = roots
    source = place("flac", "peer/Album/01 song.flac")
    folder = library / "A" / "A - B"
    folder.mkdir(parents=True)
    temp = folder / f"{TEMP_PREFIX}deadbeef-01 Song.flac"
    temp.write_bytes(source.read_bytes())
    from soulsync.library.tags import write_tags

    write_tags(temp, CRASH_TAGS)
    os.link(temp, folder / "01 Song.flac")
    if not temp_left:
        temp.unlink()

    report = recover_incomplete(library)
    assert report.removed_files == ((temp,) if temp_left else ())
    result = safe_move(
        source,
        "A/A - B/01 Song.flac",
        library_root=library,
        downloads_root=downloads,
        tags=CRASH_TAGS,
    )
    assert result.status == "already_present"
    assert not source.exists()
    assert _all_files(library) == ["A/A - B/01 Song.flac"]
    assert list(downloads.iterdir()) == []


def test_crash_after_delete_leaves_a_finished_move(place: Place, roots: Roots) -> None:
    """Original gone, destination there, download folders not yet pruned."""
    downloads, library = roots
    source = place("flac", "peer/Album/01 song.flac")
    result = safe_move(source, "A/x.flac", library_root=library, downloads_root=downloads)
    (downloads / "peer" / "Album").mkdir(parents=True)  # as if pruning had not happened
    with pytest.raises(MoveError) as err:
        safe_move(source, "A/x.flac", library_root=library, downloads_root=downloads)
    # The queue reads SOURCE_MISSING + an existing destination as "already done".
    assert err.value.reason is MoveReason.SOURCE_MISSING
    assert result.destination.exists()
    assert prune_empty_dirs(downloads / "peer" / "Album", downloads) == [
        downloads / "peer" / "Album",
        downloads / "peer",
    ]
    assert downloads.exists()


def test_library_on_another_filesystem(
    place: Place, roots: Roots, tmp_path: Path, mount_tmpfs: Callable[[Path, str], bool]
) -> None:
    """Cross-device copy (copy_file_range falls back where the kernel refuses)."""
    downloads, _library = roots
    other = tmp_path / "otherfs"
    if not mount_tmpfs(other, "size=64m"):
        other.mkdir(exist_ok=True)  # not allowed to mount: same-filesystem copy instead
    source = place("noise", "peer/x.flac")
    original = source.read_bytes()
    result = safe_move(
        source, "A/A - B/01 x.flac", library_root=other, downloads_root=downloads, tags=_tags()
    )
    assert result.status == "moved"
    assert probe(result.destination).is_complete
    assert read_tags(result.destination).title == "Song"
    assert len(original) - 4096 < result.size < len(original) + 64 * 1024


def test_copy_file_never_overwrites(tmp_path: Path) -> None:
    src, dst = tmp_path / "a", tmp_path / "b"
    src.write_bytes(b"new" * 1000)
    dst.write_bytes(b"old")
    with pytest.raises(FileExistsError):
        copy_file(src, dst)
    assert dst.read_bytes() == b"old"
    copy_file(src, tmp_path / "c")
    assert (tmp_path / "c").read_bytes() == b"new" * 1000


def test_id3v23_option_through_the_mover(place: Place, roots: Roots, cover_jpeg: bytes) -> None:
    downloads, library = roots
    source = place("mp3", "peer/x.mp3")
    result = safe_move(
        source,
        "A/A - B/01 Song.mp3",
        library_root=library,
        downloads_root=downloads,
        tags=_tags(cover_jpeg),
        id3v23=True,
    )
    assert result.destination.read_bytes()[:4] == b"ID3\x03"
    got = read_tags(result.destination)
    assert got.artists == ("Artist", "Guest")
    assert got.cover is not None and got.cover.data == cover_jpeg


def test_parallel_moves_into_one_new_album_folder(place: Place, roots: Roots) -> None:
    """Workers filing tracks of the same album at once (random arrival order)."""
    from concurrent.futures import ThreadPoolExecutor

    downloads, library = roots
    jobs = [(n, place("flac", f"peer{n}/Album/{n}.flac")) for n in (3, 1, 4, 2)]
    # Track 2 arrives twice from two peers at the same moment: one copy only.
    jobs.append((2, place("flac", "peer9/Album/2.flac")))

    def move(job: tuple[int, Path]) -> str:
        n, source = job
        return safe_move(
            source,
            f"A/A - B/0{n} Song {n}.flac",
            library_root=library,
            downloads_root=downloads,
            tags=_tags(title=f"Song {n}"),
        ).status

    with ThreadPoolExecutor(max_workers=5) as pool:
        statuses = list(pool.map(move, jobs))
    assert sorted(statuses) == ["already_present"] + ["moved"] * 4
    assert _all_files(library) == [f"A/A - B/0{n} Song {n}.flac" for n in (1, 2, 3, 4)]
    assert list(downloads.iterdir()) == []
