"""Finding slskd's finished files by rule, and refusing hostile remote names."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

import pytest

from soulsync.library.layout import UnsafePathError
from soulsync.providers.slskd_files import (
    SlskdLayout,
    UnsafeRemoteName,
    candidate_names,
    locate_download,
    slskd_relative_path,
)

TICKS = "638671234567890123"


@pytest.mark.parametrize(
    "remote",
    [
        "..\\..\\x.flac",
        "..\\x.flac",
        "@@a\\Music\\..\\x.flac",
        "@@a\\Music\\.\\x.flac",
        "../../etc/passwd",
        "/etc/passwd",
        "\\x.flac",
        "\\\\server\\share\\x.flac",
        "c:x.flac",
        "@@a\\Music\\CON.flac",
        "@@a\\nul\\x.flac",
        "@@a\\Music\\LPT1",
        "@@a\\Music\\",
        "@@a\\\\x.flac",
        "@@a\\   \\x.flac",
        "",
        "   ",
        "@@a\\Music\\x\x00.flac",
    ],
)
def test_hostile_names_are_refused(remote: str, tmp_path: Path) -> None:
    with pytest.raises(UnsafeRemoteName) as info:
        slskd_relative_path(remote)
    assert "refusing remote file name" in str(info.value)
    assert isinstance(info.value, UnsafePathError)
    with pytest.raises(UnsafeRemoteName):
        locate_download(tmp_path, remote)


@pytest.mark.parametrize(
    ("remote", "expected"),
    [
        ("@@a\\Music\\Artist\\Album\\01 Title.flac", "Album/01 Title.flac"),
        ("@@a\\Music\\The Wall\\CD1\\01 In the Flesh?.flac", "CD1/01 In the Flesh?.flac"),
        ("single.mp3", "single.mp3"),
        ("@@a/Music/Album/02 x.mp3", "Album/02 x.mp3"),
        ("@@a\\Кино\\Группа крови\\01 Группа крови.flac", "Группа крови/01 Группа крови.flac"),
        ("@@a\\Sigur Rós\\Takk...\\01 Glósóli.flac", "Takk.../01 Glósóli.flac"),
        ("@@a\\Music\\CONSOLE\\x.flac", "CONSOLE/x.flac"),
        # Old Windows clients share drive paths: legitimate (issue 13 item 2).
        ("C:\\Music\\Album\\x.flac", "Album/x.flac"),
        ("@@abcde\\f.flac", "@@abcde/f.flac"),
    ],
)
def test_slskd_rule_keeps_leaf_folder_and_name(remote: str, expected: str) -> None:
    assert slskd_relative_path(remote).relative == PurePosixPath(expected)


def test_windows_spelling_is_a_second_candidate() -> None:
    names = candidate_names('@@a\\Bach: Goldberg\\01 Aria: "x" <y>?.flac')
    assert [str(n.relative) for n in names] == [
        'Bach: Goldberg/01 Aria: "x" <y>?.flac',
        "Bach_ Goldberg/01 Aria_ _x_ _y__.flac",
    ]


def _write(path: Path, mtime: float, data: bytes = b"x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.utime(path, (mtime, mtime))
    return path


REMOTE = "@@u\\Music\\Artist\\Album\\01 Song.flac"


def test_exact_name(tmp_path: Path) -> None:
    target = _write(tmp_path / "Album" / "01 Song.flac", 1000)
    assert locate_download(tmp_path, REMOTE) == target


def test_newest_of_exact_and_ticks_variants(tmp_path: Path) -> None:
    _write(tmp_path / "Album" / "01 Song.flac", 1000)
    _write(tmp_path / "Album" / f"01 Song_{TICKS}.flac", 3000)
    _write(tmp_path / "Album" / "01 Song_638671234567890000.flac", 2000)
    assert locate_download(tmp_path, REMOTE) == tmp_path / "Album" / f"01 Song_{TICKS}.flac"


@pytest.mark.parametrize(
    "decoy",
    [
        "01 Song (1).flac",
        "01 Song_copy.flac",
        "01 Song_123.flac",
        "01 Song.mp3",
        "01 Song.flac.part",
        "x01 Song.flac",
        "01 Song_638671234567890123.flac.bak",
    ],
)
def test_look_alikes_are_never_chosen(tmp_path: Path, decoy: str) -> None:
    _write(tmp_path / "Album" / decoy, 5000)
    _write(tmp_path / "Other Album" / "01 Song.flac", 5000)  # same name, wrong folder
    _write(tmp_path / "01 Song.flac", 5000)  # same name, downloads root
    assert locate_download(tmp_path, REMOTE) is None


def test_sanitised_spelling_is_found(tmp_path: Path) -> None:
    target = _write(tmp_path / "CD1" / "01 In the Flesh_.flac", 1000)
    assert locate_download(tmp_path, "@@a\\The Wall\\CD1\\01 In the Flesh?.flac") == target


def test_not_before_skips_older_downloads(tmp_path: Path) -> None:
    _write(tmp_path / "Album" / "01 Song.flac", 1000)
    assert locate_download(tmp_path, REMOTE, not_before=2000) is None
    newer = _write(tmp_path / "Album" / f"01 Song_{TICKS}.flac", 2500)
    assert locate_download(tmp_path, REMOTE, not_before=2000) == newer


def test_symlinked_folder_leading_outside_is_ignored(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    _write(outside / "01 Song.flac", 1000)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    (downloads / "Album").symlink_to(outside, target_is_directory=True)
    assert locate_download(downloads, REMOTE) is None


def test_symlinked_file_is_ignored(tmp_path: Path) -> None:
    secret = _write(tmp_path / "secret.flac", 1000)
    downloads = tmp_path / "downloads"
    (downloads / "Album").mkdir(parents=True)
    (downloads / "Album" / "01 Song.flac").symlink_to(secret)
    assert locate_download(downloads, REMOTE) is None


# slskd 0.26 (DownloadService.DeriveDestination, Common/FileSafety.cs): the root
# (drive, UNC server, "@@" + five or more letters/digits) is stripped and the
# folder comes from the destination.subdirectory template.
MODERN = SlskdLayout((0, 26, 0))


@pytest.mark.parametrize(
    ("remote", "template", "expected"),
    [
        ("@@abcde\\f.flac", "${SOURCE_DIRECTORY}", "f.flac"),
        ("@@abcde\\Music\\A\\B\\01 x.flac", "${SOURCE_DIRECTORY}", "B/01 x.flac"),
        ("C:\\Music\\A\\x.flac", "${SOURCE_DIRECTORY}", "A/x.flac"),
        ("C:\\x.flac", "${SOURCE_DIRECTORY}", "x.flac"),
        ("@@ytr\\x.mp3", "${SOURCE_DIRECTORY}", "@@ytr/x.mp3"),  # 3 letters: not a Qt prefix
        ("@@abcde\\Music\\A\\x.flac", "${SOURCE_USERNAME}/${SOURCE_PATH}", "bob/Music/A/x.flac"),
        ("@@abcde\\Music\\A\\x.flac", "{}", "x.flac"),
        ("@@abcde\\Music\\A\\x.flac", "in/${source_directory}", "in/A/x.flac"),
        ("@@abcde\\Music\\A\\x.flac", "${BATCH_ID}", "unknown_batch_id/x.flac"),
        ("@@abcde\\Music\\A\\x.flac", "${NOPE}/x", "${NOPE}/x/x.flac"),
    ],
)
def test_slskd_026_layout(remote: str, template: str, expected: str) -> None:
    layout = SlskdLayout((0, 26, 0), template)
    assert layout.templated
    assert slskd_relative_path(remote, layout, "bob").relative == PurePosixPath(expected)


@pytest.mark.parametrize(
    ("text", "version", "templated"),
    [
        ("0.26.0", (0, 26, 0), True),
        ("0.25.1", (0, 25, 1), False),
        ("0.24.1.65534-abcdef", (0, 24, 1), False),
        ("1.0", (1, 0, 0), True),
        ("not a version", None, False),
    ],
)
def test_version_picks_the_layout(
    text: str, version: tuple[int, int, int] | None, templated: bool
) -> None:
    assert SlskdLayout.parse_version(text) == version
    assert SlskdLayout(version).templated is templated


def test_026_file_is_found_at_the_downloads_root(tmp_path: Path) -> None:
    target = tmp_path / "f.flac"
    target.write_bytes(b"x")
    assert locate_download(tmp_path, "@@abcde\\f.flac", layout=MODERN) == target
    assert locate_download(tmp_path, "@@abcde\\f.flac") is None  # 0.24 looks in @@abcde/
