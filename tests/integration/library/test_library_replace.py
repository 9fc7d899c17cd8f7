"""Replacing a worse copy of a recording: atomic, and finished by recovery after a crash."""

from __future__ import annotations

from pathlib import Path

from soulsync.library.safe_move import (
    REPLACING_PREFIX,
    finish_replacement,
    recover_incomplete,
    replacing_name,
)


def test_a_staged_better_copy_replaces_the_worse_one_in_one_rename(tmp_path: Path) -> None:
    final = tmp_path / "A" / "03 Song.flac"
    final.parent.mkdir()
    final.write_bytes(b"16-bit")
    staged = final.with_name(replacing_name(final.name))
    staged.write_bytes(b"24-bit")
    inode = staged.stat().st_ino
    assert finish_replacement(staged) == final
    assert final.read_bytes() == b"24-bit" and final.stat().st_ino == inode
    assert sorted(p.name for p in final.parent.iterdir()) == ["03 Song.flac"]


def test_recovery_finishes_an_interrupted_replacement_and_never_deletes_it(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "B"
    folder.mkdir()
    (folder / "01 Track.mp3").write_bytes(b"worse")
    # A crash after the better copy was verified and placed, before the swap:
    # its download original is already deleted, so this is the only copy.
    (folder / f"{REPLACING_PREFIX}01 Track.mp3").write_bytes(b"better")
    # One whose worse copy was removed by hand meanwhile: still finished.
    (folder / f"{REPLACING_PREFIX}02 Other.flac").write_bytes(b"only copy")
    report = recover_incomplete(tmp_path)
    assert report.errors == () and report.removed_files == ()
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == {
        "01 Track.mp3": b"better",
        "02 Other.flac": b"only copy",
    }
