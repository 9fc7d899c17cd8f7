"""Remix policy: who is the artist of "Song (A Remix)" by B?

Streaming services credit a remix to the original artist (B) and sometimes
add the remixer (A); listeners and DJ libraries file it under the remixer.
:func:`remix_credit` reports both, so the tagger can write the remixer as
artist with the original artist as contributing artist (or the other way
round, per :class:`RemixArtistPolicy`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from soulsync.domain import Track
from soulsync.matching.anatomy import VersionKind, parse_title
from soulsync.matching.credits import name_similarity, split_credit

__all__ = ["RemixArtistPolicy", "RemixCredit", "remix_credit"]


class RemixArtistPolicy(enum.StrEnum):
    """Which name goes first in the artist tag of a remix."""

    REMIXER = "remixer"  # artist = remixer, contributing = original artist(s)
    ORIGINAL = "original"  # artist = original artist(s), remixer kept as contributor


@dataclass(frozen=True, slots=True)
class RemixCredit:
    """The credit split of a track; ``is_remix`` False leaves artists unchanged."""

    is_remix: bool
    base_title: str
    remixers: tuple[str, ...]
    original_artists: tuple[str, ...]
    artists: tuple[str, ...]  # what to write as ARTIST, in order
    contributing: tuple[str, ...]  # what to write as contributing/other artists


def remix_credit(
    track: Track, policy: RemixArtistPolicy = RemixArtistPolicy.REMIXER
) -> RemixCredit:
    """Split ``track``'s credit into remixer(s) and original artist(s).

    >>> c = remix_credit(Track("Blinding Lights - Chromatics Remix", ("The Weeknd", "Chromatics")))
    >>> c.artists, c.contributing
    (('Chromatics',), ('The Weeknd',))
    """
    anatomy = parse_title(track.title)
    credited = [n for a in track.artists for n in split_credit(a, known=track.artists)]
    if VersionKind.REMIX not in anatomy.kinds:
        return RemixCredit(False, anatomy.base, (), tuple(credited), tuple(credited), ())
    remix_detail = anatomy.detail_of(VersionKind.REMIX)
    if not remix_detail:  # "(Remix)" with no name: nobody to move
        return RemixCredit(True, anatomy.base, (), tuple(credited), tuple(credited), ())
    # Recover the remixer's spelling from the credit when the service lists
    # them ("The Weeknd, Chromatics"), else from the title text itself.
    detail_names = split_credit(remix_detail)
    remixers: list[str] = []
    for name in detail_names:
        spelled = next((c for c in credited if name_similarity(c, name) >= 0.9), None)
        remixers.append(spelled or _title_case_from(track.title, name))
    originals = [c for c in credited if all(name_similarity(c, r) < 0.9 for r in remixers)]
    if credited and any(name_similarity(credited[0], r) >= 0.9 for r in remixers):
        originals = list(credited)  # a self-remix: the original artist is the remixer too
    if policy is RemixArtistPolicy.REMIXER:
        others = [o for o in originals if all(name_similarity(o, r) < 0.9 for r in remixers)]
        artists, contributing = tuple(remixers), tuple(others)
    else:
        artists, contributing = tuple(originals), tuple(remixers)
    return RemixCredit(True, anatomy.base, tuple(remixers), tuple(originals), artists, contributing)


def _title_case_from(title: str, key_name: str) -> str:
    """The remixer's name as spelled in the title ("… - Chromatics Remix" -> "Chromatics")."""
    words = key_name.split()
    lowered = title.lower()
    start = lowered.find(words[0]) if words else -1
    if start >= 0:
        end = lowered.find(words[-1], start) + len(words[-1])
        if end > start:
            return title[start:end]
    return key_name.title()
