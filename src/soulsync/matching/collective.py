"""Collective re-recordings filed under "Various Artists" in a library.

A charity or all-star single ("Perfect Day (Children In Need)", "Everybody
Hurts (Helping Haiti)", "Bridge Over Troubled Water - Artists for
Grenfell") is a new recording of a famous song by many singers at once, so
libraries tag its artist "Various Artists". With the title and a similar
length it looks like the original on a compilation; its album gives it
away: the album is the song's own title with a qualifier, or it names a
charity or an all-star cast. A compilation ("The Best Ballads of the 90s")
stays what it is, the original recording filed under "Various Artists".

On Soulseek the same record sits in a folder named after the song with the
cause as qualifier ("R.E.M - Everybody Hurts (Helping Haiti)"), often under
the original artist's folder: a single of this very song qualified by a
charity or all-star cast is the collective re-recording, whoever the folder
credits. A charity compilation of original recordings ("Help (War Child)"
holding "Radiohead - Lucky") is not the song's own title, so it stays
acceptable.
"""

from __future__ import annotations

import re
from functools import lru_cache

from soulsync.matching.normalize import ascii_key
from soulsync.matching.prepared import Prepared, PreparedTitle

__all__ = ["collective_rerecording"]

_VARIOUS = frozenset({"various artists", "various", "va"})
_CHARITY_RE = re.compile(
    r"\b(?:children in need|comic relief|sport relief|red nose|band aid|for haiti|helping haiti"
    r"|for grenfell|charity|benefit single|relief|appeal|unicef|war child|all ?stars?"
    r"|artists (?:for|against|united)|in aid of|for the victims)\b"
)
_QUALIFIER_RE = re.compile(r"\s*(?:[(\[].*|\s[-\u2013\u2014]\s.*)$")


def collective_rerecording(want: Prepared, cand: Prepared, reading: PreparedTitle) -> str | None:
    """Why a candidate is a collective (charity, all-star) re-recording, or None.

    Library tracks: only those whose credit is only "Various Artists" and
    whose title does not name the performer ("Lou Reed - Perfect Day" is the
    original filed on a compilation), when the wanted track is on another
    album. Soulseek files: see :func:`_charity_single_folder`.
    """
    if cand.path_key:
        return _charity_single_folder(want, cand)
    if not cand.album or not cand.artists or reading.artist:
        return None
    if not all(ascii_key(a) in _VARIOUS for a in cand.artists):
        return None
    if not want.artists or all(ascii_key(a) in _VARIOUS for a in want.artists):
        return None
    album = ascii_key(cand.album)
    # The whole album name, qualifier included: the wanted track may itself
    # be on the charity release.
    if want.album and ascii_key(want.album) == album:
        return None
    if _CHARITY_RE.search(album):
        return f"candidate is a Various Artists re-recording ({cand.album!r} is a charity release)"
    base = ascii_key(_QUALIFIER_RE.sub("", cand.album))
    if base and base != album and base in reading.base_forms:
        return (
            f"candidate is a Various Artists re-recording ({cand.album!r} is a single of "
            "this song by several artists)"
        )
    return None


def _charity_single_folder(want: Prepared, cand: Prepared) -> str | None:
    """A folder named "<this song> (<charity or all-star cast>)": the collective re-recording.

    Not when the wanted track names that cause itself (its artist, album or
    title: "Artists for Grenfell", "All Star"), which makes it the release
    wanted.
    """
    if not cand.album or not want.artists:
        return None
    named = _charity_single(cand.album)
    # The folder names the wanted song, whichever reading of the file name is tried.
    if named is None or named[0] not in want.titles[0].base_forms:
        return None
    cause = named[1]
    wanted = (*want.artists, want.album or "", want.titles[0].anatomy.original)
    if any(cause in ascii_key(text) for text in wanted):
        return None
    return f"candidate folder {cand.album!r} is a charity or all-star re-recording of this song"


@lru_cache(maxsize=4096)
def _charity_single(album: str) -> tuple[str, str] | None:
    """(song key, cause) of an album folder named "<song> (<cause>)", or None."""
    qualifier = _QUALIFIER_RE.search(album)
    if qualifier is None:
        return None
    base = ascii_key(album[: qualifier.start()])
    cause = _CHARITY_RE.search(ascii_key(qualifier.group(0)))
    if not base or cause is None:
        return None
    return base, cause.group(0)
