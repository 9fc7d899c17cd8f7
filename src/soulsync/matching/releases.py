"""Release knowledge as data: which folders hold a live, remix or demo release.

"At Budokan", "Waiting for Columbus" and "Stop Making Sense" never say
"live", so no reading of a path can tell. Metadata services can:
MusicBrainz release-group secondary types (Live, Compilation, Soundtrack,
Remix, DJ-mix, Demo; https://musicbrainz.org/doc/Release_Group/Type),
Spotify's ``album_type`` and Deezer's ``record_type`` (album, single, ep,
compile). The matching engine does no I/O: a service looks releases up and
hands the answers in as :class:`ReleaseFacts`; without them the engine
behaves as before.

Flow: rank once without facts, ask :func:`releases_to_check` which folders
of the accepted candidates are worth a look-up (otherwise-acceptable
candidates only, so a search costs a handful of requests), look those up,
and rank again with the facts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from soulsync.matching.anatomy import VersionKind
from soulsync.matching.credits import compare_artists
from soulsync.matching.evidence import string_similarity
from soulsync.matching.normalize import ascii_key
from soulsync.matching.prepared import _album_key

__all__ = [
    "ReleaseFacts",
    "ReleaseInfo",
    "ReleaseQuery",
    "choose_release",
    "kinds_of_types",
    "release_key",
    "release_key_parts",
]

# Release types that make every track on the release another recording
# than the studio one. Compilations and soundtracks mostly carry the
# original recordings and say nothing about the version.
_TYPE_KINDS = {
    "live": VersionKind.LIVE,
    "remix": VersionKind.REMIX,
    "dj-mix": VersionKind.REMIX,
    "demo": VersionKind.DEMO,
}


def kinds_of_types(types: Iterable[str]) -> frozenset[VersionKind]:
    """Version kinds implied by release types ("Live" -> live; "Compilation" -> none)."""
    return frozenset(_TYPE_KINDS[t.lower()] for t in types if t.lower() in _TYPE_KINDS)


def release_key(artist: str | None, album: str) -> str:
    """Lookup key of a release: artist and album keys ("" artist when unknown)."""
    return "\x1f".join(release_key_parts(artist, album))


def release_key_parts(artist: str | None, album: str) -> tuple[str, str]:
    """(artist key, album key) of a release, as caches store them."""
    return ascii_key(artist or "", drop_the=True), _album_key(album)


@dataclass(frozen=True, slots=True)
class ReleaseQuery:
    """A release worth looking up: the folder's artist (or the wanted one) and album."""

    artist: str
    album: str


@dataclass(frozen=True, slots=True)
class ReleaseInfo:
    """What a metadata source knows about one release.

    ``types`` in MusicBrainz wording ("Album", "Live", "Compilation");
    ``source`` names where it came from for the score's reasons
    ("MusicBrainz: Live").
    """

    types: tuple[str, ...]
    source: str

    @property
    def kinds(self) -> frozenset[VersionKind]:
        """Version kinds every track of this release has."""
        return kinds_of_types(self.types)

    def describe(self) -> str:
        """E.g. "MusicBrainz: Album, Live"."""
        return f"{self.source}: {', '.join(self.types)}" if self.types else self.source


@dataclass(frozen=True, slots=True)
class ReleaseFacts:
    """Known release types by :func:`release_key`. Empty facts change nothing."""

    by_key: Mapping[str, ReleaseInfo] = field(default_factory=dict)

    def lookup(self, artist: str | None, album: str | None) -> ReleaseInfo | None:
        """The facts for (artist, album), trying the album alone when the artist is unknown."""
        if not album or not self.by_key:
            return None
        found = self.by_key.get(release_key(artist, album))
        if found is None and artist:
            found = self.by_key.get(release_key(None, album))
        return found

    def __bool__(self) -> bool:
        return bool(self.by_key)

    @classmethod
    def of(cls, entries: Iterable[tuple[str | None, str, ReleaseInfo]]) -> ReleaseFacts:
        """Facts from (artist, album, info) entries."""
        return cls({release_key(artist, album): info for artist, album, info in entries})


def choose_release(artist: str, album: str, options: Sequence[tuple[str, str]]) -> int | None:
    """Which (title, artist credit) option is the release asked about, or None.

    The title must be the album (edition words ignored; "Alchemy" is
    "Alchemy: Dire Straits Live") and the credit must name the artist when
    one was asked for. The first acceptable option wins (options come best
    first from the search).
    """
    want = _album_key(album)
    if not want:
        return None
    for index, (title, credit) in enumerate(options):
        have = _album_key(title)
        if not have:
            continue
        short, long = sorted((want, have), key=len)
        # "Alchemy" / "Alchemy: Dire Straits Live", "At Budokan" / "Cheap
        # Trick at Budokan": folders shorten release titles at either end.
        same_title = string_similarity(want, have) >= 0.9 or (
            len(short) >= 5 and (long.startswith(short + " ") or long.endswith(" " + short))
        )
        if not same_title:
            continue
        if artist.strip() and compare_artists([artist], credit).similarity < 0.8:
            continue
        return index
    return None
