"""layout: where files go, portable names, and paths that cannot escape their root."""

from __future__ import annotations

from dataclasses import replace
from pathlib import PurePosixPath

import pytest

from soulsync.domain import Album, AlbumType, Track
from soulsync.library.layout import (
    MAX_PART_BYTES,
    LayoutTemplates,
    ResolvedTrack,
    TemplateError,
    UnsafePathError,
    check_relative,
    destination_for,
    is_safe_relative,
    is_single,
    numbered_variant,
    render,
    safe_download_name,
    sanitize_part,
    template_fields,
    truncate_part,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Plain Title", "Plain Title"),
        ("AC/DC", "AC_DC"),
        ('a<b>c:d"e/f\\g|h?i*j', "a_b_c_d_e_f_g_h_i_j"),
        ("tab\there\nnewline", "tab_here_newline"),
        ("nul\x00byte\x7f", "nul_byte_"),
        (".hidden", "_hidden"),
        ("..", "_"),
        ("...", "_"),
        ("-rf", "_rf"),
        ("--help", "_-help"),
        ("trailing dots...", "trailing dots"),
        ("trailing space   ", "trailing space"),
        ("  leading space", "leading space"),
        ("CON", "CON_"),
        ("con", "con_"),
        ("Nul", "Nul_"),
        ("PRN.flac", "PRN_.flac"),
        ("aux.tar.gz", "aux_.tar.gz"),
        ("COM1", "COM1_"),
        ("lpt9.mp3", "lpt9_.mp3"),
        ("COM10", "COM10"),  # only COM1-9 are reserved
        ("CONSOLE", "CONSOLE"),
        ("NUL.", "NUL_"),  # trailing dot stripped first, then reserved name escaped
        ("", "_"),
        ("   ", "_"),
        ("Beyoncé", "Beyoncé"),
        ("Beyonce\u0301", "Beyoncé"),  # decomposed input is stored composed (NFC)
        ("日本語のタイトル", "日本語のタイトル"),
    ],
)
def test_sanitize_part(raw: str, expected: str) -> None:
    assert sanitize_part(raw) == expected


def test_sanitize_part_uses_fallback_when_nothing_is_left() -> None:
    assert sanitize_part("   ", fallback="Unknown") == "Unknown"
    assert sanitize_part("", fallback="Unknown") == "Unknown"


@pytest.mark.parametrize(
    ("part", "keep_ext"),
    [
        ("a" * 300, False),
        ("a" * 300 + ".flac", True),
        ("日" * 150 + ".flac", True),  # 3-byte characters: cut must not split one
        ("é" * 199 + ".opus", True),  # 2-byte characters straddling the limit
        ("🎵" * 80, False),  # 4-byte characters
    ],
)
def test_truncate_part_fits_bytes_and_keeps_extension(part: str, keep_ext: bool) -> None:
    out = truncate_part(part, keep_ext=keep_ext)
    encoded = out.encode("utf-8")
    assert len(encoded) <= MAX_PART_BYTES
    assert len(encoded) > MAX_PART_BYTES - 4  # cut as little as possible
    encoded.decode("utf-8")  # whole characters only
    if keep_ext:
        assert out.endswith(part[part.rindex(".") :])
    assert out.replace(".", "").strip("_")[:1] == part.replace(".", "")[:1]


def test_truncate_part_resanitises_after_the_cut() -> None:
    # The cut lands right after a run of spaces and dots, which must then go.
    part = "x" * 195 + " . . " + "y" * 50 + ".mp3"
    out = truncate_part(part, keep_ext=True)
    assert out == "x" * 195 + ".mp3"


def test_truncate_part_leaves_short_names_alone() -> None:
    assert truncate_part("Song.flac", keep_ext=True) == "Song.flac"


@pytest.mark.parametrize(
    ("path", "safe"),
    [
        ("Artist/Album/01 Song.flac", True),
        ("single.mp3", True),
        ("./a/./b.flac", True),
        ("a/b/", True),
        ("", False),
        (".", False),
        ("..", False),
        ("../escape.flac", False),
        ("a/../../b", False),
        ("a/b/..", False),
        ("a\\..\\..\\b", False),
        ("..\\windows", False),
        ("/etc/passwd", False),
        ("\\rooted\\path", False),
        ("C:\\Windows\\system32", False),
        ("c:relative-to-drive", False),
        ("\\\\server\\share\\x.flac", False),
        ("//server/share", False),
        ("a\x00b", False),
        ("...", True),  # a name made of dots is not a parent reference
    ],
)
def test_is_safe_relative(path: str, safe: bool) -> None:
    assert is_safe_relative(path) is safe
    if safe:
        assert ".." not in check_relative(path).parts
    else:
        with pytest.raises(UnsafePathError):
            check_relative(path)


@pytest.mark.parametrize(
    ("remote", "expected"),
    [
        ("@@abcde\\Music\\Artist\\Album\\01 - Song.flac", "Album/01 - Song.flac"),
        ("Music/Album/02 Song.mp3", "Album/02 Song.mp3"),
        ("..\\..\\..\\etc\\passwd", "etc/passwd"),
        ("Album\\..\\..\\evil.flac", "evil.flac"),
        ("C:\\Users\\me\\Album\\x.flac", "Album/x.flac"),
        ("\\\\server\\share\\CON\\aux.flac", "CON_/aux_.flac"),
        ("Album\\.hidden.flac", "Album/_hidden.flac"),
        ("Album\\-rf.flac", "Album/_rf.flac"),
        ("Al:bum\\so<ng>?.flac", "Al_bum/so_ng__.flac"),
        ("Album\\", "Album"),
        ("..", "_"),
    ],
)
def test_safe_download_name_hostile_soulseek_paths(remote: str, expected: str) -> None:
    out = safe_download_name(remote)
    assert out == PurePosixPath(expected)
    assert is_safe_relative(out)


def test_safe_download_name_truncates_long_names() -> None:
    out = safe_download_name("F\\" + "x" * 400 + ".flac")
    assert len(out.name.encode()) <= MAX_PART_BYTES
    assert out.suffix == ".flac"


# --------------------------------------------------------------------------- templates

ALBUM = Album(
    title="Discovery",
    artists=("Daft Punk",),
    album_type=AlbumType.ALBUM,
    release_date="2001-03-12",
    total_tracks=14,
    total_discs=1,
)


def _track(**kw: object) -> Track:
    base: dict[str, object] = {
        "title": "One More Time",
        "artists": ("Daft Punk",),
        "album": "Discovery",
        "track_number": 1,
        "disc_number": 1,
    }
    base.update(kw)
    return Track(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("resolved", "ext", "expected"),
    [
        (
            ResolvedTrack(_track(), ALBUM),
            "flac",
            "Daft Punk/Daft Punk - Discovery/01 One More Time.flac",
        ),
        (
            ResolvedTrack(_track(track_number=3, disc_number=2), replace(ALBUM, total_discs=2)),
            "mp3",
            "Daft Punk/Daft Punk - Discovery/2-03 One More Time.mp3",
        ),
        (
            ResolvedTrack(
                _track(title="Get Lucky", album="Get Lucky"),
                Album("Get Lucky", ("Daft Punk",), AlbumType.SINGLE, total_tracks=1),
            ),
            "m4a",
            "Daft Punk/Daft Punk - Get Lucky/Get Lucky.m4a",
        ),
        (  # a single with several tracks is filed like an EP
            ResolvedTrack(
                _track(title="Get Lucky (Radio Edit)", track_number=2),
                Album("Get Lucky", ("Daft Punk",), AlbumType.SINGLE, total_tracks=3),
            ),
            "flac",
            "Daft Punk/Daft Punk - Get Lucky/02 Get Lucky (Radio Edit).flac",
        ),
        (
            ResolvedTrack(
                _track(title="Thing", track_number=4),
                Album("Some EP", ("Daft Punk",), AlbumType.EP, total_tracks=5),
            ),
            "ogg",
            "Daft Punk/Daft Punk - Some EP/04 Thing.ogg",
        ),
        (  # a compilation track filed under the chosen artist
            ResolvedTrack(
                _track(title="Digital Love", track_number=7),
                Album("Now 50", ("Various Artists",), AlbumType.COMPILATION, total_tracks=40),
                artist="Daft Punk",
            ),
            "flac",
            "Daft Punk/Daft Punk - Now 50/07 Digital Love.flac",
        ),
        (  # no album at all: single layout
            ResolvedTrack(Track("Loose Track", ("Someone",))),
            "mp3",
            "Someone/Someone - Loose Track/Loose Track.mp3",
        ),
        (  # empty metadata gets fallbacks
            ResolvedTrack(Track("", ()), Album("", ())),
            ".FLAC",
            "Unknown Artist/Unknown Artist - Unknown Title/Unknown Title.flac",
        ),
        (
            ResolvedTrack(Track("Song", ()), Album("Record", (), total_tracks=9)),
            "flac",
            "Unknown Artist/Unknown Artist - Record/00 Song.flac",
        ),
        (  # hostile metadata: separators become "_", never folders
            ResolvedTrack(
                Track("../../etc/passwd", ("AC/DC",), album="Back: In Black?", track_number=6),
                Album("Back: In Black?", ("AC/DC",), total_tracks=10),
            ),
            "flac",
            "AC_DC/AC_DC - Back_ In Black_/06 .._.._etc_passwd.flac",
        ),
        (
            ResolvedTrack(
                Track("CON", ("NUL",), album=".Hidden", track_number=1),
                Album(".Hidden", ("NUL",), total_tracks=2),
            ),
            "mp3",
            "NUL_/NUL - .Hidden/01 CON.mp3",
        ),
        (  # non-Latin
            ResolvedTrack(
                Track("夜に駆ける", ("YOASOBI",), track_number=1),
                Album("THE BOOK", ("YOASOBI",), total_tracks=10, total_discs=1),
            ),
            "flac",
            "YOASOBI/YOASOBI - THE BOOK/01 夜に駆ける.flac",
        ),
    ],
)
def test_destination_for_defaults(resolved: ResolvedTrack, ext: str, expected: str) -> None:
    out = destination_for(resolved, ext)
    assert out == PurePosixPath(expected)
    assert is_safe_relative(out)


def test_destination_for_is_order_independent_for_one_album() -> None:
    tracks = [_track(title=f"T{n}", track_number=n) for n in (3, 1, 2)]
    folders = {destination_for(ResolvedTrack(t, ALBUM), "flac").parent for t in tracks}
    names = sorted(destination_for(ResolvedTrack(t, ALBUM), "flac").name for t in tracks)
    assert folders == {PurePosixPath("Daft Punk/Daft Punk - Discovery")}
    assert names == ["01 T1.flac", "02 T2.flac", "03 T3.flac"]


def test_destination_for_truncates_every_part_by_bytes() -> None:
    title = "タイトル" * 40  # 480 bytes
    resolved = ResolvedTrack(
        Track(title, ("Ä" * 150,), track_number=1), Album("B" * 300, ("Ä" * 150,), total_tracks=2)
    )
    out = destination_for(resolved, "flac")
    for part in out.parts:
        assert len(part.encode("utf-8")) <= MAX_PART_BYTES
    assert out.suffix == ".flac"
    assert out.name.startswith("01 タイトル")


def test_custom_templates() -> None:
    templates = LayoutTemplates(
        album="{albumtype}/{year} {album} [{artists}]/{disc}.{track:03d} {trackartist} - {title}.{ext}",
        single="Singles/{artist} - {title} ({year}).{ext}",
    )
    templates.validate()
    track = _track(artists=("Daft Punk", "Romanthony"), track_number=12)
    out = destination_for(ResolvedTrack(track, ALBUM), "flac", templates)
    assert out == PurePosixPath(
        "album/2001 Discovery [Daft Punk & Romanthony]/1.012 Daft Punk - One More Time.flac"
    )
    single = ResolvedTrack(Track("Solo", ("X",), release_date="1999"))
    assert destination_for(single, "mp3", templates) == PurePosixPath("Singles/X - Solo (1999).mp3")


@pytest.mark.parametrize(
    "template",
    [
        "{artist}/{nope}.{ext}",
        "{artist.__class__}/{title}.{ext}",
        "{artist[0]}/{title}.{ext}",
        "{artist}/{title}",  # no extension
        "{artist}/{title.{ext}",
        "/abs/{title}.{ext}",
        "../{title}.{ext}",
    ],
)
def test_bad_templates_are_rejected(template: str) -> None:
    with pytest.raises(TemplateError):
        LayoutTemplates(album=template).validate()


def test_render_rejects_bad_format_spec() -> None:
    fields = template_fields(ResolvedTrack(_track(), ALBUM), "flac")
    with pytest.raises(TemplateError):
        render("{title:02d}.{ext}", fields)


@pytest.mark.parametrize(
    ("album", "single"),
    [
        (Album("X", ("A",), AlbumType.SINGLE, total_tracks=1), True),
        (Album("X", ("A",), AlbumType.SINGLE, total_tracks=None), True),
        (Album("X", ("A",), AlbumType.SINGLE, total_tracks=2), False),
        (Album("X", ("A",), AlbumType.EP, total_tracks=1), True),
        (Album("X", ("A",), AlbumType.EP, total_tracks=None), False),
        (Album("X", ("A",), AlbumType.EP, total_tracks=4), False),
        (Album("X", ("A",), AlbumType.ALBUM, total_tracks=12), False),
        (Album("X", ("A",), AlbumType.COMPILATION, total_tracks=30), False),
        (None, True),
    ],
)
def test_is_single(album: Album | None, single: bool) -> None:
    assert is_single(ResolvedTrack(Track("X", ("A",)), album)) is single


@pytest.mark.parametrize(
    ("name", "n", "expected"),
    [
        ("Title.flac", 2, "Title (2).flac"),
        ("01 Song.mp3", 13, "01 Song (13).mp3"),
        ("noext", 2, "noext (2)"),
    ],
)
def test_numbered_variant(name: str, n: int, expected: str) -> None:
    assert numbered_variant(name, n) == expected


def test_numbered_variant_stays_within_limit() -> None:
    name = truncate_part("語" * 100 + ".flac", keep_ext=True)
    out = numbered_variant(name, 12)
    assert len(out.encode()) <= MAX_PART_BYTES
    assert out.endswith(" (12).flac")


@pytest.mark.parametrize(
    ("template", "allowed"),
    [
        ("{artist}/{track:02d} {title}.{ext}", True),
        ("{artist}/{track:>3} {title:.40}.{ext}", True),
        ("{artist}/{title:>2000000000}.{ext}", False),
        ("{artist}/{title:x>11}.{ext}", False),
        ("{artist}/{title:.100000}.{ext}", False),
        ("{artist}/{title:{track}}.{ext}", False),
    ],
)
def test_format_spec_widths_are_bounded(template: str, allowed: bool) -> None:
    values = {"artist": "A", "title": "T", "track": 1, "ext": "flac"}
    if allowed:
        assert str(render(template, values)).endswith(".flac")
    else:
        with pytest.raises(TemplateError):
            render(template, values)
