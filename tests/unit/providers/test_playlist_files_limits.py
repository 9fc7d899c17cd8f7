"""Playlist files: size caps, regular files only, and no content in error messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from soulsync.providers.playlist_files import (
    PlaylistFileError,
    parse_playlist_text,
    read_playlist_file,
)


def test_a_file_over_the_cap_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(b"Adele - Hello\n" * (6_000_000 // 14))
    with pytest.raises(PlaylistFileError, match="too large"):
        read_playlist_file(big)


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
