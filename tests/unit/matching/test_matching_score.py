"""Track similarity: tiers, versions, durations, and the peers' named bugs."""

from __future__ import annotations

import pytest
from rapidfuzz import fuzz, utils

from soulsync.domain import LibraryTrack, SoulseekFile, Track
from soulsync.matching.score import duration_similarity, score_track
from soulsync.matching.settings import MatchSettings

WEEKND = Track("Blinding Lights", ("The Weeknd",), album="After Hours", duration_ms=200_040)


def lib(
    title: str,
    artist: str,
    album: str | None = None,
    ms: int | None = None,
    isrc: str | None = None,
) -> LibraryTrack:
    return LibraryTrack(id="1", title=title, artist=artist, album=album, duration_ms=ms, isrc=isrc)


@pytest.mark.parametrize(
    ("want", "candidate", "low", "high"),
    [
        # beets auto-accepts the live version (distance 0.029); a hard mismatch here.
        (WEEKND, Track("Blinding Lights (Live)", ("The Weeknd",), duration_ms=200_040), 0.0, 0.3),
        (WEEKND, Track("Blinding Lights - Chromatics Remix", ("The Weeknd",)), 0.0, 0.3),
        (WEEKND, lib("Blinding Lights", "The Weeknd", "After Hours", 201_000), 0.99, 1.0),
        (WEEKND, lib("Blinding Lights", "Weeknd, The"), 0.99, 1.0),
        # beets' ep/single regex had no word boundary: "Single Ladies" == "Ladies".
        (
            Track("Single Ladies (Put a Ring on It)", ("Beyoncé",)),
            lib("Ladies", "Beyonce"),
            0.0,
            0.7,
        ),
        # spotDL's substring test penalised "cover" inside "discover".
        (
            Track("Discover", ("MGMT",), duration_ms=270_000),
            lib("Discover", "MGMT", None, 270_000),
            0.99,
            1.0,
        ),
        # beets' dash suffix got no discount ("Song" vs "Song - Remastered 2011" = 0.778).
        (
            Track("Don't Stop Me Now", ("Queen",)),
            lib("Don't Stop Me Now - Remastered 2011", "Queen"),
            0.95,
            1.0,
        ),
        # A bracket-only version check (slsk-batchdl) misses a dash suffix.
        (Track("Creep", ("Radiohead",)), lib("Creep - Live", "Radiohead"), 0.0, 0.3),
        (Track("Hello", ("Adele",)), lib("Hello", "Lionel Richie"), 0.0, 0.6),
        (Track("Hello", ("Adele",)), lib("Hello, Goodbye", "Adele"), 0.0, 0.7),
        (
            Track("Another Brick in the Wall, Pt. 2", ("Pink Floyd",)),
            lib("Another Brick in the Wall (Part II)", "Pink Floyd"),
            0.99,
            1.0,
        ),
        (
            Track("Another Brick in the Wall, Pt. 2", ("Pink Floyd",)),
            lib("Another Brick in the Wall, Pt. 1", "Pink Floyd"),
            0.0,
            0.8,
        ),
        (
            Track("Love Story", ("Taylor Swift",)),
            lib("Love Story (Taylor's Version)", "Taylor Swift"),
            0.0,
            0.3,
        ),
        (Track("Jóga", ("Björk",)), lib("Joga", "Bjork"), 0.99, 1.0),
        (Track("Lemon", ("米津玄師",)), lib("Lemon", "米津玄師"), 0.99, 1.0),
        (Track("Gruppa krovi", ("Kino",)), lib("Группа крови", "Кино"), 0.99, 1.0),
    ],
)
def test_score_range(want: Track, candidate: Track | LibraryTrack, low: float, high: float) -> None:
    score = score_track(want, candidate)
    assert low <= score.value <= high, score.explain()


def test_token_set_ratio_is_blind_to_live_but_the_engine_is_not() -> None:
    # The reference measurement: token_set_ratio gives 100 for the live version.
    assert (
        fuzz.token_set_ratio(
            "Blinding Lights", "Blinding Lights (Live)", processor=utils.default_process
        )
        == 100
    )
    score = score_track(WEEKND, lib("Blinding Lights (Live)", "The Weeknd"))
    assert score.version_severity == "hard"
    assert any("live" in r for r in score.reasons)


@pytest.mark.parametrize(
    ("want_ms", "cand_ms", "expected"),
    [
        (200_000, 200_000, 1.0),
        (200_000, 203_000, 1.0),
        (200_000, 216_500, 0.5),
        (200_000, 230_000, 0.0),
        (200_000, 400_000, 0.0),
        (None, 200_000, None),
        (200_000, None, None),
    ],
)
def test_duration_curve(want_ms: int | None, cand_ms: int | None, expected: float | None) -> None:
    sim, _ = duration_similarity(want_ms, cand_ms)
    assert sim == (pytest.approx(expected) if expected is not None else None)


def test_unknown_duration_neither_helps_nor_hurts() -> None:
    known = score_track(WEEKND, lib("Blinding Lights", "The Weeknd", "After Hours", 200_040))
    unknown = score_track(WEEKND, lib("Blinding Lights", "The Weeknd", "After Hours", None))
    assert known.value == unknown.value == 1.0
    assert unknown.field("duration") is None


def test_isrc_tiers() -> None:
    want = Track("Hey Jude", ("The Beatles",), isrc="GBAYE0601477")
    same = score_track(want, lib("Hey Jude (2015 Mix)", "Beatles", isrc="gbaye0601477"))
    assert same.tier == "identifier" and same.value >= 0.85
    other = score_track(want, lib("Hey Jude", "The Beatles", isrc="USUM71703861"))
    assert other.value <= MatchSettings().isrc_mismatch_cap
    assert any("different ISRC" in r for r in other.reasons)


@pytest.mark.parametrize(
    ("remaster_penalty", "expected"),
    [(0.03, 0.97), (0.0, 1.0), (0.2, 0.8)],
)
def test_remaster_is_soft_and_configurable(remaster_penalty: float, expected: float) -> None:
    settings = MatchSettings(remaster_penalty=remaster_penalty)
    score = score_track(
        Track("Hey Jude", ("The Beatles",)),
        lib("Hey Jude - Remastered 2015", "The Beatles"),
        settings,
    )
    assert score.value == pytest.approx(expected)
    assert score.version_severity in ("soft", None)


def test_clean_version_is_soft_but_dispreferred() -> None:
    score = score_track(
        Track("HUMBLE.", ("Kendrick Lamar",)), lib("HUMBLE. (Clean)", "Kendrick Lamar")
    )
    assert 0.9 <= score.value < 1.0
    assert score.dispreferred
    explicit_off = MatchSettings(prefer_explicit=False)
    assert (
        score_track(
            Track("HUMBLE.", ("Kendrick Lamar",)),
            lib("HUMBLE. (Clean)", "Kendrick Lamar"),
            explicit_off,
        ).value
        == 1.0
    )


def test_score_explains_itself() -> None:
    score = score_track(WEEKND, lib("Blinding Lights (Live)", "The Weeknd", "After Hours", 260_000))
    text = score.explain()
    assert text.startswith(f"{score.percent}%: ")
    assert "version mismatch: candidate is live" in text
    assert "duration 60 s off" in text
    assert {f.name for f in score.fields} >= {"title", "artist", "album", "duration", "version"}
    assert (
        score < 0.5
        and float(score) == score.value
        and score.distance == pytest.approx(1 - score.value)
    )


def test_soulseek_file_uses_every_reading() -> None:
    file = SoulseekFile(
        "u",
        r"@@u\Music\The Weeknd\After Hours (2020)\09 Blinding Lights - Chromatics Remix.flac",
        1,
        length=200,
    )
    score = score_track(WEEKND, file)
    assert score.version_severity == "hard"
    plain = SoulseekFile(
        "u", r"@@u\Music\The Weeknd\After Hours (2020)\09 Blinding Lights.flac", 1, length=200
    )
    assert score_track(WEEKND, plain).value == 1.0


def test_file_naming_another_artist_is_not_rescued_by_the_folder() -> None:
    want = Track("Space Oddity", ("David Bowie",), duration_ms=315_000)
    cover = SoulseekFile("u", r"@@i\Bowie\Chris Hadfield - Space Oddity.mp3", 1, length=300)
    assert score_track(want, cover).value < MatchSettings().accept_threshold


@pytest.mark.parametrize(
    ("want", "candidate", "owned"),
    [
        # An extra featured artist marks the re-release, not the album cut.
        (Track("Levitating", ("Dua Lipa",)), lib("Levitating (feat. DaBaby)", "Dua Lipa"), False),
        (
            Track("Levitating (feat. DaBaby)", ("Dua Lipa", "DaBaby")),
            lib("Levitating (feat. DaBaby)", "Dua Lipa"),
            True,
        ),
        # A wanted feature the candidate does not name costs only a little.
        (
            Track("Crazy in Love (feat. Jay-Z)", ("Beyoncé", "JAY-Z")),
            lib("Crazy in Love", "Beyonce"),
            True,
        ),
        # Named alternate versions are other recordings.
        (Track("Chandelier", ("Sia",)), lib("Chandelier (Piano Version)", "Sia"), False),
        (
            Track("Space Oddity", ("David Bowie",)),
            lib("Space Oddity (2019 Mix)", "David Bowie"),
            False,
        ),
        # A credit before a dash is not a featured part of the title.
        (
            Track("This Is What You Came For", ("Calvin Harris", "Rihanna")),
            lib("Calvin Harris ft. Rihanna - This Is What You Came For", "Calvin Harris"),
            False,
        ),
    ],
)
def test_features_and_alternate_versions(want: Track, candidate: LibraryTrack, owned: bool) -> None:
    score = score_track(want, candidate)
    assert (score.value >= MatchSettings().owned_threshold) is owned, score.explain()
