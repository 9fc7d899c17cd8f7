"""What the sandbox video site hosts: uploads made from the catalogue's recordings.

Every catalogue recording has a release upload on its artist's auto-generated
``"Artist - Topic"`` channel (bare title, the release's length in whole
seconds, as YouTube reports ``lengthSeconds``). A few recordings also have the
uploads that make picking the right one hard, each a different recording or
cut of the song: the official video, a live recording, a cover by another
channel, a lyric video with a 10 s intro, a sped-up upload and an 8D one.
The decoys have more views, so they come first in search results, as on the
real site. ``Кукушка`` by Кино is shared by no Soulseek peer: only the video
site has it.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from soulsync.sandbox.catalogue_model import AudioSpec, Catalogue, CatTrack, stable_digest

__all__ = ["DECOY_TRACKS", "VIDEO_ONLY_TRACK", "Upload", "build_uploads", "upload_id"]

# The recording only the video site has (see catalogue_data.UNSHARED).
VIDEO_ONLY_TRACK = "gruppa-krovi/Кукушка"
# Recordings that also get the decoy uploads.
DECOY_TRACKS = (VIDEO_ONLY_TRACK,)


@dataclass(frozen=True, slots=True)
class Upload:
    """One video on the site. ``kind`` says what it really is (for tests and logs)."""

    id: str
    title: str
    channel: str
    duration_ms: int
    audio: AudioSpec
    track_key: str
    kind: str  # topic | official | live | cover | lyric | sped_up | 8d
    views: int
    verified: bool = False

    @property
    def length_seconds(self) -> int:
        """Whole seconds, as the site reports a video's length."""
        return self.duration_ms // 1000


def upload_id(*parts: str) -> str:
    """A stable 11-character id in YouTube's alphabet."""
    raw = base64.urlsafe_b64encode(stable_digest("video", *parts)).decode()
    return raw.replace("=", "")[:11]


def _freq(track: CatTrack, shift: int = 0) -> int:
    return 220 + (int.from_bytes(stable_digest("freq", track.key)[:2], "big") + shift) % 660


def build_uploads(catalogue: Catalogue) -> tuple[Upload, ...]:
    """Every upload of the site, in a stable order."""
    uploads: list[Upload] = []
    for track in catalogue.tracks.values():
        album = catalogue.album_of(track)
        if album.album_type == "compilation":
            continue  # the release upload belongs to the original release
        artist = catalogue.artist_names(track)[0]
        spec = AudioSpec("m4a", track.duration_ms, _freq(track))
        uploads.append(
            Upload(
                upload_id("topic", track.key),
                track.title,
                f"{artist} - Topic",
                track.duration_ms,
                spec,
                track.key,
                "topic",
                views=1_000 + int.from_bytes(stable_digest("views", track.key)[:2], "big"),
            )
        )
        if track.key in DECOY_TRACKS:
            uploads.extend(_decoys(track, artist))
    return tuple(uploads)


def _decoys(track: CatTrack, artist: str) -> list[Upload]:
    ms = track.duration_ms
    title = track.title

    def make(
        kind: str,
        name: str,
        channel: str,
        duration_ms: int,
        views: int,
        *,
        shift: int = 0,
        verified: bool = False,
    ) -> Upload:
        spec = AudioSpec("m4a", duration_ms, _freq(track, shift))
        return Upload(
            upload_id(kind, track.key),
            name,
            channel,
            duration_ms,
            spec,
            track.key,
            kind,
            views,
            verified,
        )

    return [
        make("lyric", f"{artist} - {title} (Lyric Video)", "Lyrics Vault", ms + 10_000, 900_000),
        make("live", f"{artist} - {title} (Live)", artist, ms + 24_000, 800_000, shift=7),
        make(
            "sped_up",
            f"{artist} - {title} (sped up)",
            "speed songs",
            ms * 4 // 5,
            700_000,
            shift=90,
        ),
        make("cover", f"{title} (cover)", "Anna Sings", ms + 2_000, 600_000, shift=33),
        make("8d", f"{artist} - {title} (8D Audio)", "8D Tunes", ms, 500_000, shift=5),
        make(
            "official",
            f"{artist} - {title} (Official Video)",
            artist,
            ms,
            400_000,
            verified=True,
        ),
    ]
