"""Issue 17: another classical performer named in the folder; charity re-recordings under VA."""

from __future__ import annotations

from soulsync.domain import LibraryTrack, SoulseekFile, Track
from soulsync.matching.score import score_track

NUTCRACKER = Track(
    "The Nutcracker, Op. 71: Dance of the Sugar-Plum Fairy",
    ("Pyotr Ilyich Tchaikovsky", "London Symphony Orchestra", "André Previn"),
    album="Tchaikovsky: The Nutcracker",
    duration_ms=121000,
)


def _file(path: str, length: int) -> SoulseekFile:
    return SoulseekFile("u", path, 1, length=length)


def test_a_folder_naming_another_conductor_is_another_performance() -> None:
    other = score_track(
        NUTCRACKER,
        _file(r"@@d\Classical\Tchaikovsky - The Nutcracker - Gergiev, Kirov Orchestra\CD2"
              r"\14 - Dance of the Sugar-Plum Fairy.flac", 121),
    )  # fmt: skip
    assert other.version_severity == "hard"
    assert any("folder names 'Gergiev'" in p for p in other.penalties), other.penalties


def test_orchestra_initials_name_a_performer() -> None:
    other = score_track(
        NUTCRACKER,
        _file(r"@@d\Tchaikovsky - The Nutcracker - Chicago SO\14 - Dance of the Sugar-Plum Fairy.flac",
              121),
    )  # fmt: skip
    assert other.version_severity == "hard"


def test_the_wanted_conductor_with_a_label_in_brackets_is_accepted() -> None:
    same = score_track(
        NUTCRACKER,
        _file(r"@@e\Classical\Tchaikovsky - The Nutcracker - Previn, LSO (1972) [EMI]\CD2"
              r"\14 - Dance of the Sugar-Plum Fairy.flac", 121),
    )  # fmt: skip
    assert same.version_severity is None
    assert same.value >= 0.8


def test_a_folder_naming_no_performer_is_only_ranked_lower() -> None:
    unknown = score_track(
        NUTCRACKER,
        _file(r"@@e\Classical\Tchaikovsky - The Nutcracker - Complete Ballet\CD2"
              r"\14 - Dance of the Sugar-Plum Fairy.flac", 121),
    )  # fmt: skip
    assert unknown.version_severity == "medium"


EVERYBODY_HURTS = Track(
    "Everybody Hurts", ("R.E.M.",), album="Automatic for the People", duration_ms=317000
)


def _library(title: str, album: str, artist: str = "Various Artists") -> LibraryTrack:
    return LibraryTrack(id="1", title=title, artist=artist, album=album, duration_ms=316000)


def test_a_charity_single_under_various_artists_is_not_the_original() -> None:
    score = score_track(
        EVERYBODY_HURTS, _library("Everybody Hurts", "Everybody Hurts (Helping Haiti)")
    )
    assert score.version_severity == "hard"
    assert any("Various Artists re-recording" in p for p in score.penalties)


def test_a_single_of_the_song_itself_under_various_artists_is_a_re_recording() -> None:
    score = score_track(
        EVERYBODY_HURTS, _library("Everybody Hurts", "Everybody Hurts - 2010 Single")
    )
    assert score.version_severity == "hard"


def test_a_compilation_under_various_artists_stays_the_original() -> None:
    for track in (
        _library("Everybody Hurts", "The Best Ballads of the 90s"),
        _library("Everybody Hurts", "Everybody Hurts (Single)", artist="R.E.M."),
    ):
        score = score_track(EVERYBODY_HURTS, track)
        assert score.version_severity is None, (track, score.penalties)


NEW_WORLD = Track(
    'Symphony No. 9 in E Minor, Op. 95 "From the New World": IV. Allegro con fuoco',
    ("Antonín Dvořák", "Berliner Philharmoniker", "Rafael Kubelík"),
    album="Dvořák: Symphonies Nos. 8 & 9",
    duration_ms=667000,
)


def test_the_wanted_orchestra_by_its_initials_is_a_wanted_performer() -> None:
    same = score_track(
        NEW_WORLD,
        _file(r"@@b\Dvorak - Symphony No. 9 Op. 95 - Kubelik, BPO\04 - IV. Allegro con fuoco.flac",
              668),
    )  # fmt: skip
    assert same.version_severity is None, same.penalties


def test_the_wanted_orchestra_under_another_conductor_is_another_performance() -> None:
    other = score_track(
        NEW_WORLD,
        _file(r"@@a\Dvorak - Symphony No. 9 Op. 95 - Fricsay, BPO\04 - IV. Allegro con fuoco.flac",
              662),
    )  # fmt: skip
    assert other.version_severity == "hard"
    assert any("folder names 'Fricsay'" in p for p in other.penalties), other.penalties


def test_a_soulseek_folder_of_the_charity_single_is_a_re_recording() -> None:
    """Filed under the original artist, the folder's qualifier still names the cause."""
    score = score_track(
        EVERYBODY_HURTS,
        _file(r"@@u\Music\R.E.M\Everybody Hurts (Helping Haiti)\01 Everybody Hurts.flac", 313),
    )
    assert score.version_severity == "hard"
    assert any("charity or all-star re-recording" in p for p in score.penalties), score.penalties


def test_a_charity_compilation_and_the_charity_release_wanted_stay_acceptable() -> None:
    # A compilation holding the original recording is not named after the song.
    lucky = Track("Lucky", ("Radiohead",), album="OK Computer", duration_ms=259000)
    on_help = score_track(
        lucky, _file(r"@@u\VA - Help (War Child 1995)\17 - Radiohead - Lucky.flac", 259)
    )
    assert on_help.version_severity is None, on_help.penalties
    # The wanted track is itself the charity single.
    haiti = Track(
        "Everybody Hurts", ("Helping Haiti",), album="Everybody Hurts (Helping Haiti)",
        duration_ms=313000,
    )  # fmt: skip
    own = score_track(
        haiti,
        _file(r"@@u\Helping Haiti\Everybody Hurts (Helping Haiti)\01 Everybody Hurts.flac", 313),
    )
    assert own.version_severity is None, own.penalties
