"""Which owned files count as deleted (issue 18 item 8): only those SoulSync can judge."""

from __future__ import annotations

from pathlib import Path

from soulsync.domain import LibraryTrack, Track
from soulsync.services.sync.analysis import TrackVerdict
from soulsync.services.sync.models import TrackStatus
from soulsync.services.sync.vanished import drop_vanished, vanished


def test_vanished_needs_a_visible_folder(tmp_path: Path) -> None:
    album = tmp_path / "Artist" / "Artist - Album"
    album.mkdir(parents=True)
    (album / "01 Here.flac").write_bytes(b"x")
    assert not vanished(str(album / "01 Here.flac"))
    assert vanished(str(album / "02 Deleted.flac"))
    assert vanished(str(tmp_path / "Artist" / "Gone Album" / "01 A.flac"))  # album folder gone
    assert not vanished("/no-such-mount-xyz/music/A/B/01 A.flac")  # another machine's path
    assert not vanished("relative/01 A.flac")


def test_owned_verdicts_with_a_deleted_file_become_missing(tmp_path: Path) -> None:
    here = tmp_path / "01 Here.flac"
    here.write_bytes(b"x")
    track = Track("T", ("A",))

    def owned(path: Path) -> TrackVerdict:
        lib = LibraryTrack(id=str(path), title="T", artist="A", path=str(path))
        return TrackVerdict(0, track, TrackStatus.OWNED, lib, 0.99, "owned")

    verdicts, changed = drop_vanished([owned(here), owned(tmp_path / "02 Gone.flac")])
    assert changed == 1
    assert verdicts[0].status is TrackStatus.OWNED
    assert verdicts[1].status is TrackStatus.MISSING and verdicts[1].library is None
    assert "file is gone" in verdicts[1].reason
