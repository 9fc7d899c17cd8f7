"""The Soulseek search-query ladder for a wanted track.

Soulseek search terms are ANDed against the whole remote path, so every
extra word can only lose results. The ladder starts precise and widens:

1. ``artist title`` (all credited artists), cleaned as slsk-batchdl does:
   lower case, its punctuation set turned into spaces, "feat." parts and
   remaster/edition descriptors dropped (files rarely carry them);
2. the same without diacritics (peers' names are often plain ASCII);
3. without the featured artists (in the title *and* in the credit);
4. primary artist only (every credited artist ANDed finds little);
5. title only (for artists whose names the server filters, and misspelt
   folders; ranking still checks the artist in the path);
6. the wildcard trick: the first letter of a server-filtered artist name
   replaced by ``*`` ("*eatles yesterday").

Album and duration are never part of a query; they are used for ranking.
The order is configurable: the original SoulSync searched title first.
Identical queries are dropped, so a simple track yields two or three steps.

Every query is built as slskd will send it (:func:`slskd_form`): Soulseek.NET
drops one-character terms by default (``SearchOptions.RemoveSingleCharacterSearchTerms``)
and refuses a search left without a longer term with a 400
(``SoulseekClient.SearchAsync``, https://github.com/jpdillingham/Soulseek.NET/blob/master/src/SoulseekClient.cs).
So one-letter words are dropped here, a rung that would be refused is
skipped, and a title made only of one-letter words ("U", "X") is searched
together with its album or artist instead of alone.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass

from soulsync.domain import Track
from soulsync.matching.anatomy import VersionKind, parse_title
from soulsync.matching.credits import is_various, split_credit
from soulsync.matching.filename import parse_path
from soulsync.matching.normalize import ascii_key, fold, strip_diacritics

__all__ = [
    "DEFAULT_ORDER",
    "SERVER_FILTERED",
    "TITLE_FIRST_ORDER",
    "QueryStep",
    "SearchQuery",
    "clean_query",
    "metadata_queries_for_path",
    "query_ladder",
    "slskd_form",
    "wildcard_filtered",
]


class QueryStep(enum.StrEnum):
    """One rung of the ladder."""

    ARTIST_TITLE = "artist title"
    NO_DIACRITICS = "no diacritics"
    NO_FEAT = "no feat."
    PRIMARY_ARTIST = "primary artist"
    TITLE_ONLY = "title only"
    WILDCARD = "wildcard artist"


DEFAULT_ORDER: tuple[QueryStep, ...] = (
    QueryStep.ARTIST_TITLE,
    QueryStep.NO_DIACRITICS,
    QueryStep.NO_FEAT,
    QueryStep.PRIMARY_ARTIST,
    QueryStep.TITLE_ONLY,
    QueryStep.WILDCARD,
)
TITLE_FIRST_ORDER: tuple[QueryStep, ...] = (
    QueryStep.TITLE_ONLY,
    QueryStep.ARTIST_TITLE,
    QueryStep.NO_DIACRITICS,
    QueryStep.NO_FEAT,
    QueryStep.PRIMARY_ARTIST,
    QueryStep.WILDCARD,
)

# Artist names the Soulseek server asks clients to filter out of results
# (slsk-batchdl's list plus ones users report). Matched as word sets.
SERVER_FILTERED: tuple[frozenset[str], ...] = tuple(
    frozenset(p.split())
    for p in (
        "beatles",
        "michael jackson",
        "rihanna",
        "kanye west",
        "adele",
        "weeknd",
        "lady gaga",
        "taylor swift",
        "eminem",
        "beyonce",
        "madonna",
        "metallica",
        "pink floyd",
        "led zeppelin",
        "drake",
        "bruno mars",
        "ed sheeran",
        "coldplay",
        "katy perry",
        "justin bieber",
        "prince",
        "ac dc",
        "bob dylan",
        "david bowie",
        "nirvana",
        "queen",
    )
)

# slsk-batchdl's cleaning set: each of these characters becomes a space.
_CLEAN_CHARS = re.compile(r"[;:'\"|?!<>*/\\\[\]{}()\-–—&%^$#@+=`~_,.]")
_DROP_FOR_QUERY = frozenset(
    {
        VersionKind.REMASTER,
        VersionKind.MONO,
        VersionKind.STEREO,
        VersionKind.EXPLICIT,
        VersionKind.CLEAN,
    }
)


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """One search to send, and which rung produced it."""

    text: str
    step: QueryStep


def clean_query(text: str) -> str:
    """Lower-case, punctuation to spaces, spaces collapsed; original kept if nothing is left."""
    cleaned = " ".join(_CLEAN_CHARS.sub(" ", fold(text)).split())
    return cleaned or " ".join(text.split())


def _dotnet_length(term: str) -> int:
    """``string.Length`` in .NET: UTF-16 code units (an emoji counts two)."""
    return len(term.encode("utf-16-le")) // 2


def slskd_form(text: str) -> str | None:
    """``text`` as slskd will search for it, or None if slskd would refuse it (400).

    Soulseek.NET splits the text on single spaces, takes ``-word`` tokens as
    exclusions, and (by default) drops every other term of one character;
    with no term left it answers "Search query must contain at least one
    non-exclusion term with length greater than 1" (``SearchQuery.cs`` and
    ``SoulseekClient.cs`` in jpdillingham/Soulseek.NET). The kept terms are
    returned in order, exclusions after them, as slskd's ``SearchQuery``
    prints itself.

    >>> slskd_form("prince u"), slskd_form("u"), slskd_form("o o c")
    ('prince', None, None)
    """
    tokens = [t for t in text.split(" ") if t]
    exclusions = [t for t in tokens if t.startswith("-") and len(t) > 1]
    terms = [t for t in tokens if t not in exclusions and _dotnet_length(t) > 1]
    if not terms:
        return None
    return " ".join((*terms, *exclusions))


def _title_for_query(track: Track, *, keep_feat: bool) -> str:
    """The title with soft descriptors dropped; hard ones (remix, live) kept as words."""
    anatomy = parse_title(track.title)
    words = [anatomy.base]
    for tag in anatomy.versions:
        if tag.kind in _DROP_FOR_QUERY:
            continue
        words.append(tag.detail)
        # Soulseek peers split "Taylor's" into "taylor" + "s", as sldl's cleaning does:
        # a glued "taylors" would match no shared file.
        words.append(
            tag.kind.value if tag.kind is not VersionKind.RERECORDED else "taylor's version"
        )
    if keep_feat:
        words.extend(anatomy.featured)
    return " ".join(w for w in words if w)


def _is_filtered(artist: str) -> bool:
    words = set(ascii_key(artist, drop_the=True).split())
    return any(phrase <= words for phrase in SERVER_FILTERED)


def query_ladder(track: Track, order: Sequence[QueryStep] = DEFAULT_ORDER) -> list[SearchQuery]:
    """The ordered, de-duplicated queries to try for ``track``.

    >>> [q.text for q in query_ladder(Track("Yesterday - Remastered 2009", ("The Beatles",)))]
    ['the beatles yesterday', 'beatles yesterday', 'yesterday', '*eatles yesterday']
    """
    credit: list[str] = []
    for artist in track.artists:
        credit.extend(split_credit(artist, known=track.artists))
    primary = credit[0] if credit else ""
    featured_in_title = parse_title(track.title).featured
    feat_keys = {ascii_key(n) for f in featured_in_title for n in split_credit(f)}
    main_artists = [a for a in credit if ascii_key(a) not in feat_keys]
    title_full = _title_for_query(track, keep_feat=False)
    queries: list[SearchQuery] = []
    seen: set[str] = set()

    def add(text: str, step: QueryStep, prefix: str = "") -> None:
        q = slskd_form(prefix + clean_query(text))
        if q and q not in seen:
            seen.add(q)
            queries.append(SearchQuery(q, step))

    def title_alone_or_with(title: str, step: QueryStep) -> None:
        # A title of one-letter words ("U", "X") is no query of its own for slskd:
        # pair it with the album (or the artist), whose words it then must match.
        if slskd_form(clean_query(title)) is not None:
            add(title, step)
        elif track.album:
            add(f"{strip_diacritics(track.album)} {title}", step)
        elif primary:
            add(f"{ascii_key(primary, drop_the=True)} {title}", step)

    for step in order:
        if step is QueryStep.ARTIST_TITLE:
            add(" ".join((*main_artists, title_full)), step)
        elif step is QueryStep.NO_DIACRITICS:
            add(strip_diacritics(" ".join((*main_artists, title_full))), step)
        elif step is QueryStep.NO_FEAT:
            # Only the first credited artist and no featured names anywhere.
            add(
                strip_diacritics(" ".join((main_artists[0] if main_artists else "", title_full))),
                step,
            )
        elif step is QueryStep.PRIMARY_ARTIST:
            name = ascii_key(primary, drop_the=True) if primary else ""
            add(" ".join((name, strip_diacritics(title_full))), step)
        elif step is QueryStep.TITLE_ONLY:
            title_alone_or_with(strip_diacritics(title_full), step)
        elif step is QueryStep.WILDCARD and primary and _is_filtered(primary):
            name = ascii_key(primary, drop_the=True)
            # "*" must survive cleaning: it is the point of this rung.
            add(f"{name[1:]} {strip_diacritics(title_full)}", step, prefix="*")
    return queries


def metadata_queries_for_path(path: str, limit: int = 4) -> list[str]:
    """Searches to send a metadata source for a hand-picked Soulseek file.

    For the matched-download modal: ``"artist title"`` for each plausible
    reading of the path (file-name artist or folder artist), then the title
    alone, version words and upload noise removed. The answers go to
    :func:`~soulsync.matching.suggest.suggest_artists`.

    >>> metadata_queries_for_path(r"@@u\\Music\\Daft Punk\\Discovery\\03. Digital Love.flac")
    ['daft punk digital love', 'digital love']
    """
    anatomy = parse_path(path)
    queries: list[str] = []

    def add(text: str) -> None:
        q = clean_query(text)
        if q and q not in queries:
            queries.append(q)

    # The most common layouts first; the reversed "Title - Artist" last.
    priority = {
        "title only": 0,
        "artist - ... - title": 1,
        "artist - title - tag": 2,
        "artist - title": 3,
        "title - artist": 4,
    }
    if "_" in anatomy.basename and " " not in anatomy.basename:
        # Scene names end in a release-group tag: "03-artist-title-grp".
        priority["artist - title - tag"], priority["artist - ... - title"] = 1, 2
    # "03. Title" / "03 - Title" / "03_title": surely a track number. "99
    # Problems" or "1979": maybe the title, so both readings are kept.
    surely_track = re.match(r"^(?:0\d|\d{1,3}\s*[.\-_)])", anatomy.basename) is not None

    def keeps_number(title: str) -> bool:
        found = re.match(r"^(\d+)\b", title)
        if found is None or anatomy.track is None:
            return False
        return int(found.group(1)) == anatomy.track

    readings = sorted(
        (r for r in anatomy.readings if r.how in priority),
        key=lambda r: (priority[r.how], 0 if keeps_number(r.title) else 1),
    )
    titles: list[str] = []
    for reading in readings:
        title = parse_title(reading.title).base
        if surely_track and keeps_number(title):
            continue  # the reading that kept the track number
        names = split_credit(reading.artist) if reading.artist else ()
        if names and not is_various(names[0]):
            add(f"{names[0]} {title}")
        if reading.how != "title - artist" and title not in titles:
            titles.append(title)
    for title in titles[:2]:
        add(title)
    return queries[:limit]


def wildcard_filtered(text: str) -> tuple[str, tuple[str, ...]]:
    """A hand-typed search with server-filtered names made findable.

    The Soulseek server drops searches containing some names ("beatles"):
    their first letter becomes ``*`` ("the *eatles abbey road"), the same
    trick the query ladder's wildcard rung uses. Returns the text to send and
    the words that were changed (empty when nothing was filtered).

    >>> wildcard_filtered("The Beatles Abbey Road")
    ('The *eatles Abbey Road', ('Beatles',))
    """
    words = text.split()
    keys = [ascii_key(w, drop_the=True) for w in words]
    changed: list[int] = []
    for phrase in SERVER_FILTERED:
        for start in range(len(words)):
            span = range(start, start + len(phrase))
            if span.stop <= len(words) and {keys[i] for i in span} == set(phrase):
                changed.append(start)  # one wildcard per phrase hides it from the filter
    out = list(words)
    for i in sorted(set(changed)):
        if len(out[i]) > 1 and not out[i].startswith("*"):
            out[i] = "*" + out[i][1:]
    done = tuple(words[i] for i in sorted(set(changed)) if out[i] != words[i])
    return " ".join(out), done
