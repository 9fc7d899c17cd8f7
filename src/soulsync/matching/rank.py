"""Ranking Soulseek files for one wanted track.

Two stages, as slsk-batchdl does, but with one score instead of a string of
boolean checks:

1. **Necessary conditions** reject a file: locked, not an allowed audio
   format, peer ignored after repeated failures, queue too long, lossy bitrate
   under the floor, length far off, and a match score under the acceptance
   threshold (which is where wrong versions and wrong artists end up, with
   the score's reasons saying which). Unknown bitrate or length pass unless
   the settings are strict.
2. **Preferences** order what is left: peers that failed before go last;
   then strong matches before merely acceptable ones; a disfavoured soft
   variant (clean edit, unnamed feature) after the plain one; length within
   the tolerance; the quality profile's tier; the folder naming the wanted
   album; a free upload slot; upload speed (in 650 KB/s steps so small
   differences do not beat a better tier); shorter queue; and finally the
   exact score.

Unlike slsk-batchdl's final edit-distance key (sorted so the *larger*
distance won), ties here are broken by the higher match score.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache

from soulsync.domain import SearchResponse, SoulseekFile, Track
from soulsync.matching.filename import extension_of
from soulsync.matching.prepared import collector_paused, with_release_kinds
from soulsync.matching.releases import ReleaseFacts, ReleaseQuery, release_key
from soulsync.matching.score import (
    CompareMemo,
    Prepared,
    Score,
    compare,
    prepare,
    prepare_path,
)
from soulsync.matching.settings import (
    DEFAULT_SETTINGS,
    LOSSLESS_FORMATS,
    MatchSettings,
)

__all__ = [
    "RankResult",
    "RankedFile",
    "flatten_responses",
    "rank_prepared",
    "rank_soulseek_files",
    "releases_to_check",
]

_SPEED_BUCKET = 650 * 1024  # bytes/s per preference step


@dataclass(frozen=True, slots=True)
class RankedFile:
    """A candidate file with its match score, quality tier and reasons."""

    file: SoulseekFile
    score: Score
    quality_rank: int
    quality_name: str
    rejected_because: str | None = None
    downranked: bool = False

    @property
    def accepted(self) -> bool:
        """True if the file passed every necessary condition."""
        return self.rejected_because is None

    @property
    def value(self) -> float:
        """The match score in 0..1."""
        return self.score.value

    @property
    def reasons(self) -> tuple[str, ...]:
        """Why this file scored and ranked as it did, most important first."""
        head: list[str] = []
        if self.rejected_because:
            head.append(f"rejected: {self.rejected_because}")
        if self.downranked:
            head.append(f"peer {self.file.username!r} failed before")
        head.append(f"quality {self.quality_name}")
        return (*head, *self.score.reasons)


@dataclass(frozen=True, slots=True)
class RankResult:
    """Accepted candidates best first, and rejected ones with their reason."""

    candidates: tuple[RankedFile, ...]
    rejected: tuple[RankedFile, ...]

    @property
    def best(self) -> RankedFile | None:
        """The file to try first, or None when the engine declines."""
        return self.candidates[0] if self.candidates else None

    @property
    def locked_matches(self) -> int:
        """Locked files that would otherwise have been accepted (for "N locked" messages)."""
        return sum(
            1
            for r in self.rejected
            if r.rejected_because == "file is locked"
            and r.score.value >= DEFAULT_SETTINGS.accept_threshold
        )


def flatten_responses(results: Iterable[SearchResponse | SoulseekFile]) -> list[SoulseekFile]:
    """Files of search responses with their peer's slot, speed and queue copied on.

    Locked files are included (marked locked) so ranking can count them.
    """
    files: list[SoulseekFile] = []
    for item in results:
        if isinstance(item, SoulseekFile):
            files.append(item)
            continue
        for f in (*item.files, *item.locked_files):
            locked = f.is_locked or f in item.locked_files
            if (
                f.username == item.username
                and f.has_free_upload_slot == item.has_free_upload_slot
                and f.upload_speed == item.upload_speed
                and f.queue_length == item.queue_length
                and f.is_locked == locked
            ):
                files.append(f)  # already carries its peer's fields
                continue
            files.append(
                replace(
                    f,
                    username=item.username,
                    is_locked=locked,
                    has_free_upload_slot=item.has_free_upload_slot,
                    upload_speed=item.upload_speed,
                    queue_length=item.queue_length,
                )
            )
    return files


def _cheap_conditions(
    file: SoulseekFile,
    ext: str,
    settings: MatchSettings,
    failures: int,
    want_ms: int | None,
) -> str | None:
    """The first necessary condition that needs no match score, or None.

    Locked files are checked later, after scoring, so the caller can still
    tell how many locked files *would* have matched. ``ext`` is the file's
    extension (:func:`~soulsync.matching.filename.extension_of`).
    """
    if ext not in settings.quality.allowed_formats:
        return f"format {ext or 'unknown'!r} not allowed"
    if failures >= settings.fails_to_ignore:
        return f"peer failed {failures} times"
    if settings.max_queue_length is not None and file.queue_length > settings.max_queue_length:
        return f"queue {file.queue_length} longer than {settings.max_queue_length}"
    if settings.min_upload_speed and file.upload_speed < settings.min_upload_speed:
        return f"upload speed {file.upload_speed} B/s too slow"
    if ext not in LOSSLESS_FORMATS:
        if file.bit_rate is None:
            if settings.strict:
                return "bitrate unknown (strict)"
        elif file.bit_rate < settings.quality.min_bitrate:
            return f"bitrate {file.bit_rate} kbps under {settings.quality.min_bitrate}"
    if file.length is None:
        if settings.strict:
            return "length unknown (strict)"
    elif want_ms:
        delta = abs(want_ms - file.length * 1000) / 1000
        if delta > settings.max_duration_delta_s:
            return f"length {delta:.0f} s off"
    return None


def _score_conditions(file: SoulseekFile, score: Score, settings: MatchSettings) -> str | None:
    """The necessary conditions that need the score: locked, and the match itself."""
    if file.is_locked:
        return "file is locked"
    if score.value < settings.accept_threshold:
        if score.version_severity == "hard":
            return "wrong version: " + "; ".join(score.penalties)
        artist = score.field("artist")
        if artist is not None and artist.similarity is not None and artist.similarity < 0.6:
            return "wrong artist: " + artist.reason
        title = score.field("title")
        if title is not None and title.similarity is not None and title.similarity < 0.75:
            return "wrong title: " + title.reason
        return f"match {score.percent}% under {round(settings.accept_threshold * 100)}%"
    return None


_UNSCORED = Score(0.0, (), penalties=("not scored: a necessary condition failed first",))


def _tier(settings: MatchSettings, file: SoulseekFile, ext: str) -> tuple[int, str]:
    # Keyed on the settings (whose hash is cached), not the profile.
    return _tier_cached(
        settings,
        ext,
        file.bit_rate,
        file.bit_depth,
        file.sample_rate,
        file.is_variable_bit_rate,
    )


@lru_cache(maxsize=4096)
def _tier_cached(
    settings: MatchSettings,
    ext: str,
    bit_rate: int | None,
    bit_depth: int | None,
    sample_rate: int | None,
    vbr: bool | None,
) -> tuple[int, str]:
    probe = SoulseekFile(
        username="",
        filename=f"x.{ext}",
        size=0,
        bit_rate=bit_rate,
        bit_depth=bit_depth,
        sample_rate=sample_rate,
        is_variable_bit_rate=vbr,
    )
    return settings.quality.tier_of(probe, strict=settings.strict)


def rank_prepared(
    want: Prepared,
    files: Iterable[SoulseekFile],
    settings: MatchSettings = DEFAULT_SETTINGS,
    peer_failures: Mapping[str, int] | None = None,
    releases: ReleaseFacts | None = None,
) -> RankResult:
    """:func:`rank_soulseek_files` for an already prepared wanted track."""
    with collector_paused():
        return _rank_prepared(want, files, settings, peer_failures, releases)


def _rank_prepared(
    want: Prepared,
    files: Iterable[SoulseekFile],
    settings: MatchSettings,
    peer_failures: Mapping[str, int] | None,
    releases: ReleaseFacts | None,
) -> RankResult:
    failures = peer_failures or {}
    if releases:
        want = _with_release(want, want.artists[0] if want.artists else None, releases)
    known: dict[Prepared, Prepared] = {}
    accepted: list[RankedFile] = []
    rejected: list[RankedFile] = []
    # Peers share the same relative paths over and over: the path part of
    # the comparison is memoised for this call (see score.compare).
    memo = CompareMemo()
    by_file = memo.files
    for file in files:
        fails = failures.get(file.username, 0)
        ext = extension_of(file.filename)
        reason = _cheap_conditions(file, ext, settings, fails, want.duration_ms)
        if reason is not None:
            score = _UNSCORED  # junk formats, ignored peers, far-off lengths
        else:
            root = prepare_path(file.filename)
            if releases:
                with_facts = known.get(root)
                if with_facts is None:
                    artist = root.folder_artist or (want.artists[0] if want.artists else None)
                    with_facts = known[root] = _with_release(root, artist, releases)
                root = with_facts
            # The same rip shared by many peers: same path, same length.
            length = file.length
            score = by_file.get((root, length))  # type: ignore[assignment]
            if score is None:
                score = by_file[root, length] = compare(
                    want,
                    root,
                    settings,
                    duration_ms=length * 1000 if length is not None else None,
                    memo=memo,
                )
            reason = _score_conditions(file, score, settings)
        q_rank, q_name = _tier(settings, file, ext)
        ranked = RankedFile(
            file=file,
            score=score,
            quality_rank=q_rank,
            quality_name=q_name,
            rejected_because=reason,
            downranked=fails >= settings.fails_to_downrank,
        )
        (accepted if reason is None else rejected).append(ranked)
    accepted.sort(key=lambda r: _preference_key(r, settings, want.duration_ms), reverse=True)
    rejected.sort(key=lambda r: r.score.value, reverse=True)
    return RankResult(candidates=tuple(accepted), rejected=tuple(rejected))


def _with_release(side: Prepared, artist: str | None, releases: ReleaseFacts) -> Prepared:
    info = releases.lookup(artist, side.album)
    if info is None:
        return side
    return with_release_kinds(side, info.kinds, info.describe())


def releases_to_check(want: Track, result: RankResult, limit: int = 6) -> list[ReleaseQuery]:
    """Releases worth a metadata look-up before trusting ``result``.

    The wanted album itself (a live album wanted makes studio files the
    wrong version) and the folders of candidates that are otherwise
    acceptable and not already marked live/remix by their names; distinct,
    best candidates first, at most ``limit``.
    """
    found: list[ReleaseQuery] = []
    seen: set[str] = set()
    lead = want.artists[0] if want.artists else ""

    def add(artist: str, album: str | None) -> None:
        if not album or len(found) >= limit:
            return
        key = release_key(artist, album)
        if key not in seen:
            seen.add(key)
            found.append(ReleaseQuery(artist, album))

    add(lead, want.album)
    for ranked in result.candidates:
        root = prepare_path(ranked.file.filename)
        if root.context:
            continue
        add(root.folder_artist or lead, root.album)
    return found


def _preference_key(
    r: RankedFile, settings: MatchSettings, want_ms: int | None
) -> tuple[float, ...]:
    f = r.file
    band = 2 if r.score.value >= settings.strong_threshold else 1
    bucket = 0.0 if band == 2 else round(r.score.value * 20) / 20  # 0.05 steps among weak matches
    if want_ms and f.length is not None:
        in_tol = 2 if abs(want_ms - f.length * 1000) <= settings.duration_grace_s * 1000 else 0
    else:
        in_tol = 1
    return (
        0 if r.downranked else 1,
        band,
        bucket,
        0 if r.score.dispreferred else 1,
        in_tol,
        -r.quality_rank,
        _album_flag(r.score),
        1 if f.has_free_upload_slot else 0,
        f.upload_speed // _SPEED_BUCKET,
        -f.queue_length,
        r.score.value,
        f.upload_speed,
    )


def _album_flag(score: Score) -> float:
    """1 when the folder names the wanted album, 0 when it names another, 0.5 unknown."""
    album = score.field("album")
    if album is None or album.similarity is None:
        return 0.5
    return 1.0 if album.similarity >= 0.9 else (0.0 if album.similarity < 0.6 else 0.5)


def rank_soulseek_files(
    want: Track,
    results: Iterable[SearchResponse | SoulseekFile],
    settings: MatchSettings = DEFAULT_SETTINGS,
    peer_failures: Mapping[str, int] | None = None,
    releases: ReleaseFacts | None = None,
) -> RankResult:
    """Filter and order Soulseek files for ``want``; best candidate first.

    ``results`` may be slskd search responses (peer slot, speed and queue are
    taken from the response) or bare files. ``peer_failures`` maps a username
    to its failed-download count: at ``fails_to_downrank`` the peer's files go
    last, at ``fails_to_ignore`` they are rejected. ``releases`` are release
    types a metadata service knows (see :mod:`soulsync.matching.releases`):
    a folder holding a live or remix release is that version.
    """
    return rank_prepared(
        prepare(want), flatten_responses(results), settings, peer_failures, releases
    )
