"""File playlist import: Exportify CSV, M3U/M3U8 and plain lines (table-driven)."""

from __future__ import annotations

from pathlib import Path

import pytest

from soulsync.domain import Source
from soulsync.providers.playlist_files import (
    PlaylistFileError,
    detect_format,
    parse_playlist_text,
    read_playlist_file,
    split_artist_title,
)

EXPORTIFY = (
    '"Track URI","Track Name","Artist Name(s)","Album Name","Disc Number","Track Number",'
    '"Track Duration (ms)","ISRC","Added At"\n'
    '"spotify:track:0DiWol3AO6WpXZgp0goxAV","One More Time","Daft Punk","Discovery","1","1",'
    '"320357","GBDUW0000053","2026-01-01T00:00:00Z"\n'
    '"spotify:track:2Foc5Q5nqNiosCNqttzHof","Get Lucky (feat. Pharrell Williams)",'
    '"Daft Punk,Pharrell Williams,Nile Rodgers","Random Access Memories","1","8","369626",'
    '"USQX91300108","2026-01-02T00:00:00Z"\n'
)


@pytest.mark.parametrize(
    ("text", "fmt", "expected"),
    [
        (EXPORTIFY, "csv", [("Daft Punk",), ("Daft Punk", "Pharrell Williams", "Nile Rodgers")]),
        (
            "Title;Artists;Album;Duration\nHello;Adele;25;4:55\nSkyfall;Adele;;286\n",
            "csv",
            [("Adele",), ("Adele",)],
        ),
        (
            "name,artist\nYesterday,The Beatles\nDreams,Fleetwood Mac\n",
            "csv",
            [("The Beatles",), ("Fleetwood Mac",)],
        ),
        (
            "#EXTM3U\n#PLAYLIST:Mix\n#EXTINF:200,Daft Punk - Digital Love\n/music/dl.flac\n"
            "#EXTINF:-1,Sigur Rós - Hoppípolla\nhttp://stream/x.mp3\n",
            "m3u",
            [("Daft Punk",), ("Sigur Rós",)],
        ),
        (
            "#EXTM3U\nMusic/Nirvana/Nevermind/01 - Smells Like Teen Spirit.flac\n",
            "m3u",
            [("Nirvana",)],
        ),
        (
            "# my list\nQueen - Bohemian Rhapsody\n\nThe Weeknd – Blinding Lights - Chromatics Remix\n",
            "text",
            [("Queen",), ("The Weeknd",)],
        ),
    ],
)
def test_formats_give_artists_in_order(
    text: str, fmt: str, expected: list[tuple[str, ...]]
) -> None:
    result = parse_playlist_text(text, fmt=fmt, name="Imported")
    assert result.playlist.source is Source.FILE
    assert [t.artists for t in result.playlist.tracks] == expected
    assert result.skipped == ()


def test_exportify_fields() -> None:
    result = parse_playlist_text(EXPORTIFY, fmt="csv", name="Exportify")
    first, second = result.playlist.tracks
    assert first.title == "One More Time" and first.album == "Discovery"
    assert first.duration_ms == 320357 and first.isrc == "GBDUW0000053"
    assert first.ids == {"spotify": "0DiWol3AO6WpXZgp0goxAV"}
    assert (first.disc_number, first.track_number) == (1, 1)
    assert second.track_number == 8
    assert result.playlist.name == "Exportify" and result.playlist.total == 2


@pytest.mark.parametrize(
    ("text", "fmt", "field", "value"),
    [
        ("Title;Artists;Album;Duration\nHello;Adele;25;4:55\n", "csv", "duration_ms", 295000),
        ("Title,Artist,Duration\nHello,Adele,295\n", "csv", "duration_ms", 295000),
        ("Title,Artist,Duration (ms)\nHello,Adele,295123\n", "csv", "duration_ms", 295123),
        ("#EXTM3U\n#EXTINF:295,Adele - Hello\nx.mp3\n", "m3u", "duration_ms", 295000),
        ("#EXTM3U\n#EXTINF:295,Adele - Hello\nx.mp3\n", "m3u", "title", "Hello"),
        ("Adele - Hello\n", "text", "duration_ms", None),
        (
            "#EXTM3U\nMusic/Nirvana/Nevermind/01 - Smells Like Teen Spirit.flac\n",
            "m3u",
            "album",
            "Nevermind",
        ),
    ],
)
def test_field_values(text: str, fmt: str, field: str, value: object) -> None:
    track = parse_playlist_text(text, fmt=fmt, name="x").playlist.tracks[0]
    assert getattr(track, field) == value


@pytest.mark.parametrize(
    ("text", "fmt", "kept", "skipped_lines", "reason"),
    [
        (
            "Queen - Bohemian Rhapsody\njust a title\nAdele - Hello\n",
            "text",
            2,
            [2],
            "Artist - Title",
        ),
        ("Track Name,Artist Name(s)\nHello,Adele\n,Queen\nDreams,\n", "csv", 1, [3, 4], "no "),
        (
            "#EXTM3U\n#EXTINF:10,Adele - Hello\na.mp3\n#EXTINF:10,nothing here\nnoartist.mp3\n",
            "m3u",
            1,
            [4],
            "no artist/title",
        ),
        (
            "#EXTM3U\n#EXTINF:10,Adele - Hello\na.mp3\n#EXTINF:5,Queen - X\n",
            "m3u",
            1,
            [4],
            "without",
        ),
    ],
)
def test_bad_lines_are_reported_with_line_numbers(
    text: str, fmt: str, kept: int, skipped_lines: list[int], reason: str
) -> None:
    result = parse_playlist_text(text, fmt=fmt, name="x")
    assert len(result.playlist.tracks) == kept
    assert [i.line for i in result.skipped] == skipped_lines
    assert all(reason in i.reason for i in result.skipped)
    assert all(f"line {i.line}" in str(i) for i in result.skipped)


def test_half_read_rows_are_noted_not_skipped() -> None:
    text = "Track Name,Artist Name(s),Track Number,Track Duration (ms)\nHello,Adele,B2,long\n"
    result = parse_playlist_text(text, fmt="csv", name="x")
    assert len(result.playlist.tracks) == 1
    assert result.skipped == ()
    notes = [i for i in result.issues if not i.skipped]
    assert [n.line for n in notes] == [2, 2]
    assert result.playlist.tracks[0].track_number is None


@pytest.mark.parametrize(
    ("text", "fmt", "message"),
    [
        ("Song Length,Genre\n200,rock\n", "csv", "line 1: the header has no title or artists"),
        ("", "csv", "empty"),
        ("no dash here\nnor here\n", "text", "no usable tracks"),
        ("Adele - Hello", "xspf", "unknown playlist format"),
    ],
)
def test_unusable_files_raise_clear_errors(text: str, fmt: str, message: str) -> None:
    with pytest.raises(PlaylistFileError, match=message):
        parse_playlist_text(text, fmt=fmt, name="x")


@pytest.mark.parametrize(
    ("filename", "text", "fmt"),
    [
        ("a.csv", "x", "csv"),
        ("a.M3U8", "x", "m3u"),
        ("a.txt", "#EXTM3U\n", "m3u"),
        ("a.txt", "Track Name,Artist Name(s),Album Name\n", "csv"),
        ("a.txt", "Adele - Hello\n", "text"),
    ],
)
def test_detect_format(filename: str, text: str, fmt: str) -> None:
    assert detect_format(filename, text) == fmt


def test_read_file_latin1_m3u_and_bom_csv(tmp_path: Path) -> None:
    m3u = tmp_path / "old.m3u"
    m3u.write_bytes("#EXTM3U\n#EXTINF:100,Beyoncé - Halo\nhalo.mp3\n".encode("cp1252"))
    assert read_playlist_file(m3u).playlist.tracks[0].artists == ("Beyoncé",)
    csv_file = tmp_path / "export.csv"
    csv_file.write_bytes(b"\xef\xbb\xbf" + EXPORTIFY.encode())
    result = read_playlist_file(csv_file)
    assert result.format == "csv" and result.playlist.name == "export"
    with pytest.raises(PlaylistFileError, match="cannot read"):
        read_playlist_file(tmp_path / "missing.csv")


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("Adele - Hello", ("Adele", "Hello")),
        ("Jay-Z - 99 Problems", ("Jay-Z", "99 Problems")),
        ("A – B — C", ("A", "B — C")),
        ("NoSeparator", None),
        (" - Title", None),
    ],
)
def test_split_artist_title(text: str, parts: tuple[str, str] | None) -> None:
    assert split_artist_title(text) == parts
