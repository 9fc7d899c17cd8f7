"""Artist suggestions for the matched-download modal.

The user picked a Soulseek file (or a whole folder) by hand and must say
which artist it belongs to. The caller searches a metadata source with
queries derived from the path (see ``queries.queries_for_path``) and passes
the artist, track and album results here. :func:`suggest_artists` returns the
five most likely artists, each with a percentage and its reasons, combining:

* **name evidence** from the path: the artist a file-name reading names, the
  artist folder, or the name appearing as whole words anywhere in the path;
* **track fit**: that artist has a track whose title (versions included) and
  duration fit the file; for a folder, the share of files that fit;
* **album fit**: that artist has an album whose title fits the folder name.

Pure function: the I/O of fetching results is the caller's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from soulsync.domain import Album, Artist, SoulseekFile, Track
from soulsync.matching.credits import is_various, name_similarity, split_credit
from soulsync.matching.filename import parse_path
from soulsync.matching.normalize import ascii_key, whole_word_in
from soulsync.matching.score import (
    Prepared,
    duration_similarity,
    prepare,
    title_similarity,
    version_mismatch,
)
from soulsync.matching.settings import DEFAULT_SETTINGS

__all__ = ["ArtistSuggestion", "suggest_artists"]

NAME_WEIGHT = 0.45
TRACK_WEIGHT = 0.40
ALBUM_WEIGHT = 0.15


@dataclass(frozen=True, slots=True)
class ArtistSuggestion:
    """One suggested artist with its confidence and the evidence for it."""

    name: str
    percent: int
    reasons: tuple[str, ...]
    artist: Artist | None = None
    track: Track | None = None  # best-fitting track by this artist, if any
    album: Album | None = None


def _as_files(source: str | SoulseekFile | Sequence[SoulseekFile]) -> list[SoulseekFile]:
    if isinstance(source, str):
        return [SoulseekFile(username="", filename=source, size=0)]
    if isinstance(source, SoulseekFile):
        return [source]
    return list(source)


def _track_fit(track: Track, cand: Prepared) -> float:
    want = prepare(track)
    best = 0.0
    for reading in cand.titles:
        sim, _ = title_similarity(want.titles[0], reading)
        factor, _, _ = version_mismatch(
            want.titles[0].anatomy,
            cand.file_versions or reading.anatomy,
            want.context,
            cand.context,
        )
        best = max(best, sim * factor)
    d_sim, _ = duration_similarity(track.duration_ms, cand.duration_ms, DEFAULT_SETTINGS)
    if d_sim is not None:
        best *= 0.6 + 0.4 * d_sim
    return best


def suggest_artists(
    source: str | SoulseekFile | Sequence[SoulseekFile],
    *,
    artists: Sequence[Artist] = (),
    tracks: Sequence[Track] = (),
    albums: Sequence[Album] = (),
    limit: int = 5,
) -> list[ArtistSuggestion]:
    """The ``limit`` most likely artists for a file path, a file, or a folder's files.

    ``percent`` is an absolute confidence (0-100), not a share: two good
    candidates can both be high, and a weak field stays low.
    """
    files = _as_files(source)
    if not files:
        return []
    prepared = [prepare(f) for f in files]
    anatomies = [parse_path(f.filename) for f in files]
    path_key = " ".join(a.path_key for a in anatomies[:20])
    # Artist names the path suggests, with how much each reading is trusted:
    # "Title - Artist" is the less common order, so its artist counts less.
    hints: dict[str, float] = {}
    for anatomy in anatomies:
        pairs = [(anatomy.artist, 1.0)] + [
            (r.artist, 0.6 if r.how == "title - artist" else 1.0) for r in anatomy.readings
        ]
        for hint, weight in pairs:
            if hint and not is_various(hint):
                hints[hint] = max(hints.get(hint, 0.0), weight)

    # Every candidate name, keyed by its folded form, with any metadata object.
    names: dict[str, tuple[str, Artist | None]] = {}

    def add(name: str, artist: Artist | None = None) -> None:
        key = ascii_key(name, drop_the=True)
        if not key or is_various(name):
            return
        if key not in names or (artist is not None and names[key][1] is None):
            names[key] = (names[key][0] if key in names else name, artist)

    for a in artists:
        add(a.name, a)
    for t in tracks:
        for n in t.artists:
            add(n)
    for al in albums:
        for n in al.artists:
            add(n)
    for hint in hints:
        for n in split_credit(hint):
            add(n)

    suggestions: list[tuple[float, ArtistSuggestion]] = []
    folder_album = next((a.album for a in anatomies if a.album), None)
    for key, (name, artist) in names.items():
        reasons: list[str] = []
        name_ev = max((name_similarity(name, h) * w for h, w in hints.items()), default=0.0)
        from_metadata = names[key][1] is not None or any(
            ascii_key(n, drop_the=True) == key for t in tracks for n in t.artists
        )
        if from_metadata and whole_word_in(key, path_key):
            name_ev = max(name_ev, 1.0 if len(key) >= 4 or " " in key else 0.8)
        if name_ev >= 0.8:
            reasons.append(f"name in path ({round(name_ev * 100)}%)")
        own_tracks = [t for t in tracks if any(name_similarity(name, n) >= 0.9 for n in t.artists)]
        fits = []
        best_track: Track | None = None
        for cand in prepared:
            fit, top = 0.0, None
            for t in own_tracks:
                f = _track_fit(t, cand)
                if f > fit:
                    fit, top = f, t
            fits.append(fit)
            if top is not None and (best_track is None or fit >= max(fits)):
                best_track = top
        track_ev = sum(fits) / len(fits) if fits else 0.0
        if best_track is not None and track_ev >= 0.6:
            reasons.append(f"has track {best_track.title!r} ({round(track_ev * 100)}% fit)")
        album_ev, best_album = 0.0, None
        if folder_album:
            for al in albums:
                if any(name_similarity(name, n) >= 0.9 for n in al.artists):
                    s = name_similarity(al.title, folder_album)
                    if s > album_ev:
                        album_ev, best_album = s, al
        if best_album is not None and album_ev >= 0.8:
            reasons.append(f"has album {best_album.title!r}")
        confidence = NAME_WEIGHT * name_ev + TRACK_WEIGHT * track_ev + ALBUM_WEIGHT * album_ev
        if not reasons:
            reasons.append("weak evidence")
        suggestions.append(
            (
                confidence,
                ArtistSuggestion(
                    name=name,
                    percent=round(confidence * 100),
                    reasons=tuple(reasons),
                    artist=artist,
                    track=best_track,
                    album=best_album,
                ),
            )
        )
    suggestions.sort(key=lambda s: (-s[0], s[1].name))
    return [s for _, s in suggestions[:limit]]
