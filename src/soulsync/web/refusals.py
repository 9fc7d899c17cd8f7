"""What to do when a source refuses a playlist: one sentence under the run's error.

The providers say what happened (``providers/spotify.py``: editorial 404,
Premium 403, playlists not owned, rate limits and cool-downs); the page adds
the way out. Matched on the error text because a run stores only its message.
"""

from __future__ import annotations

# (words in the error, what to do), first match wins: specific before general.
HINTS: tuple[tuple[tuple[str, ...], str], ...] = (
    (
        ("made by spotify", "editorial"),
        "In Spotify, select all of its tracks, add them to a new playlist of your own, "
        "then open that playlist here.",
    ),
    (
        ("premium",),
        "Renew Premium on the Spotify account that created the app, or enter the client id "
        "of an app of your own under Settings → Spotify.",
    ),
    (
        ("only lets apps read playlists you own", "forbidden", "private to another account"),
        "Spotify lets this app read only playlists you own or collaborate on: copy its tracks "
        "into a playlist of your own (or ask its owner to make you a collaborator).",
    ),
    (
        ("rate limit", "cooling down", "resting until", "quota"),
        "Spotify's request quota is used up for now: SoulSync waits as long as Spotify asks. "
        "Open the playlist again later; nothing is lost.",
    ),
    (
        ("log in again", "not logged in", "no refresh token"),
        "Log in to Spotify again under Settings → Spotify.",
    ),
)


def refusal_hint(error: str | None) -> str | None:
    """The way out of a run's error, or None when there is no advice to give."""
    if not error:
        return None
    lowered = error.lower()
    for words, hint in HINTS:
        if any(w in lowered for w in words):
            return hint
    return None
