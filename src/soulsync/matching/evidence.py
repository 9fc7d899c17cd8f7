"""Field evidence: title, duration and artist similarity between prepared sides.

Title similarity compares base titles (descriptors removed) in every script
form; numbered works must agree on their numbers; a classical movement name
alone matches its full title. Artist evidence for a Soulseek file weighs the
artist a file-name reading names, the artist folder, the name (or its
initials or surname) anywhere in the path, and, failing all of that, a
folder that names the wanted album.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from rapidfuzz import fuzz

from soulsync.matching.credits import compare_artists, is_various, name_similarity
from soulsync.matching.normalize import ascii_key, whole_word_in
from soulsync.matching.prepared import Prepared, PreparedTitle
from soulsync.matching.settings import DEFAULT_SETTINGS, MatchSettings

__all__ = ["artist_evidence", "duration_similarity", "string_similarity", "title_similarity"]


@lru_cache(maxsize=32768)
def string_similarity(a: str, b: str) -> float:
    """Similarity of two keys in 0..1: edit-distance ratio, or word order ignored (x 0.95)."""
    if a == b:
        return 1.0
    return max(fuzz.ratio(a, b), 0.95 * fuzz.token_sort_ratio(a, b)) / 100.0


def _best(forms_a: Sequence[str], forms_b: Sequence[str]) -> float:
    best = max((string_similarity(a, b) for a in forms_a for b in forms_b if a and b), default=0.0)
    if best < 0.9 and (len(forms_a) > 1 or len(forms_b) > 1):
        # Transliterations split words differently ("yoru ni kake ru" /
        # "Yoru ni Kakeru", "YueLiangDaiBiao" / "Yue Liang Dai Biao"):
        # compare them with the spaces removed too.
        best = max(
            best,
            max(
                (
                    string_similarity(a.replace(" ", ""), b.replace(" ", ""))
                    for a in forms_a
                    for b in forms_b
                    if a and b
                ),
                default=0.0,
            ),
        )
    return best


@lru_cache(maxsize=16384)
def title_similarity(want: PreparedTitle, cand: PreparedTitle) -> tuple[float, str]:
    """Similarity of two base titles (descriptors removed) and its wording.

    Unknown bracket contents are compared both ways (kept and dropped), so
    "Satisfaction" matches "(I Can't Get No) Satisfaction". Different numbers
    ("Part 1"/"Part 2", "Symphony No. 5"/"No. 9") cap the similarity at 0.5.
    """
    sim = _best(want.base_forms, cand.base_forms)
    if want.anatomy.extras or cand.anatomy.extras:
        if bool(want.anatomy.extras) != bool(cand.anatomy.extras):
            sim *= 0.96
        sim = max(sim, _best(want.full_forms, cand.full_forms))
    # Classical and soundtrack titles: "Requiem ...: III. Sequentia: Lacrimosa"
    # is often shared as just "Lacrimosa"; the movement name alone counts.
    movement = ""
    for long, short in ((want, cand), (cand, want)):
        if not (long.has_colon and not short.has_colon and len(long.last_segment) >= 6):
            continue
        short_keys = {*short.base_forms, short.last_segment}
        if sim < 0.9 and any(fuzz.ratio(long.last_segment, k) >= 92 for k in short_keys if k):
            sim, movement = 0.9, f"movement title matches ({long.last_segment!r})"
    if want.numbers != cand.numbers and want.numbers and cand.numbers:
        if set(want.numbers) - set(cand.numbers) and set(cand.numbers) - set(want.numbers):
            return min(
                sim, 0.5
            ), f"title numbers differ ({' '.join(want.numbers)} vs {' '.join(cand.numbers)})"
        sim *= 0.92
    if movement:
        return sim, movement
    if sim >= 0.97:
        return sim, "title matches"
    if sim >= 0.85:
        return sim, f"title close ({want.anatomy.base!r} ~ {cand.anatomy.base!r})"
    return sim, f"title differs ({want.anatomy.base!r} vs {cand.anatomy.base!r})"


def duration_similarity(
    want_ms: int | None, cand_ms: int | None, settings: MatchSettings = DEFAULT_SETTINGS
) -> tuple[float | None, str]:
    """Full credit within the grace (3 s), falling linearly to 0 at 30 s; None if unknown."""
    if not want_ms or not cand_ms:
        return None, "duration unknown"
    delta = abs(want_ms - cand_ms) / 1000.0
    span = max(settings.duration_zero_s - settings.duration_grace_s, 0.001)
    sim = 1.0 - min(1.0, max(0.0, delta - settings.duration_grace_s) / span)
    if delta <= settings.duration_grace_s:
        return sim, f"duration matches ({delta:.0f} s off)"
    return sim, f"duration {delta:.0f} s off"


_NOT_SURNAMES = frozenset(
    {
        "orchestra", "band", "quartet", "quintet", "trio", "ensemble", "choir", "chorus", "boys",
        "girls", "brothers", "sisters", "crew", "gang", "group", "project", "family", "symphony",
        "philharmonic", "philharmoniker", "collective", "experience", "singers", "players",
        "machine", "company", "club", "cast", "music", "sound", "sounds", "records", "school",
    }
)  # fmt: skip


def _path_mention(name: str, cand: Prepared, reading: PreparedTitle) -> tuple[float, str] | None:
    """Evidence that ``name`` appears in the candidate's path, as whole words.

    Full name: strong (weaker for names under 4 letters, which could be any
    word). Initials ("ELO", "RHCP"; two letters only as a whole folder name,
    "MJ") and a distinctive surname ("Beethoven", "Bowie"): fairly strong.
    """
    key = ascii_key(name, drop_the=True)
    if not key or key in reading.base_forms:
        return None
    if whole_word_in(key, cand.path_key):
        return (1.0 if len(key) >= 4 or " " in key else 0.85), f"artist {name!r} named in path"
    words = key.split()
    if len(words) >= 2:
        initials = "".join(w[0] for w in words if w not in {"and", "of", "the", "in"})
        if (
            len(initials) >= 3 and whole_word_in(initials, cand.path_key)
        ) or initials in cand.folder_keys:
            return 0.9, f"artist initials {initials.upper()!r} in path"
        surname = words[-1]
        if (
            len(surname) >= 5
            and surname not in _NOT_SURNAMES
            and whole_word_in(surname, cand.path_key)
        ):
            return 0.88, f"artist surname {surname!r} in path"
    return None


def _album_evidence(want: Prepared, cand: Prepared, reading: PreparedTitle) -> float:
    """How strongly the candidate's folder names the wanted album (0..1)."""
    if not want.album_key or is_various(want.album or ""):
        return 0.0
    best = 0.0
    if cand.album_key:
        best = fuzz.token_set_ratio(want.album_key, cand.album_key) / 100.0
        if min(len(want.album_key), len(cand.album_key)) < 4:
            best = 1.0 if want.album_key == cand.album_key else 0.0
    # The album named anywhere in the path, unless that is just the title
    # again (a single named after its song).
    if (
        len(want.album_key) >= 6
        and want.album_key not in reading.base_forms
        and want.album_key not in want.titles[0].base_forms
        and whole_word_in(want.album_key, cand.path_key)
    ):
        best = max(best, 0.95)
    return best


def artist_evidence(
    want: Prepared, cand: Prepared, reading: PreparedTitle
) -> tuple[float, str] | None:
    """Artist evidence: the reading's artist, the folder artist and words in the path.

    None when the comparison cannot be made (the wanted track has no artist).
    """
    if not want.artists:
        return None
    best: tuple[float, str] | None = None
    if not cand.path_key:
        # A library track or a streaming result: its credit is all there is.
        if reading.artist:
            match = compare_artists(want.artists, reading.artist)
            return match.similarity, f"{match.reason} (named in the title)"
        if not cand.artists:
            return None
        if all(is_various(a) for a in cand.artists):
            # "Various Artists" is a real compilation tag; "Unknown Artist"
            # means the metadata is missing and nothing confirms the match.
            various = any(
                ascii_key(a) in {"various artists", "various", "va"} for a in cand.artists
            )
            return (
                (0.6, "candidate credited to Various Artists")
                if various
                else (
                    0.3,
                    "candidate artist unknown",
                )
            )
        match = compare_artists(want.artists, ", ".join(cand.artists))
        return match.similarity, match.reason
    sources: list[str] = []
    if reading.artist:
        sources.append(reading.artist)
    reversed_reading = reading.how == "title - artist"
    if cand.folder_artist and cand.folder_artist not in sources and not reversed_reading:
        sources.append(cand.folder_artist)
    for source in sources:
        if is_various(source):
            continue
        match = compare_artists(want.artists, source)
        if best is None or match.similarity > best[0]:
            best = (match.similarity, match.reason)
    # A file name that names another artist ("Chris Hadfield - Space Oddity"
    # in a "Bowie" folder) outweighs the folder: that file is someone else's.
    names_other = (
        reading.artist is not None
        and reading.artist != cand.folder_artist
        and best is not None
        and best[0] < 0.5
        and (not cand.album or name_similarity(reading.artist, cand.album) < 0.8)
        and (not want.album or name_similarity(reading.artist, want.album) < 0.8)
    )
    if not reversed_reading and not names_other:
        # Soulseek searches match the full path, so the artist named anywhere
        # in it is evidence; a secondary wanted artist counts a little less.
        for i, name in enumerate(want.artists):
            mention = _path_mention(name, cand, reading)
            if mention is not None:
                strength = mention[0] * (1.0 if i == 0 else 0.95)
                if best is None or strength > best[0]:
                    best = (strength, mention[1])
    if (best is None or best[0] < 0.6) and not reversed_reading and not names_other:
        album = _album_evidence(want, cand, reading)
        if album >= 0.9:
            return 0.8, "artist not named, but the album folder matches"
    if best is None:
        # Nothing in the path names the wanted artist: weak evidence against.
        return 0.4, f"artist {want.artists[0]!r} not found in path"
    return best
