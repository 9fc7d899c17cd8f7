"""SoulSync's one matching engine. Pure functions, no I/O.

Every comparison of titles, artists and durations in the app goes through
here: the library check, the choice of a Soulseek file, album folders, and
the artist suggestions of the matched-download modal.

Public API (all take an optional :class:`MatchSettings`):

* :func:`score_track` (``want``, candidate) -> :class:`Score` — similarity of
  a wanted :class:`~soulsync.domain.Track` to a ``Track``, ``LibraryTrack``
  or ``SoulseekFile``, with a per-field breakdown and ``explain()``.
* :func:`rank_soulseek_files` (``want``, responses or files, settings,
  ``peer_failures``) -> :class:`RankResult` — necessary filters, then
  preference ranking; ``.best`` is the file to try, ``.candidates`` the
  rest in order, ``.rejected`` with reasons.
* :func:`rank_album_folders` (album or tracks, responses) ->
  list[:class:`RankedFolder`], and :func:`assign_files` (tracks, files) ->
  :class:`Assignment` (one-to-one pairs, unmatched files, missing tracks).
* :class:`LibraryIndex` (library tracks) with ``check(track)`` and
  ``check_many(tracks)`` -> :class:`OwnedMatch` (owned/uncertain/missing,
  which track, score, why).
* :func:`query_ladder` (track, order) -> list[:class:`SearchQuery`].
* :func:`suggest_artists` (path/file/files, artists=, tracks=, albums=) ->
  list[:class:`ArtistSuggestion`]; :func:`metadata_queries_for_path` gives
  the metadata searches whose answers feed it.
* :func:`remix_credit` (track, policy) -> :class:`RemixCredit`.
* :class:`ReleaseFacts` — release types a metadata service knows (a live or
  remix release), passed as ``releases=`` to ranking and library checks;
  :func:`releases_to_check` says which releases are worth a look-up.
* :func:`parse_path` (remote path) -> :class:`PathAnatomy`;
  :func:`parse_title` (title) -> :class:`TitleAnatomy`;
  :func:`split_credit` (credit, known) -> tuple of names.

Modules, one job each: ``normalize`` (text keys), ``anatomy`` (title ->
base + version descriptors), ``credits`` (artist credits), ``filename``
(Soulseek path anatomy), ``prepared`` (sides reduced to keys, cached),
``evidence`` (title/duration/artist evidence), ``versions`` (what a version
difference costs), ``classical`` (movements in work folders, which
performance), ``releases`` (release knowledge as data), ``score`` (the
tiers and the explained :class:`Score`),
``rank`` (files), ``folders`` (albums), ``index`` (library), ``queries``,
``suggest``, ``remix``, ``settings``, and ``evaluate`` (the corpus CLI, the
only module that reads files). Results are memoised in bounded caches;
:func:`clear_caches` empties them.

The evaluator over the labelled corpus: ``python -m soulsync.matching.evaluate
tests/data/matching``.
"""

from __future__ import annotations

from soulsync.matching.anatomy import (
    TitleAnatomy,
    VersionKind,
    VersionTag,
    album_context,
    parse_title,
)
from soulsync.matching.credits import compare_artists, is_various, name_similarity, split_credit
from soulsync.matching.filename import PathAnatomy, Reading, parse_path
from soulsync.matching.folders import Assignment, RankedFolder, assign_files, rank_album_folders
from soulsync.matching.index import LibraryIndex, OwnedMatch, OwnedStatus
from soulsync.matching.normalize import ascii_key, fold, forms, strip_diacritics, text_key
from soulsync.matching.queries import (
    DEFAULT_ORDER,
    TITLE_FIRST_ORDER,
    QueryStep,
    SearchQuery,
    clean_query,
    metadata_queries_for_path,
    query_ladder,
)
from soulsync.matching.rank import (
    RankedFile,
    RankResult,
    flatten_responses,
    rank_soulseek_files,
    releases_to_check,
)
from soulsync.matching.releases import ReleaseFacts, ReleaseInfo, ReleaseQuery
from soulsync.matching.remix import RemixArtistPolicy, RemixCredit, remix_credit
from soulsync.matching.score import FieldScore, Score, score_track
from soulsync.matching.settings import (
    DEFAULT_QUALITY_PROFILE,
    DEFAULT_SETTINGS,
    MatchSettings,
    QualityProfile,
    QualityTier,
    Strictness,
)
from soulsync.matching.suggest import ArtistSuggestion, suggest_artists

__all__ = [
    "DEFAULT_ORDER",
    "DEFAULT_QUALITY_PROFILE",
    "DEFAULT_SETTINGS",
    "TITLE_FIRST_ORDER",
    "ArtistSuggestion",
    "Assignment",
    "FieldScore",
    "LibraryIndex",
    "MatchSettings",
    "OwnedMatch",
    "OwnedStatus",
    "PathAnatomy",
    "QualityProfile",
    "QualityTier",
    "QueryStep",
    "RankResult",
    "RankedFile",
    "RankedFolder",
    "Reading",
    "ReleaseFacts",
    "ReleaseInfo",
    "ReleaseQuery",
    "RemixArtistPolicy",
    "RemixCredit",
    "Score",
    "SearchQuery",
    "Strictness",
    "TitleAnatomy",
    "VersionKind",
    "VersionTag",
    "album_context",
    "ascii_key",
    "assign_files",
    "clean_query",
    "clear_caches",
    "compare_artists",
    "flatten_responses",
    "fold",
    "forms",
    "is_various",
    "metadata_queries_for_path",
    "name_similarity",
    "parse_path",
    "parse_title",
    "query_ladder",
    "rank_album_folders",
    "rank_soulseek_files",
    "releases_to_check",
    "remix_credit",
    "score_track",
    "split_credit",
    "strip_diacritics",
    "suggest_artists",
    "text_key",
]


def clear_caches() -> None:
    """Empty every memo cache of the engine (bounded anyway; frees memory at once)."""
    import functools
    import sys

    for name, module in list(sys.modules.items()):
        if not name.startswith("soulsync.matching"):
            continue
        for value in vars(module).values():
            if isinstance(value, functools._lru_cache_wrapper):
                value.cache_clear()
