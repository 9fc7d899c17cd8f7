"""Issue 17 classes: version-word albums and bands, live releases known from
metadata, re-recordings, language versions, processed uploads, classical
performances, romanisation and library tagging habits."""

from __future__ import annotations

import pytest

from soulsync.domain import LibraryTrack, SoulseekFile, Track
from soulsync.matching.anatomy import VersionKind, parse_title, weak_album_context
from soulsync.matching.index import LibraryIndex
from soulsync.matching.rank import rank_soulseek_files, releases_to_check
from soulsync.matching.releases import ReleaseFacts, ReleaseInfo, kinds_of_types


def _file(path: str, length: int) -> SoulseekFile:
    return SoulseekFile(username="peer", filename=path, size=length * 40000, length=length)


def _pick(want: Track, files: list[SoulseekFile], releases: ReleaseFacts | None = None) -> str:
    best = rank_soulseek_files(want, files, releases=releases).best
    return best.file.filename if best else ""


@pytest.mark.parametrize(
    ("title", "kind", "detail"),
    [
        ("Rolling in the Deep -Japanese ver.-", VersionKind.LANGUAGE, "japanese"),
        ("Song (Korean Ver.)", VersionKind.LANGUAGE, "korean"),
        ("Canción (Versión en Español)", VersionKind.LANGUAGE, "spanish"),
        ("Song (8D Audio)", VersionKind.PROCESSED, ""),
        ("Song [BASS BOOSTED]", VersionKind.PROCESSED, ""),
        ("Song (Remastered in 432 Hz)", VersionKind.PROCESSED, ""),
        ("Song (daycore)", VersionKind.SLOWED, ""),
        ("Song '88", VersionKind.RERECORDED, "88"),
        ("Song (New Version)", VersionKind.RERECORDED, ""),
        ("Song (2012)", VersionKind.DATED, "2012"),
    ],
)
def test_new_descriptors(title: str, kind: VersionKind, detail: str) -> None:
    anatomy = parse_title(title)
    assert kind in anatomy.kinds
    assert anatomy.detail_of(kind) == detail


@pytest.mark.parametrize("title", ["Summer of '69", "Take My Breath Away", "Japanese Boy"])
def test_titles_that_only_look_like_versions(title: str) -> None:
    assert parse_title(title).versions == ()


def test_weak_live_guess() -> None:
    assert weak_album_context("Live Through This") == {VersionKind.LIVE}
    assert weak_album_context("Live at Leeds") == frozenset()


def test_wanted_album_named_live_does_not_excuse_a_live_file() -> None:
    want = Track("Softer, Softest", ("Hole",), "Live Through This", duration_ms=207000)
    files = [
        _file("@@p\\Hole - Softer, Softest (Live).mp3", 215),
        _file("@@p\\Hole\\Live Through This\\07 Softer, Softest.mp3", 207),
    ]
    assert _pick(want, files).endswith("07 Softer, Softest.mp3")
    assert _pick(want, files[:1]) == ""


def test_band_named_like_a_version_word_matches_its_studio_folders() -> None:
    want = Track("Turn My Head", ("Live",), "Secret Samadhi", duration_ms=220000)
    files = [_file("@@p\\Rock\\Live\\1997 - Secret Samadhi\\06 - Turn My Head.flac", 220)]
    assert _pick(want, files).endswith("Turn My Head.flac")
    live = [_file("@@p\\Rock\\Live - Turn My Head (Live at Woodstock 1999).mp3", 221)]
    assert _pick(want, live) == ""


def test_live_release_known_from_metadata() -> None:
    want = Track("Sweet Home Chicago", ("The Blues Brothers",), "Briefcase Full of Blues",
                 duration_ms=288000)  # fmt: skip
    files = [_file("@@p\\Blues Brothers - Made in America (1980)\\02 Sweet Home Chicago.mp3", 290)]
    assert _pick(want, files)  # nothing in the name says live
    facts = ReleaseFacts.of(
        [("The Blues Brothers", "Made in America", ReleaseInfo(("Album", "Live"), "MusicBrainz"))]
    )
    result = rank_soulseek_files(want, files, releases=facts)
    assert result.best is None
    assert any("MusicBrainz: Album, Live" in r for r in result.rejected[0].reasons)
    queries = releases_to_check(want, rank_soulseek_files(want, files))
    assert [q.album for q in queries] == ["Briefcase Full of Blues", "Made in America"]


def test_kinds_of_types() -> None:
    assert kinds_of_types(["Album", "Live"]) == {VersionKind.LIVE}
    assert kinds_of_types(["Album", "Compilation", "Soundtrack"]) == frozenset()
    assert kinds_of_types(["DJ-mix"]) == {VersionKind.REMIX}


def test_bare_year_decided_by_release_year() -> None:
    want = Track("Rock of Ages", ("Def Leppard",), "Pyromania", duration_ms=249000,
                 release_date="1983-01-20")  # fmt: skip
    later = [_file("@@p\\Def Leppard - Rock Of Ages (2012).mp3", 249)]
    assert _pick(want, later) == ""
    same = [_file("@@p\\Def Leppard - Rock Of Ages (1983).mp3", 249)]
    assert _pick(want, same)


def test_classical_year_and_performer() -> None:
    want = Track("Goldberg Variations, BWV 988: Aria", ("Johann Sebastian Bach", "Glenn Gould"),
                 "Bach: Goldberg Variations (1981 Recording)", duration_ms=185000)  # fmt: skip
    other_year = _file(
        "@@p\\Bach - Goldberg Variations BWV 988 - Glenn Gould (1955)\\01 Aria.flac", 184
    )
    right = _file("@@p\\Bach - Goldberg Variations BWV 988 - Glenn Gould (1981)\\01 Aria.flac", 185)
    assert _pick(want, [other_year, right]) == right.filename
    assert _pick(want, [other_year]) == ""


def test_romaji_both_ways_and_va_library_titles() -> None:
    want = Track("残響散歌", ("Aimer",), "残響散歌", duration_ms=185000)
    assert _pick(want, [_file("@@p\\Aimer - Zankyou Sanka.flac", 185)])
    index = LibraryIndex(
        [LibraryTrack("1", "Sheena Easton - For Your Eyes Only", "Various Artists", "Bond", 182000)]
    )
    assert index.check(Track("For Your Eyes Only", ("Sheena Easton",), None, 182000)).owned
    assert not index.check(Track("For Your Eyes Only", ("Bill Conti",), None, 182000)).owned


def test_ranking_leaves_the_garbage_collector_as_it_found_it() -> None:
    import gc

    want = Track("Song", ("Artist",), None, duration_ms=200000)
    assert gc.isenabled()
    rank_soulseek_files(want, [_file("@@p\\Artist - Song.mp3", 200)])
    assert gc.isenabled()
    gc.disable()
    try:
        rank_soulseek_files(want, [_file("@@p\\Artist - Song.mp3", 200)])
        assert not gc.isenabled()
    finally:
        gc.enable()
