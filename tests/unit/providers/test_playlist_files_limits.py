"""Playlist files: size caps, regular files only, and no content in error messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from soulsync.config import Settings
from soulsync.domain import Source
from soulsync.providers.playlist_files import (
    MAX_PLAYLIST_BYTES,
    PlaylistFileError,
    parse_playlist_text,
    read_playlist_bytes,
    read_playlist_file,
)
from soulsync.services.container import build_services
from soulsync.services.sync.file_source import FilePlaylistSource
from soulsync.store import Store


def _m3u_of_size(path: Path, size: int) -> Path:
    """An M3U of exactly ``size`` bytes: one track and a long comment (cheap to parse)."""
    head, track = b"#EXTM3U\n# ", b"\nAdele - Hello.mp3\n"
    path.write_bytes(head + b"x" * (size - len(head) - len(track)) + track)
    return path


def test_the_default_cap_is_10_mb_at_the_byte(tmp_path: Path) -> None:
    """Issue 18 item 11: 10 MB by default (a 6 MB playlist of 200k lines is real)."""
    assert MAX_PLAYLIST_BYTES == 10_000_000
    at_cap = _m3u_of_size(tmp_path / "at-cap.m3u", 10_000_000)
    assert [e.track.title for e in read_playlist_file(at_cap).playlist.entries if e.track] == [
        "Hello"
    ]
    over = _m3u_of_size(tmp_path / "over.m3u", 10_000_001)
    with pytest.raises(PlaylistFileError) as caught:
        read_playlist_file(over)
    assert str(caught.value) == (
        f"{over}: too large (10,000,001 bytes; playlist files are limited to 10 MB, "
        "see [sync] max_playlist_file_mb)"
    )


def test_the_cap_is_configurable_for_files_and_uploaded_bytes(tmp_path: Path) -> None:
    at_cap = _m3u_of_size(tmp_path / "small.m3u", 2_500_000)
    assert read_playlist_file(at_cap, max_bytes=2_500_000).playlist.entries
    with pytest.raises(PlaylistFileError, match=r"limited to 2\.4 MB"):
        read_playlist_file(at_cap, max_bytes=2_400_000)
    raw = at_cap.read_bytes()
    assert read_playlist_bytes(raw, "small.m3u", max_bytes=2_500_000).playlist.entries
    with pytest.raises(PlaylistFileError, match=r"^small\.m3u: too large \(2,500,000 bytes"):
        read_playlist_bytes(raw, "small.m3u", max_bytes=2_499_999)


def test_the_setting_reaches_the_sync_file_source(tmp_path: Path) -> None:
    settings = Settings(paths={"data_dir": tmp_path / "data"}, sync={"max_playlist_file_mb": 0.5})
    store = Store(settings.database_path)
    try:
        services = build_services(settings, store)
        source = services.sync.sources[Source.FILE]
        assert isinstance(source, FilePlaylistSource) and source.max_bytes == 500_000
    finally:
        store.close()


def test_a_device_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PlaylistFileError, match="not a regular file"):
        read_playlist_file(Path("/dev/zero"))


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        ("root:x:0:0:root:/root:/bin/bash\n", "text"),
        ("secret-token-abc,def,ghi\n", "csv"),
        ("#EXTM3U\n#EXTINF:1 root:x:0:0\n", "m3u"),
    ],
)
def test_errors_never_repeat_the_files_content(text: str, fmt: str) -> None:
    with pytest.raises(PlaylistFileError) as caught:
        parse_playlist_text(text, fmt=fmt, name="x")
    message = str(caught.value)
    assert "root:x" not in message
    assert "secret-token" not in message
