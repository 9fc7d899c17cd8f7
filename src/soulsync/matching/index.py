"""In-memory library index: "do I already own this track?" for whole playlists.

Built once from the media server's tracks (100k+), it answers for each
wanted track: owned / uncertain / missing, which library track, how sure
(the :class:`~soulsync.matching.score.Score`), and why.

How it stays fast:

* **Blocking.** Each library track is filed under the words of its base title
  (descriptors removed, ASCII-folded, plus the native-script form) and under
  its artist (whole credit and each credited name). A wanted track looks at
  tracks sharing a title word, rarest words first, up to a cap (when every
  word is common, at tracks holding the two rarest at once), plus every
  track of the wanted artists, which also covers a typo in every title word.
* **Batch pre-scoring.** The block is scored in one ``rapidfuzz.process.cdist``
  call for titles and one for artists; only the few within reach of the
  best pre-score (at most ``index_shortlist``) get the full, explained
  :func:`~soulsync.matching.score.compare`.
* **Compact storage.** Postings are numpy ``int32`` arrays; 200k tracks
  take about 75 MB.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from soulsync.domain import LibraryTrack, Track
from soulsync.matching.anatomy import parse_title
from soulsync.matching.credits import split_credit
from soulsync.matching.normalize import ascii_key, bulk_key, text_key
from soulsync.matching.prepared import Prepared, collector_paused, with_release_kinds
from soulsync.matching.releases import ReleaseFacts, ReleaseQuery, release_key
from soulsync.matching.score import Score, compare, prepare
from soulsync.matching.settings import DEFAULT_SETTINGS, MatchSettings

__all__ = ["LibraryIndex", "OwnedMatch", "OwnedStatus", "owned_releases_to_check"]

_MAX_BLOCK = 800  # title-word candidates gathered per wanted track before shortlisting


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


_SEPARATOR_HINT = (" feat", " ft", "&", ",", " x ", " with ", ";", "/", " vs")


def _artist_keys(artist: str) -> set[str]:
    """Keys a library artist is filed under: the whole credit and each credited name."""
    whole = ascii_key(artist, drop_the=True)
    keys = {whole} if whole else set()
    lowered = artist.lower()
    if any(sep in lowered for sep in _SEPARATOR_HINT):
        keys.update(ascii_key(n, drop_the=True) for n in split_credit(artist))
    return {k for k in keys if k}


def _with_release(side: Prepared, artist: str | None, releases: ReleaseFacts) -> Prepared:
    info = releases.lookup(artist, side.album)
    if info is None:
        return side
    return with_release_kinds(side, info.kinds, info.describe())


def owned_releases_to_check(matches: Iterable[OwnedMatch], limit: int = 20) -> list[ReleaseQuery]:
    """Releases worth a metadata look-up before trusting these library verdicts.

    Only owned or uncertain verdicts whose library track sits on another
    album than the wanted one ("Go Your Own Way" wanted from "Rumours",
    owned from "The Dance"): the library album, unless its name already says
    live/remix, and the wanted album (a live album wanted makes a studio
    file the wrong version). A track owned from its own album needs no
    look-up, so a playlist costs a handful of requests. Distinct, in
    playlist order, at most ``limit``.
    """
    found: list[ReleaseQuery] = []
    seen: set[str] = set()

    def add(artist: str, album: str | None) -> None:
        if album and len(found) < limit:
            key = release_key(artist, album)
            if key not in seen:
                seen.add(key)
                found.append(ReleaseQuery(artist, album))

    for match in matches:
        if match.status is OwnedStatus.MISSING or match.track is None:
            continue
        want, track = match.want, match.track
        if not track.album or not want.album or ascii_key(track.album) == ascii_key(want.album):
            continue
        lead = want.artists[0] if want.artists else ""
        add(lead, want.album)
        if not prepare(track).context:
            add(track.artist or lead, track.album)
    return found


class LibraryIndex:
    """Index of library tracks; see the module docstring for how it works."""

    def __init__(
        self, tracks: Iterable[LibraryTrack], settings: MatchSettings = DEFAULT_SETTINGS
    ) -> None:
        self.settings = settings
        self._tracks: list[LibraryTrack] = list(tracks)
        titles: list[str] = []
        artists: list[str] = []
        postings: dict[str, list[int]] = {}
        by_artist: dict[str, list[int]] = {}
        # The uncached parser: 100k+ distinct titles would only churn the
        # shared caches that the scoring of shortlisted tracks relies on.
        parse = parse_title.__wrapped__
        for i, track in enumerate(self._tracks):
            anatomy = parse(track.title)
            base = anatomy.base
            title_key = bulk_key(base)
            titles.append(title_key)
            words = set(title_key.split())
            if not base.isascii():
                words.update(bulk_key(base, transliterate=False).split())
            for extra in anatomy.extras:
                words.update(ascii_key(extra).split())
            for word in words:
                postings.setdefault(word, []).append(i)
            keys = _artist_keys(track.artist or "")
            artists.append(ascii_key(track.artist or "", drop_the=True))
            for key in keys:
                by_artist.setdefault(key, []).append(i)
        # Compact, immutable arrays: ~4 bytes per posting instead of ~36.
        self._titles = np.array(titles, dtype=object)
        self._artists = np.array(artists, dtype=object)
        self._postings = {w: np.array(ids, dtype=np.int32) for w, ids in postings.items()}
        self._by_artist = {a: np.array(ids, dtype=np.int32) for a, ids in by_artist.items()}

    def __len__(self) -> int:
        return len(self._tracks)

    def block(self, want: Track) -> list[int]:
        """Library positions worth scoring for ``want``.

        Tracks sharing a title word, rarest words first, up to a cap; plus
        every track of the wanted artists (so a common-word title such as
        "Love" still finds the artist's song); falling back to the artist
        alone when no title word is shared.
        """
        anatomy = parse_title(want.title)
        words = set(ascii_key(anatomy.base).split()) | set(text_key(anatomy.base).split())
        for extra in anatomy.extras:
            words.update(ascii_key(extra).split())
        lists = sorted((self._postings[w] for w in words if w in self._postings), key=len)
        chosen: list[np.ndarray] = []
        size = 0
        if lists and len(lists[0]) > _MAX_BLOCK:
            # Every word is common ("Love Me Tonight"): tracks holding the two
            # rarest words at once are few; a one-word common title relies
            # on the artist block below.
            if len(lists) >= 2:
                both = np.intersect1d(lists[0], lists[1], assume_unique=True)
                chosen.append(both[: _MAX_BLOCK * 2])
        else:
            for posting in lists:
                if chosen and size + len(posting) > _MAX_BLOCK:
                    break
                chosen.append(posting)
                size += len(posting)
        for artist in want.artists:
            for key in _artist_keys(artist):
                found = self._by_artist.get(key)
                if found is not None:
                    chosen.append(found)
        if not chosen:
            return []
        return np.unique(np.concatenate(chosen)).tolist()

    def check(self, want: Track, releases: ReleaseFacts | None = None) -> OwnedMatch:
        """Is ``want`` owned? Returns the verdict with the best library track and why.

        ``releases`` (release types from a metadata service) apply the same
        rule as for Soulseek folders: a track owned only from a live
        release is not the studio recording.
        """
        ids = self.block(want)
        if not ids:
            return OwnedMatch(want, OwnedStatus.MISSING)
        shortlist = self._shortlist(want, ids)
        prepared_want = prepare(want)
        lead = want.artists[0] if want.artists else None
        if releases:
            prepared_want = _with_release(prepared_want, lead, releases)

        def side(track: LibraryTrack) -> Prepared:
            prepared = prepare(track)
            return _with_release(prepared, track.artist, releases) if releases else prepared

        scored = sorted(
            (
                (self._tracks[i], compare(prepared_want, side(self._tracks[i]), self.settings))
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

    def check_many(
        self, wants: Sequence[Track] | Iterable[Track], releases: ReleaseFacts | None = None
    ) -> list[OwnedMatch]:
        """:meth:`check` for a whole playlist, in order.

        The cyclic garbage collector is paused meanwhile: every full
        collection would rescan the whole index (see ``prepared.collector_paused``).
        """
        with collector_paused():
            return [self.check(w, releases) for w in wants]

    def _shortlist(self, want: Track, ids: list[int]) -> list[int]:
        """The few blocked tracks worth a full score, by a batch pre-score.

        Pre-score = 3 x title ratio + 2 x artist ratio (the scorer's weights);
        only tracks within reach of the best pre-score are kept.
        """
        limit = self.settings.index_shortlist
        if len(ids) <= 2:
            return ids
        title_q = ascii_key(parse_title(want.title).base)
        artist_q = ascii_key(want.artist, drop_the=True)
        index = np.asarray(ids, dtype=np.int64)
        titles = self._titles[index].tolist()
        artists = self._artists[index].tolist()
        t = process.cdist([title_q], titles, scorer=fuzz.ratio, dtype=np.uint8, workers=1)[0]
        a = process.cdist([artist_q], artists, scorer=fuzz.ratio, dtype=np.uint8, workers=1)[0]
        combined = t.astype(np.int32) * 3 + a.astype(np.int32) * 2
        order = np.argsort(-combined, kind="stable")[:limit]
        top = int(combined[order[0]])
        # 45 points = a 15-point title gap or a 22-point artist gap: beyond
        # that the full score cannot realistically come out ahead.
        keep = [int(k) for k in order if int(combined[k]) >= top - 45]
        return [ids[k] for k in keep]
