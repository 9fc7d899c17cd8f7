"""Link recognition: every form people paste, table-driven."""

from __future__ import annotations

import pytest

from soulsync.providers.links import (
    Link,
    LinkKind,
    LinkService,
    UnsupportedLink,
    looks_like_link,
    parse_link,
)

SP = "4uLU6hMCjMI75M1A2tKUQC"
YT = "dQw4w9WgXcQ"

CASES: list[tuple[str, LinkService, LinkKind, str]] = [
    # Spotify URLs
    (f"https://open.spotify.com/track/{SP}", LinkService.SPOTIFY, LinkKind.TRACK, SP),
    (
        f"https://open.spotify.com/track/{SP}?si=abc123&context=x",
        LinkService.SPOTIFY,
        LinkKind.TRACK,
        SP,
    ),
    (f"https://open.spotify.com/intl-de/album/{SP}", LinkService.SPOTIFY, LinkKind.ALBUM, SP),
    (
        f"https://open.spotify.com/intl-pt-BR/playlist/{SP}?si=x",
        LinkService.SPOTIFY,
        LinkKind.PLAYLIST,
        SP,
    ),
    (f"https://open.spotify.com/artist/{SP}", LinkService.SPOTIFY, LinkKind.ARTIST, SP),
    (f"https://open.spotify.com/embed/track/{SP}", LinkService.SPOTIFY, LinkKind.TRACK, SP),
    (f"open.spotify.com/album/{SP}", LinkService.SPOTIFY, LinkKind.ALBUM, SP),
    (f"  https://open.spotify.com/track/{SP}  ", LinkService.SPOTIFY, LinkKind.TRACK, SP),
    (
        f"https://open.spotify.com/user/someone/playlist/{SP}",
        LinkService.SPOTIFY,
        LinkKind.PLAYLIST,
        SP,
    ),
    # Spotify URIs
    (f"spotify:track:{SP}", LinkService.SPOTIFY, LinkKind.TRACK, SP),
    (f"spotify:album:{SP}", LinkService.SPOTIFY, LinkKind.ALBUM, SP),
    (f"spotify:playlist:{SP}", LinkService.SPOTIFY, LinkKind.PLAYLIST, SP),
    (f"spotify:artist:{SP}", LinkService.SPOTIFY, LinkKind.ARTIST, SP),
    (f"spotify:user:bob:playlist:{SP}", LinkService.SPOTIFY, LinkKind.PLAYLIST, SP),
    # Deezer
    ("https://www.deezer.com/track/3135556", LinkService.DEEZER, LinkKind.TRACK, "3135556"),
    ("https://www.deezer.com/en/album/302127", LinkService.DEEZER, LinkKind.ALBUM, "302127"),
    (
        "https://deezer.com/us/playlist/908622995?utm=x",
        LinkService.DEEZER,
        LinkKind.PLAYLIST,
        "908622995",
    ),
    ("https://www.deezer.com/fr/artist/27", LinkService.DEEZER, LinkKind.ARTIST, "27"),
    (
        "https://deezer.page.link/AbCdEf123",
        LinkService.DEEZER,
        LinkKind.SHORT,
        "https://deezer.page.link/AbCdEf123",
    ),
    (
        "https://link.deezer.com/s/30ABCdef",
        LinkService.DEEZER,
        LinkKind.SHORT,
        "https://link.deezer.com/s/30ABCdef",
    ),
    # YouTube / YouTube Music
    (f"https://www.youtube.com/watch?v={YT}", LinkService.YOUTUBE, LinkKind.VIDEO, YT),
    (f"https://youtube.com/watch?v={YT}&t=42s", LinkService.YOUTUBE, LinkKind.VIDEO, YT),
    (f"https://m.youtube.com/watch?v={YT}", LinkService.YOUTUBE, LinkKind.VIDEO, YT),
    (
        f"https://music.youtube.com/watch?v={YT}&list=RDAMVM{YT}",
        LinkService.YOUTUBE,
        LinkKind.VIDEO,
        YT,
    ),
    (f"https://youtu.be/{YT}?si=xyz", LinkService.YOUTUBE, LinkKind.VIDEO, YT),
    (f"youtu.be/{YT}", LinkService.YOUTUBE, LinkKind.VIDEO, YT),
    (f"https://www.youtube.com/shorts/{YT}", LinkService.YOUTUBE, LinkKind.VIDEO, YT),
    (f"https://www.youtube.com/embed/{YT}", LinkService.YOUTUBE, LinkKind.VIDEO, YT),
    (
        "https://www.youtube.com/playlist?list=PLx0sYbCqOb8TBPRdmBHs5Iftvv9TPboYG",
        LinkService.YOUTUBE,
        LinkKind.PLAYLIST,
        "PLx0sYbCqOb8TBPRdmBHs5Iftvv9TPboYG",
    ),
    (
        "https://music.youtube.com/playlist?list=OLAK5uy_kVgdGXW2R5gCRc3kH1TfmKmZCCwW0cKpE",
        LinkService.YOUTUBE,
        LinkKind.PLAYLIST,
        "OLAK5uy_kVgdGXW2R5gCRc3kH1TfmKmZCCwW0cKpE",
    ),
    # Plain playlist files
    (
        "https://example.org/lists/road%20trip.m3u",
        LinkService.FILE,
        LinkKind.M3U,
        "https://example.org/lists/road%20trip.m3u",
    ),
    (
        "http://127.0.0.1:8000/a.m3u8?x=1",
        LinkService.FILE,
        LinkKind.M3U,
        "http://127.0.0.1:8000/a.m3u8?x=1",
    ),
    (
        "https://example.org/export.CSV",
        LinkService.FILE,
        LinkKind.CSV,
        "https://example.org/export.CSV",
    ),
]


@pytest.mark.parametrize(("text", "service", "kind", "ident"), CASES)
def test_recognised(text: str, service: LinkService, kind: LinkKind, ident: str) -> None:
    link = parse_link(text)
    assert link is not None
    assert (link.service, link.kind, link.id) == (service, kind, ident)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "daft punk one more time",
        "Artist - Title",
        "https://example.org/some/page",
        "https://example.org/music.mp3",
        f"open.spotify.com/track/{SP} extra words",
    ],
)
def test_not_a_link(text: str) -> None:
    assert parse_link(text) is None


@pytest.mark.parametrize(
    "text",
    [
        f"https://open.spotify.com/episode/{SP}",
        f"spotify:show:{SP}",
        "https://open.spotify.com/track/tooShort",
        "https://www.deezer.com/en/podcast/123",
        "https://www.deezer.com/track/abc",
        "https://www.youtube.com/watch?v=short",
        "https://www.youtube.com/@SomeChannel",
        "https://www.youtube.com/playlist?list=",
        "https://deezer.page.link/",
    ],
)
def test_unsupported(text: str) -> None:
    with pytest.raises(UnsupportedLink):
        parse_link(text)


@pytest.mark.parametrize(
    ("kind", "batch"),
    [
        (LinkKind.TRACK, False),
        (LinkKind.VIDEO, False),
        (LinkKind.ALBUM, True),
        (LinkKind.PLAYLIST, True),
        (LinkKind.ARTIST, True),
        (LinkKind.M3U, True),
    ],
)
def test_batch_kinds(kind: LinkKind, batch: bool) -> None:
    assert Link(LinkService.SPOTIFY, kind, "x", "x").is_batch is batch


@pytest.mark.parametrize(
    ("text", "expected"),
    [("https://x.org", True), ("spotify:track:x", True), ("youtu.be/abc", True), ("hello", False)],
)
def test_looks_like_link(text: str, expected: bool) -> None:
    assert looks_like_link(text) is expected
