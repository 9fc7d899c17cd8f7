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

import importlib
from typing import TYPE_CHECKING, Any

# Imported on first use (PEP 562): loading the whole engine pulls in SciPy, which
# light callers (the config loader, `soulsync --help`) must not pay for.
if TYPE_CHECKING:
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

_EXPORTS: dict[str, str] = {
    "TitleAnatomy": "soulsync.matching.anatomy",
    "VersionKind": "soulsync.matching.anatomy",
    "VersionTag": "soulsync.matching.anatomy",
    "album_context": "soulsync.matching.anatomy",
    "parse_title": "soulsync.matching.anatomy",
    "compare_artists": "soulsync.matching.credits",
    "is_various": "soulsync.matching.credits",
    "name_similarity": "soulsync.matching.credits",
    "split_credit": "soulsync.matching.credits",
    "PathAnatomy": "soulsync.matching.filename",
    "Reading": "soulsync.matching.filename",
    "parse_path": "soulsync.matching.filename",
    "Assignment": "soulsync.matching.folders",
    "RankedFolder": "soulsync.matching.folders",
    "assign_files": "soulsync.matching.folders",
    "rank_album_folders": "soulsync.matching.folders",
    "LibraryIndex": "soulsync.matching.index",
    "OwnedMatch": "soulsync.matching.index",
    "OwnedStatus": "soulsync.matching.index",
    "ascii_key": "soulsync.matching.normalize",
    "fold": "soulsync.matching.normalize",
    "forms": "soulsync.matching.normalize",
    "strip_diacritics": "soulsync.matching.normalize",
    "text_key": "soulsync.matching.normalize",
    "DEFAULT_ORDER": "soulsync.matching.queries",
    "TITLE_FIRST_ORDER": "soulsync.matching.queries",
    "QueryStep": "soulsync.matching.queries",
    "SearchQuery": "soulsync.matching.queries",
    "clean_query": "soulsync.matching.queries",
    "metadata_queries_for_path": "soulsync.matching.queries",
    "query_ladder": "soulsync.matching.queries",
    "RankedFile": "soulsync.matching.rank",
    "RankResult": "soulsync.matching.rank",
    "flatten_responses": "soulsync.matching.rank",
    "rank_soulseek_files": "soulsync.matching.rank",
    "releases_to_check": "soulsync.matching.rank",
    "ReleaseFacts": "soulsync.matching.releases",
    "ReleaseInfo": "soulsync.matching.releases",
    "ReleaseQuery": "soulsync.matching.releases",
    "RemixArtistPolicy": "soulsync.matching.remix",
    "RemixCredit": "soulsync.matching.remix",
    "remix_credit": "soulsync.matching.remix",
    "FieldScore": "soulsync.matching.score",
    "Score": "soulsync.matching.score",
    "score_track": "soulsync.matching.score",
    "DEFAULT_QUALITY_PROFILE": "soulsync.matching.settings",
    "DEFAULT_SETTINGS": "soulsync.matching.settings",
    "MatchSettings": "soulsync.matching.settings",
    "QualityProfile": "soulsync.matching.settings",
    "QualityTier": "soulsync.matching.settings",
    "Strictness": "soulsync.matching.settings",
    "ArtistSuggestion": "soulsync.matching.suggest",
    "suggest_artists": "soulsync.matching.suggest",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


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
