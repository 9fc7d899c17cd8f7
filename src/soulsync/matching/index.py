"""In-memory library index: "do I already own this track?" for whole playlists.

Built once from the media server's tracks (100k+), it answers for each
wanted track: owned / uncertain / missing, which library track, how sure
(the :class:`~soulsync.matching.score.Score`), and why.

How it stays fast:

* **Blocking.** Each library track is filed under the words of its base title
  (descriptors removed, ASCII-folded, plus the native-script form). A wanted
  track only looks at tracks sharing a title word, rarest words first, with a
  cap on how many are gathered; when no title word is shared at all (a typo
  in every word) it falls back to the tracks of the same primary artist.
* **Batch pre-scoring.** The block is scored in one ``rapidfuzz.process.cdist``
  call for titles and one for artists; only the best few (``index_shortlist``)
  get the full, explained :func:`~soulsync.matching.score.compare`.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from soulsync.domain import LibraryTrack, Track
from soulsync.matching.anatomy import parse_title
from soulsync.matching.normalize import ascii_key, text_key
from soulsync.matching.score import Score, compare, prepare
from soulsync.matching.settings import DEFAULT_SETTINGS, MatchSettings

__all__ = ["LibraryIndex", "OwnedMatch", "OwnedStatus"]

_MAX_BLOCK = 4000  # candidates gathered per wanted track before shortlisting


class OwnedStatus(enum.StrEnum):
    """The library check's verdict for one wanted track."""

    OWNED = "owned"
    UNCERTAIN = "uncertain"
    MISSING = "missing"


@dataclass(frozen=True, slots=True)
class OwnedMatch:
    """The answer for one wanted track: status, best library track, score, why."""

    want: Track
    status: OwnedStatus
    track: LibraryTrack | None = None
    score: Score | None = None
    alternatives: tuple[tuple[LibraryTrack, Score], ...] = ()

    @property
    def owned(self) -> bool:
        """True when the track is owned with a score at or above the owned threshold."""
        return self.status is OwnedStatus.OWNED

    def explain(self) -> str:
        """One line for the UI: verdict, which file, and the score's reasons."""
        if self.track is None or self.score is None:
            return "missing: nothing in the library shares a title word or the artist"
        where = self.track.path or f"{self.track.artist} - {self.track.title}"
        return f"{self.status.value}: {where} ({self.score.explain()})"


def _tokens(key: str) -> list[str]:
    return [t for t in key.split() if t]


class LibraryIndex:
    """Index of library tracks; see the module docstring for how it works."""

    def __init__(
        self, tracks: Iterable[LibraryTrack], settings: MatchSettings = DEFAULT_SETTINGS
    ) -> None:
        self.settings = settings
        self._tracks: list[LibraryTrack] = []
        self._titles: list[str] = []
        self._artists: list[str] = []
        self._postings: dict[str, list[int]] = {}
        self._by_artist: dict[str, list[int]] = {}
        for track in tracks:
            self._add(track)

    def _add(self, track: LibraryTrack) -> None:
        i = len(self._tracks)
        anatomy = parse_title(track.title)
        title_key = ascii_key(anatomy.base)
        artist_key = ascii_key(track.artist or "", drop_the=True)
        self._tracks.append(track)
        self._titles.append(title_key)
        self._artists.append(artist_key)
        words = set(_tokens(title_key))
        native = text_key(anatomy.base)
        if native != title_key:
            words.update(_tokens(native))
        for extra in anatomy.extras:
            words.update(_tokens(ascii_key(extra)))
        for word in words:
            self._postings.setdefault(word, []).append(i)
        if artist_key:
            self._by_artist.setdefault(artist_key, []).append(i)

    def __len__(self) -> int:
        return len(self._tracks)

    def block(self, want: Track) -> list[int]:
        """Library positions that share a title word with ``want`` (rarest first)."""
        anatomy = parse_title(want.title)
        key = ascii_key(anatomy.base)
        words = set(_tokens(key)) | set(_tokens(text_key(anatomy.base)))
        for extra in anatomy.extras:
            words.update(_tokens(ascii_key(extra)))
        lists = sorted((self._postings[w] for w in words if w in self._postings), key=len)
        seen: set[int] = set()
        out: list[int] = []
        for posting in lists:
            if out and len(out) + len(posting) > _MAX_BLOCK:
                break
            for i in posting:
                if i not in seen:
                    seen.add(i)
                    out.append(i)
        if not out:
            for artist in want.artists[:1]:
                out.extend(self._by_artist.get(ascii_key(artist, drop_the=True), ()))
        return out

    def check(self, want: Track) -> OwnedMatch:
        """Is ``want`` owned? Returns the verdict with the best library track and why."""
        ids = self.block(want)
        if not ids:
            return OwnedMatch(want, OwnedStatus.MISSING)
        shortlist = self._shortlist(want, ids)
        prepared_want = prepare(want)
        scored = sorted(
            (
                (self._tracks[i], compare(prepared_want, prepare(self._tracks[i]), self.settings))
                for i in shortlist
            ),
            key=lambda pair: pair[1].value,
            reverse=True,
        )
        best_track, best_score = scored[0]
        if best_score.value >= self.settings.owned_threshold:
            status = OwnedStatus.OWNED
        elif best_score.value >= self.settings.uncertain_threshold:
            status = OwnedStatus.UNCERTAIN
        else:
            status = OwnedStatus.MISSING
        return OwnedMatch(
            want=want,
            status=status,
            track=best_track,
            score=best_score,
            alternatives=tuple(scored[1:4]),
        )

    def check_many(self, wants: Sequence[Track] | Iterable[Track]) -> list[OwnedMatch]:
        """:meth:`check` for a whole playlist, in order."""
        return [self.check(w) for w in wants]

    def _shortlist(self, want: Track, ids: list[int]) -> list[int]:
        limit = self.settings.index_shortlist
        if len(ids) <= limit:
            return ids
        title_q = ascii_key(parse_title(want.title).base)
        artist_q = ascii_key(want.artist, drop_the=True)
        titles = [self._titles[i] for i in ids]
        artists = [self._artists[i] for i in ids]
        t = process.cdist([title_q], titles, scorer=fuzz.ratio, dtype=np.uint8, workers=1)[0]
        a = process.cdist([artist_q], artists, scorer=fuzz.ratio, dtype=np.uint8, workers=1)[0]
        combined = t.astype(np.uint16) * 3 + a.astype(np.uint16) * 2
        top = np.argpartition(-combined, limit)[:limit]
        return [ids[int(k)] for k in top]
