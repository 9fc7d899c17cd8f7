"""Follow a Spotify or Deezer playlist given as a pasted link or id.

What a person pastes: ``https://open.spotify.com/playlist/ID``,
``https://www.deezer.com/en/playlist/ID``, ``spotify:playlist:ID``,
``deezer:ID``, or a bare id (22 letters and digits: Spotify; digits only:
Deezer). The playlist is read once from its source (so a wrong, private or
removed playlist is refused with the source's reason), then remembered and
selected, like the playlists the sources list: it gets a card, opening it
analyses it, and ``sync --all`` and the schedules include it.
"""

from __future__ import annotations

import re

from soulsync.domain import Source
from soulsync.services.sync.models import PlaylistRef, PlaylistRefError
from soulsync.services.sync.service import SyncService
from soulsync.services.sync.store import PlaylistRecord

__all__ = ["FollowError", "follow_playlist", "parse_pasted"]

_SPOTIFY_ID = re.compile(r"[0-9A-Za-z]{22}")
_DEEZER_ID = re.compile(r"[0-9]{1,19}")
_MAX_CHARS = 500
_WHAT = (
    "paste a Spotify or Deezer playlist link (https://open.spotify.com/playlist/…, "
    "https://www.deezer.com/playlist/…) or its id"
)
_SOURCE_NAMES = {Source.SPOTIFY: "Spotify", Source.DEEZER: "Deezer"}


class FollowError(ValueError):
    """The pasted text is not a playlist that can be followed; the message says why."""


def parse_pasted(text: str) -> PlaylistRef:
    """The playlist a pasted link or id names; :class:`FollowError` if it names none."""
    raw = text.strip()
    if not raw:
        raise FollowError(_WHAT)
    if len(raw) > _MAX_CHARS:
        raise FollowError(f"that is too long for a playlist link ({_MAX_CHARS} characters at most)")
    if _DEEZER_ID.fullmatch(raw):
        return PlaylistRef(source=Source.DEEZER, playlist_id=raw)
    if _SPOTIFY_ID.fullmatch(raw):
        return PlaylistRef(source=Source.SPOTIFY, playlist_id=raw)
    try:
        ref = PlaylistRef.parse(raw)
    except PlaylistRefError as exc:
        raise FollowError(str(exc)) from exc
    if ref.source not in _SOURCE_NAMES or ref.playlist_id is None:
        raise FollowError(f"not a playlist link or id: {_WHAT}")
    pattern = _SPOTIFY_ID if ref.source is Source.SPOTIFY else _DEEZER_ID
    if not pattern.fullmatch(ref.playlist_id):
        kind = "22 letters and digits" if ref.source is Source.SPOTIFY else "digits only"
        raise FollowError(
            f"that {_SOURCE_NAMES[ref.source]} playlist id is not valid (it is {kind})"
        )
    return ref


async def follow_playlist(sync: SyncService, text: str) -> PlaylistRecord:
    """Read the pasted playlist from its source and follow it; returns its record.

    Raises:
        FollowError: not a playlist link or id, or its source is not set up.
        ProviderError: the source refused it (unknown, private, rate limited…).
    """
    ref = parse_pasted(text)
    assert ref.source is not None and ref.playlist_id is not None  # parse_pasted checked
    source = sync.sources.get(ref.source)
    if source is None:
        where = "Settings → Deezer" if ref.source is Source.DEEZER else "Settings → Spotify"
        raise FollowError(f"{_SOURCE_NAMES[ref.source]} is not set up here: turn it on in {where}")
    playlist = await source.get_playlist(ref.playlist_id)
    return sync.sync_store.upsert_playlist(playlist, selected=True, with_entries=False)
