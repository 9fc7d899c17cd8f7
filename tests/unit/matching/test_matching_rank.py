"""Ranking Soulseek files: necessary conditions, preferences, peer failures."""

from __future__ import annotations

import pytest

from soulsync.domain import SearchResponse, SoulseekFile, Track
from soulsync.matching.rank import flatten_responses, rank_soulseek_files
from soulsync.matching.settings import (
    DEFAULT_QUALITY_PROFILE,
    MatchSettings,
    QualityProfile,
    Strictness,
)

WANT = Track("Digital Love", ("Daft Punk",), album="Discovery", duration_ms=301_000)
ROOT = r"@@u\Music\Daft Punk\2001 - Discovery"


def f(name: str = "03 Digital Love.flac", user: str = "a", **kw: object) -> SoulseekFile:
    defaults: dict[str, object] = {"length": 301, "size": 30_000_000, "upload_speed": 1_000_000}
    defaults.update(kw)
    return SoulseekFile(username=user, filename=f"{ROOT}\\{name}", **defaults)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("file", "reason"),
    [
        (f(is_locked=True), "locked"),
        (f("cover.jpg", length=None), "format 'jpg' not allowed"),
        (f("03 Digital Love.mp3", bit_rate=96), "bitrate 96 kbps"),
        (f(length=380), "length 79 s off"),
        (f("03 Digital Love (Live).mp3", bit_rate=320), "wrong version"),
        (f("03 Harder, Better, Faster, Stronger.flac"), "wrong title"),
    ],
)
def test_necessary_conditions_reject_with_a_reason(file: SoulseekFile, reason: str) -> None:
    result = rank_soulseek_files(WANT, [file])
    assert result.best is None
    assert reason in (result.rejected[0].rejected_because or "")
    assert result.rejected[0].reasons[0].startswith("rejected: ")


def test_wrong_artist_is_rejected() -> None:
    file = SoulseekFile(
        "u", r"@@u\mp3\Guns N' Roses - Digital Love.mp3", 1, length=301, bit_rate=320
    )
    result = rank_soulseek_files(WANT, [file])
    assert result.best is None
    assert "wrong artist" in (result.rejected[0].rejected_because or "")


@pytest.mark.parametrize(
    ("strictness", "accepted"),
    [(Strictness.LENIENT, True), (Strictness.STRICT, False)],
)
def test_unknown_metadata_passes_unless_strict(strictness: Strictness, accepted: bool) -> None:
    file = f("03 Digital Love.mp3", length=None, bit_rate=None)
    result = rank_soulseek_files(WANT, [file], MatchSettings(strictness=strictness))
    assert (result.best is not None) is accepted


def test_quality_profile_orders_equal_matches() -> None:
    files = [
        f("03 Digital Love.mp3", user="mp3_256", bit_rate=256),
        f("03 Digital Love.mp3", user="mp3_v0", bit_rate=245, is_variable_bit_rate=True),
        f(user="flac16", bit_depth=16, sample_rate=44100),
        f("03 Digital Love.mp3", user="mp3_320", bit_rate=320),
        f(user="flac24", bit_depth=24, sample_rate=96000),
    ]
    order = [r.file.username for r in rank_soulseek_files(WANT, files).candidates]
    assert order == ["flac24", "flac16", "mp3_320", "mp3_v0", "mp3_256"]


def test_custom_profile_can_prefer_mp3() -> None:
    profile = QualityProfile.parse("mp3 320, flac")
    files = [f(user="flac16", bit_depth=16), f("03 Digital Love.mp3", user="mp3", bit_rate=320)]
    best = rank_soulseek_files(WANT, files, MatchSettings(quality=profile)).best
    assert best is not None and best.file.username == "mp3"


@pytest.mark.parametrize("spec", ["", "flac 24/96, ogg q9"])
def test_bad_profile_spec_is_a_clear_error(spec: str) -> None:
    with pytest.raises(ValueError, match="tier"):
        QualityProfile.parse(spec)


def test_then_free_slot_then_speed_then_queue() -> None:
    files = [
        f(user="busy", has_free_upload_slot=False, upload_speed=9_000_000),
        f(user="slow", upload_speed=100_000),
        f(user="fast_queued", upload_speed=5_000_000, queue_length=30),
        f(user="fast", upload_speed=5_000_000),
    ]
    order = [r.file.username for r in rank_soulseek_files(WANT, files).candidates]
    assert order == ["fast", "fast_queued", "slow", "busy"]


def test_correct_version_beats_better_quality() -> None:
    files = [
        f("03 Digital Love (Radio Edit).flac", user="edit", bit_depth=24),
        f("03 Digital Love.mp3", user="plain", bit_rate=192),
    ]
    best = rank_soulseek_files(WANT, files).best
    assert best is not None and best.file.username == "plain"


def test_ties_prefer_the_closer_title_not_the_farther() -> None:
    # slsk-batchdl sorts its last key (title edit distance) so the larger distance wins.
    files = [
        f("03 Digital Loves.mp3", user="typo", bit_rate=320),
        f("03 Digital Love.mp3", user="exact", bit_rate=320),
    ]
    result = rank_soulseek_files(WANT, files)
    assert all(r.value >= MatchSettings().strong_threshold for r in result.candidates)
    assert [r.file.username for r in result.candidates] == ["exact", "typo"]


@pytest.mark.parametrize(
    ("failures", "expected_first", "rejected"),
    [({}, "a", 0), ({"a": 1}, "b", 0), ({"a": 2}, "b", 1)],
)
def test_peer_failures_downrank_then_ignore(
    failures: dict[str, int], expected_first: str, rejected: int
) -> None:
    files = [f(user="a", upload_speed=9_000_000), f(user="b", upload_speed=100_000)]
    result = rank_soulseek_files(WANT, files, peer_failures=failures)
    assert result.best is not None and result.best.file.username == expected_first
    assert len(result.rejected) == rejected
    if failures.get("a") == 1:
        assert result.candidates[-1].downranked


def test_flatten_responses_copies_peer_fields_and_locked_files() -> None:
    response = SearchResponse(
        username="peer",
        files=(SoulseekFile("", rf"{ROOT}\03 Digital Love.flac", 1, length=301),),
        has_free_upload_slot=False,
        upload_speed=123,
        queue_length=7,
        locked_files=(SoulseekFile("", rf"{ROOT}\04 Harder.flac", 1),),
    )
    files = flatten_responses([response])
    assert [
        (x.username, x.upload_speed, x.queue_length, x.has_free_upload_slot, x.is_locked)
        for x in files
    ] == [
        ("peer", 123, 7, False, False),
        ("peer", 123, 7, False, True),
    ]
    result = rank_soulseek_files(WANT, [response])
    assert result.best is not None and result.best.file.username == "peer"


def test_default_profile_has_the_issue_order() -> None:
    names = [t.name for t in DEFAULT_QUALITY_PROFILE.tiers]
    assert (
        names.index("flac 24")
        < names.index("flac 16")
        < names.index("mp3 320")
        < names.index("mp3 v0")
        < names.index("mp3 256")
    )


def test_locked_matches_are_counted() -> None:
    files = [
        f(user="x", is_locked=True),
        f(user="y", is_locked=True),
        f("cover.jpg", user="z", is_locked=True),
    ]
    result = rank_soulseek_files(WANT, files)
    assert result.best is None
    assert result.locked_matches == 2


@pytest.mark.parametrize(
    ("path", "canonical"),
    [
        (r"@@abc\Music\Daft Punk\Discovery\03.flac", r"Daft Punk\Discovery\03.flac"),
        (
            r"@@xyz\mp3\Downloads\complete\Daft Punk\Discovery\03.flac",
            r"Daft Punk\Discovery\03.flac",
        ),
        (r"D:\Music\Daft Punk\03.flac", r"Daft Punk\03.flac"),
        ("@@u/shared/A/B.mp3", r"A\B.mp3"),
    ],
)
def test_canonical_path_drops_meaningless_folders(path: str, canonical: str) -> None:
    from soulsync.matching.prepared import canonical_path

    assert canonical_path(path) == canonical


def test_same_path_different_lengths_are_scored_separately() -> None:
    files = [f(user="near", length=301), f(user="far", length=322), f(user="unknown", length=None)]
    result = rank_soulseek_files(WANT, files)
    by_user = {r.file.username: r for r in (*result.candidates, *result.rejected)}
    assert by_user["near"].value == 1.0
    assert by_user["far"].value < by_user["near"].value
    assert by_user["unknown"].score.field("duration") is None
    assert by_user["far"].score.field("duration") is not None
    assert result.best is not None and result.best.file.username == "near"


def test_files_with_equal_duration_scores_keep_their_own_duration_reason() -> None:
    # 1 s and 2 s off both score 1.0 for the duration; the per-call memo
    # must not hand the second file the first file's wording.
    files = [f(user="one", length=302), f(user="two", length=303)]
    result = rank_soulseek_files(WANT, files)
    by_user = {r.file.username: r for r in result.candidates}
    one, two = by_user["one"].score.field("duration"), by_user["two"].score.field("duration")
    assert one is not None and two is not None
    assert one.similarity == two.similarity == 1.0
    assert one.reason == "duration matches (1 s off)"
    assert two.reason == "duration matches (2 s off)"
