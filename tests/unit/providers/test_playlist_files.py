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


# Issue 18 item 11: one bad cell no longer aborts the whole import.
BAD_CELLS = [
    pytest.param(
        "Title,Artist,Duration (ms)\nA,B,nan\nC,D,1000\n", "csv", "duration 'nan' ignored", id="nan"
    ),
    pytest.param(
        "Title,Artist,Duration (ms)\nA,B,inf\nC,D,1000\n", "csv", "duration 'inf' ignored", id="inf"
    ),
    pytest.param(
        "Title,Artist,Duration (ms)\nA,B,1e999\nC,D,1000\n", "csv", "ignored", id="overflow"
    ),
    pytest.param(
        "Title,Artist,Track Number\nA,B,²\nC,D,2\n", "csv", "track number '²' ignored", id="super-2"
    ),
    pytest.param(
        "#EXTM3U\n#EXTINF:" + "9" * 400 + ",B - A\na.mp3\n#EXTINF:100,D - C\nc.mp3\n",
        "m3u",
        "impossible #EXTINF length ignored",
        id="400-digit-extinf",
    ),
]


@pytest.mark.parametrize(("text", "fmt", "note"), BAD_CELLS)
def test_a_bad_cell_is_a_line_issue_and_the_rest_is_imported(
    text: str, fmt: str, note: str
) -> None:
    result = parse_playlist_text(text, fmt=fmt, name="x")
    tracks = [e.track for e in result.playlist.entries if e.track is not None]
    assert [(t.artist, t.title) for t in tracks] == [("B", "A"), ("D", "C")]
    assert tracks[0].duration_ms is None and tracks[0].track_number is None
    assert any(note in str(i) and not i.skipped for i in result.issues), result.issues


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_playlists_with_a_bom_are_read(tmp_path: Path, encoding: str) -> None:
    text = "Кино - Группа крови\nSigur Rós - Hoppípolla\n"
    bom = {"utf-16": b"", "utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}[encoding]
    path = tmp_path / "list.txt"
    path.write_bytes(bom + text.encode(encoding))
    result = read_playlist_file(path)
    assert [e.track.artist for e in result.playlist.entries if e.track] == ["Кино", "Sigur Rós"]


def test_playlist_files_over_the_size_limit_are_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.m3u"
    path.write_bytes(b"#EXTM3U\n" + b"#EXTINF:100,Artist - Title\na.mp3\n" * 100)
    with pytest.raises(PlaylistFileError, match=r"too large"):
        read_playlist_file(path, max_bytes=1000)
    assert len(read_playlist_file(path, max_bytes=10_000).playlist.entries) == 100
