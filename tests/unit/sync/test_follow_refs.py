"""Which pasted texts name a Spotify or Deezer playlist (the playlists page's "Add playlist")."""

from __future__ import annotations

import pytest

from soulsync.domain import Source
from soulsync.services.sync.follow import FollowError, parse_pasted


@pytest.mark.parametrize(
    ("text", "source", "playlist_id"),
    [
        ("https://www.deezer.com/en/playlist/4987206", Source.DEEZER, "4987206"),
        ("https://www.deezer.com/playlist/4987206?utm_source=x", Source.DEEZER, "4987206"),
        ("  deezer:4987206 ", Source.DEEZER, "4987206"),
        ("4987206", Source.DEEZER, "4987206"),
        ("https://open.spotify.com/playlist/e36QwHpDreWEDHwXy29rpj?si=ab", Source.SPOTIFY, None),
        ("spotify:playlist:e36QwHpDreWEDHwXy29rpj", Source.SPOTIFY, None),
        ("e36QwHpDreWEDHwXy29rpj", Source.SPOTIFY, None),
    ],
)
def test_links_and_ids_name_their_playlist(
    text: str, source: Source, playlist_id: str | None
) -> None:
    ref = parse_pasted(text)
    assert ref.source is source
    assert ref.playlist_id == (playlist_id or "e36QwHpDreWEDHwXy29rpj")


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "paste a Spotify or Deezer playlist link"),
        ("Road Trip", "not a playlist link or id"),
        ("file:/etc/passwd", "not a playlist link or id"),
        ("https://example.com/playlist/123", "not a Spotify or Deezer playlist URL"),
        ("https://www.deezer.com/album/302127", "not a Spotify or Deezer playlist URL"),
        ("deezer:abc", "Deezer playlist id is not valid (it is digits only)"),
        ("spotify:short", "Spotify playlist id is not valid (it is 22 letters and digits)"),
        ("https://open.spotify.com/playlist/" + "x" * 600, "too long"),
    ],
)
def test_anything_else_is_refused_with_a_reason(text: str, says: str) -> None:
    with pytest.raises(FollowError, match=says.replace("(", r"\(").replace(")", r"\)")):
        parse_pasted(text)
