"""Playlist analysis: which tracks are owned, uncertain or missing, and why.

One pass over the playlist against the in-memory
:class:`~soulsync.matching.index.LibraryIndex` (never one media-server search
per track, which is what made the original slow). The matching engine decides
similarity; this module only layers the user's memory on top of it:

* a track the user **confirmed** or **corrected** by hand is owned by that
  library track, whatever the engine thinks now;
* a track **owned once** (matched or downloaded by an earlier run) stays owned
  while its library file still exists, even if its title changed upstream;
* a library track the user **rejected** for a song is never offered for it
  again (the next-best alternative is used, or the track is missing).

With no media server reachable the index is ``None``: every track is missing
(the "download all" fallback) and the reason says so.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from soulsync.domain import LibraryTrack, Playlist, PlaylistEntry, Track
from soulsync.matching.index import LibraryIndex, OwnedMatch
from soulsync.matching.releases import ReleaseFacts
from soulsync.matching.score import Score
from soulsync.matching.settings import DEFAULT_SETTINGS, MatchSettings
from soulsync.services.sync.models import TrackStatus, track_key
from soulsync.services.sync.store import Decision, DecisionKind

__all__ = [
    "LibrarySnapshot",
    "TrackVerdict",
    "analyse_playlist",
]

# A user's decision outranks an automatic memory of ownership.
_DECISION_RANK = {DecisionKind.CORRECTED: 0, DecisionKind.CONFIRMED: 1, DecisionKind.OWNED: 2}


@dataclass(frozen=True, slots=True)
class TrackVerdict:
    """The analysis of one playlist position."""

    position: int
    track: Track | None
    status: TrackStatus
    library: LibraryTrack | None = None
    confidence: float | None = None
    reason: str = ""
    remembered: bool = False  # decided by stored memory rather than by the engine now
    score: Score | None = field(default=None, compare=False)

    @property
    def key(self) -> str | None:
        """The track's stable key (None for unavailable entries)."""
        return track_key(self.track) if self.track is not None else None


class LibrarySnapshot:
    """The library as read from the media server: the index plus id/path lookups."""

    def __init__(
        self,
        tracks: Sequence[LibraryTrack],
        settings: MatchSettings = DEFAULT_SETTINGS,
        *,
        server_name: str = "",
    ) -> None:
        self.server_name = server_name
        self.tracks = list(tracks)
        self.index = LibraryIndex(self.tracks, settings)
        self.by_id: dict[str, LibraryTrack] = {t.id: t for t in self.tracks}
        self.by_path: dict[str, LibraryTrack] = {t.path: t for t in self.tracks if t.path}

    def __len__(self) -> int:
        return len(self.tracks)

    def resolve(self, library_id: str | None, library_path: str | None) -> LibraryTrack | None:
        """The library track a stored decision names, if it still exists.

        By id first; by path when the id changed (Plex gives a re-added file a
        new ratingKey, the folder library uses the path as its id).
        """
        if library_id and library_id in self.by_id:
            return self.by_id[library_id]
        if library_path and library_path in self.by_path:
            return self.by_path[library_path]
        return None


def _positive(decisions: Iterable[Decision]) -> list[Decision]:
    found = [d for d in decisions if d.kind.positive]
    return sorted(found, key=lambda d: (_DECISION_RANK[d.kind], -d.updated_at))


def _status_for(score: Score, settings: MatchSettings) -> TrackStatus:
    if score.value >= settings.owned_threshold:
        return TrackStatus.OWNED
    if score.value >= settings.uncertain_threshold:
        return TrackStatus.UNCERTAIN
    return TrackStatus.MISSING


def _from_engine(
    position: int,
    track: Track,
    match: OwnedMatch,
    rejected: set[str],
    settings: MatchSettings,
) -> TrackVerdict:
    candidates: list[tuple[LibraryTrack, Score]] = []
    if match.track is not None and match.score is not None:
        candidates.append((match.track, match.score))
    candidates.extend(match.alternatives)
    skipped = 0
    for lib, score in candidates:
        if lib.id in rejected:
            skipped += 1
            continue
        status = _status_for(score, settings)
        if status is TrackStatus.MISSING:
            break
        where = lib.path or f"{lib.artist} - {lib.title}"
        note = (
            f" (skipped {skipped} rejected match{'es' if skipped > 1 else ''})" if skipped else ""
        )
        return TrackVerdict(
            position=position,
            track=track,
            status=status,
            library=lib,
            confidence=round(score.value, 4),
            reason=f"{status.value}: {where} ({score.explain()}){note}",
            score=score,
        )
    if match.track is None or match.score is None:
        reason = "missing: " + match.explain().removeprefix("missing: ")
    elif skipped and all(lib.id in rejected for lib, _ in candidates):
        reason = "missing: every library candidate was rejected by you"
    else:
        best = next(((lib, s) for lib, s in candidates if lib.id not in rejected), None)
        if best is None:
            reason = "missing: every library candidate was rejected by you"
        else:
            lib, score = best
            reason = (
                f"missing: best library candidate {lib.artist} - {lib.title} scored "
                f"{score.value:.2f} < {settings.uncertain_threshold:.2f} ({score.explain()})"
            )
    best_score = match.score.value if match.score is not None else None
    return TrackVerdict(
        position=position,
        track=track,
        status=TrackStatus.MISSING,
        confidence=round(best_score, 4) if best_score is not None else None,
        reason=reason,
    )


def analyse_playlist(
    playlist: Playlist,
    library: LibrarySnapshot | None,
    decisions: dict[str, list[Decision]],
    *,
    settings: MatchSettings = DEFAULT_SETTINGS,
    unreachable_reason: str = "no media server reachable",
    on_verdict: Callable[[TrackVerdict], None] | None = None,
    releases: ReleaseFacts | None = None,
) -> list[TrackVerdict]:
    """Verdicts for every entry of ``playlist``, in order.

    ``library`` None means the media server could not be read: every playable
    track is missing with ``unreachable_reason``. ``decisions`` is
    :meth:`SyncStore.decisions_for` of the playlist's tracks. ``on_verdict`` is
    called after each position (progress events). ``releases`` (release types
    from the metadata service) make a track owned only from a live release
    missing, as for Soulseek folders.
    """
    verdicts: list[TrackVerdict] = []
    for entry in playlist.entries:
        verdict = _analyse_entry(
            entry.position, entry, library, decisions, settings, unreachable_reason, releases
        )
        verdicts.append(verdict)
        if on_verdict is not None:
            on_verdict(verdict)
    return verdicts


def _analyse_entry(
    position: int,
    entry: PlaylistEntry,
    library: LibrarySnapshot | None,
    decisions: dict[str, list[Decision]],
    settings: MatchSettings,
    unreachable_reason: str,
    releases: ReleaseFacts | None = None,
) -> TrackVerdict:
    track = entry.track
    if track is None:
        why = entry.unavailable_reason or (
            "a local file on the source" if entry.is_local else "not playable on the source"
        )
        return TrackVerdict(position, None, TrackStatus.UNAVAILABLE, reason=f"unavailable: {why}")
    if library is None:
        return TrackVerdict(
            position,
            track,
            TrackStatus.MISSING,
            reason=f"missing: {unreachable_reason}, so every track counts as missing",
        )
    mine = decisions.get(track_key(track), [])
    for decision in _positive(mine):
        lib = library.resolve(decision.library_id, decision.library_path)
        if lib is None:
            continue  # the remembered file is gone: judge afresh (a re-download is right)
        how = {
            DecisionKind.CONFIRMED: "confirmed by you",
            DecisionKind.CORRECTED: "corrected by you",
            DecisionKind.OWNED: "owned before",
        }[decision.kind]
        where = lib.path or f"{lib.artist} - {lib.title}"
        return TrackVerdict(
            position,
            track,
            TrackStatus.OWNED,
            library=lib,
            confidence=1.0,
            reason=f"owned: {where} ({how})",
            remembered=True,
        )
    rejected = {d.library_id for d in mine if d.kind is DecisionKind.REJECTED and d.library_id}
    match = library.index.check(track, releases)
    return _from_engine(position, track, match, rejected, settings)
