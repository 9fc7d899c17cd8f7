"""Album downloads: ranking whole Soulseek folders and pairing files with tracks.

A folder is a good source for an album when its audio files cover the
album's tracklist one-to-one. :func:`assign_files` builds a tracks x files
similarity matrix (titles with ``rapidfuzz.process.cdist``, plus track number
and duration), solves the one-to-one assignment with
``scipy.optimize.linear_sum_assignment`` (as beets does with ``lapjv``) and
reports the pairs, the files left over and the tracks nobody covers.
:func:`rank_album_folders` groups search results into folders (``CD1``/
``Disc 2`` sub-folders merge into their parent), assigns each, and orders
them by coverage, match quality, the quality profile and peer speed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process
from scipy.optimize import linear_sum_assignment

from soulsync.domain import Album, SearchResponse, SoulseekFile, Track
from soulsync.matching.anatomy import parse_title
from soulsync.matching.credits import compare_artists
from soulsync.matching.filename import AUDIO_EXTENSIONS, parse_path
from soulsync.matching.normalize import ascii_key
from soulsync.matching.rank import flatten_responses
from soulsync.matching.score import HARD_KINDS, duration_similarity
from soulsync.matching.settings import DEFAULT_SETTINGS, MatchSettings

__all__ = ["Assignment", "RankedFolder", "assign_files", "folder_key", "rank_album_folders"]

_DISC_FOLDER = ("cd", "disc", "disk")


@dataclass(frozen=True, slots=True)
class Assignment:
    """One-to-one pairing of wanted tracks and files.

    ``pairs`` holds (track index, file, similarity); ``missing_tracks`` are
    indexes into the tracklist that no file covers.
    """

    pairs: tuple[tuple[int, SoulseekFile, float], ...]
    unmatched_files: tuple[SoulseekFile, ...]
    missing_tracks: tuple[int, ...]

    @property
    def coverage(self) -> float:
        """Fraction of wanted tracks that got a file."""
        total = len(self.pairs) + len(self.missing_tracks)
        return len(self.pairs) / total if total else 0.0

    @property
    def mean_similarity(self) -> float:
        """Average similarity of the assigned pairs (0 if none)."""
        return sum(p[2] for p in self.pairs) / len(self.pairs) if self.pairs else 0.0


def _file_titles(file: SoulseekFile) -> list[str]:
    anatomy = parse_path(file.filename)
    return [ascii_key(parse_title(r.title).base) for r in anatomy.readings] or [
        ascii_key(anatomy.basename)
    ]


def assign_files(
    tracks: Sequence[Track],
    files: Sequence[SoulseekFile],
    settings: MatchSettings = DEFAULT_SETTINGS,
    min_similarity: float = 0.6,
) -> Assignment:
    """Pair ``tracks`` with ``files`` one-to-one, maximising total similarity.

    Pairs under ``min_similarity`` are not kept: the track is reported
    missing and the file unmatched.
    """
    if not tracks or not files:
        return Assignment((), tuple(files), tuple(range(len(tracks))))
    want_titles = [ascii_key(parse_title(t.title).base) for t in tracks]
    readings = [_file_titles(f) for f in files]
    depth = max(len(r) for r in readings)
    title_sim = np.zeros((len(tracks), len(files)), dtype=np.float32)
    for k in range(depth):
        column = [r[k] if k < len(r) else "" for r in readings]
        matrix = process.cdist(want_titles, column, scorer=fuzz.ratio, dtype=np.uint8, workers=1)
        np.maximum(title_sim, matrix.astype(np.float32) / 100.0, out=title_sim)
    sim = title_sim.copy()
    for j, file in enumerate(files):
        anatomy = parse_path(file.filename)
        file_kinds = {v.kind for r in anatomy.readings for v in parse_title(r.title).versions}
        for i, track in enumerate(tracks):
            bonus = 0.0
            if anatomy.track is not None and track.track_number == anatomy.track:
                same_disc = anatomy.disc is None or track.disc_number in (None, anatomy.disc)
                bonus += 0.1 if same_disc else 0.0
            d_sim, _ = duration_similarity(track.duration_ms, file.duration_ms, settings)
            value = 0.75 * sim[i, j] + 0.15 * (d_sim if d_sim is not None else sim[i, j]) + bonus
            want_kinds = parse_title(track.title).kinds
            if (want_kinds ^ file_kinds) & HARD_KINDS:
                value *= settings.hard_version_factor
            sim[i, j] = min(1.0, value / 0.9)
    rows, cols = linear_sum_assignment(-sim)
    pairs: list[tuple[int, SoulseekFile, float]] = []
    used_files: set[int] = set()
    used_tracks: set[int] = set()
    for i, j in zip(rows.tolist(), cols.tolist(), strict=True):
        if sim[i, j] >= min_similarity:
            pairs.append((i, files[j], round(float(sim[i, j]), 4)))
            used_files.add(j)
            used_tracks.add(i)
    pairs.sort(key=lambda p: p[0])
    return Assignment(
        pairs=tuple(pairs),
        unmatched_files=tuple(f for j, f in enumerate(files) if j not in used_files),
        missing_tracks=tuple(i for i in range(len(tracks)) if i not in used_tracks),
    )


def folder_key(file: SoulseekFile) -> tuple[str, str]:
    """(username, album folder) with a trailing ``CD1``/``Disc 2`` merged into its parent."""
    directory = file.directory
    parent, _, leaf = directory.rpartition("\\")
    leaf_key = ascii_key(leaf)
    if parent and any(
        leaf_key.startswith(p) and leaf_key[len(p) :].strip().isdigit() for p in _DISC_FOLDER
    ):
        directory = parent
    return file.username, directory


@dataclass(frozen=True, slots=True)
class RankedFolder:
    """A candidate folder for an album download, with its assignment."""

    username: str
    directory: str
    files: tuple[SoulseekFile, ...]
    assignment: Assignment
    score: float
    quality_name: str
    reasons: tuple[str, ...]
    downranked: bool = False


def rank_album_folders(
    album: Album | Sequence[Track],
    results: Iterable[SearchResponse | SoulseekFile],
    settings: MatchSettings = DEFAULT_SETTINGS,
    peer_failures: Mapping[str, int] | None = None,
) -> list[RankedFolder]:
    """Group results into folders and rank them for ``album``; best first.

    Locked files, disallowed formats and peers past ``fails_to_ignore`` are
    left out; folders with no assigned track are dropped.
    """
    tracks = list(album.tracks) if isinstance(album, Album) else list(album)
    album_title = (
        album.title if isinstance(album, Album) else (tracks[0].album or "" if tracks else "")
    )
    album_artists = (
        album.artists
        if isinstance(album, Album)
        else (tracks[0].album_artists or tracks[0].artists if tracks else ())
    )
    failures = peer_failures or {}
    groups: dict[tuple[str, str], list[SoulseekFile]] = {}
    for file in flatten_responses(results):
        if file.is_locked or file.extension not in AUDIO_EXTENSIONS:
            continue
        if file.extension not in settings.quality.allowed_formats:
            continue
        if failures.get(file.username, 0) >= settings.fails_to_ignore:
            continue
        groups.setdefault(folder_key(file), []).append(file)

    ranked: list[tuple[tuple[float, ...], RankedFolder]] = []
    for (user, directory), files in groups.items():
        assignment = assign_files(tracks, files, settings)
        if not assignment.pairs:
            continue
        anatomy = parse_path(files[0].filename)
        album_sim = (
            fuzz.ratio(ascii_key(parse_title(album_title).base), ascii_key(anatomy.album or ""))
            / 100.0
            if album_title
            else 0.5
        )
        artist_sim = 0.5
        if album_artists:
            sources = [s for s in (anatomy.artist, directory) if s]
            artist_sim = max(
                (compare_artists(list(album_artists), s).similarity for s in sources), default=0.4
            )
            if ascii_key(album_artists[0], drop_the=True) and (
                f" {ascii_key(album_artists[0], drop_the=True)} " in f" {ascii_key(directory)} "
            ):
                artist_sim = 1.0
        extra = len(assignment.unmatched_files)
        value = (
            0.6 * assignment.coverage * assignment.mean_similarity
            + 0.25 * album_sim
            + 0.15 * artist_sim
            - 0.02 * min(extra, 5)
        )
        tiers = [
            settings.quality.tier_of(f, strict=settings.strict) for _, f, _ in assignment.pairs
        ]
        worst_rank, worst_name = max(tiers)
        speed = max(f.upload_speed for f in files)
        free = any(f.has_free_upload_slot for f in files)
        queue = min(f.queue_length for f in files)
        reasons = [
            f"{len(assignment.pairs)}/{len(tracks)} tracks matched",
            f"album {'matches' if album_sim >= 0.9 else f'similarity {album_sim:.2f}'}",
        ]
        if assignment.missing_tracks:
            missing = ", ".join(tracks[i].title for i in assignment.missing_tracks[:5])
            reasons.append(f"missing: {missing}")
        if extra:
            reasons.append(f"{extra} unmatched file(s)")
        reasons.append(f"quality {worst_name}")
        downranked = failures.get(user, 0) >= settings.fails_to_downrank
        folder = RankedFolder(
            username=user,
            directory=directory,
            files=tuple(files),
            assignment=assignment,
            score=round(max(0.0, value), 4),
            quality_name=worst_name,
            reasons=tuple(reasons),
            downranked=downranked,
        )
        key = (
            0 if downranked else 1,
            1 if not assignment.missing_tracks else 0,
            round(value * 10) / 10,
            -worst_rank,
            1 if free else 0,
            speed // (650 * 1024),
            -queue,
            value,
        )
        ranked.append((key, folder))
    ranked.sort(key=lambda kv: kv[0], reverse=True)
    return [f for _, f in ranked]
