"""Start every simulator at once, each on a free 127.0.0.1 port.

``start_sandbox(root)`` lays out a throw-away world under ``root``::

    root/
      music/                 the Plex section's folder (the user's library)
        <seeded library>     10 of the "Road Trip" tracks, tagged FLAC
        Transfer/            where SoulSync files downloads (inside the section,
                             so a Plex refresh of this path finds them)
      slskd-downloads/       where the slskd simulator writes finished transfers
      data/                  SoulSync's data dir (database, secret key)

and returns a :class:`Sandbox` whose :meth:`Sandbox.config` is a complete
SoulSync configuration pointing at the simulators. Nothing is written outside
``root`` except the shared audio cache (``SOULSYNC_SANDBOX_CACHE``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from soulsync.sandbox.catalogue import Catalogue, build_catalogue
from soulsync.sandbox.deezer import DeezerSimulator
from soulsync.sandbox.library_seed import seed_library
from soulsync.sandbox.media import AudioCache
from soulsync.sandbox.musicbrainz import MusicBrainzSimulator
from soulsync.sandbox.plex import PlexSimulator
from soulsync.sandbox.slskd import SlskdSimulator
from soulsync.sandbox.spotify import SpotifySimulator
from soulsync.sandbox.videosite import VideoSite
from soulsync.sandbox.videosite_ytdlp import SEARCH_KEY as VIDEO_SEARCH_KEY

SLSKD_API_KEY = "sandbox-slskd-api-key-0123456789"
PLEX_TOKEN = "sandbox-plex-token"


@dataclass
class Sandbox:
    """The running simulators and the folders they use."""

    root: Path
    catalogue: Catalogue
    spotify: SpotifySimulator
    deezer: DeezerSimulator
    slskd: SlskdSimulator
    plex: PlexSimulator
    videosite: VideoSite
    music_dir: Path
    transfer_dir: Path
    downloads_dir: Path
    data_dir: Path
    # Release types for matching (live albums); optional so older callers work.
    musicbrainz: MusicBrainzSimulator | None = None
    _stopped: bool = field(default=False, repr=False)

    def urls(self) -> dict[str, str]:
        """Base URL of every simulator."""
        return {
            "spotify": self.spotify.url,
            "deezer": self.deezer.url,
            "slskd": self.slskd.url,
            "plex": self.plex.url,
            "videosite": self.videosite.url,
        }

    def config(self, *, web_port: int = 0) -> dict[str, Any]:
        """A complete SoulSync configuration (TOML-shaped dict) for this sandbox."""
        return {
            "spotify": {
                "client_id": self.spotify.client_id,
                "redirect_uri": "http://127.0.0.1:8888/callback",
                "api_base": self.spotify.api_base,
                "accounts_base": self.spotify.url,
                "request_gap_s": 0.0,
            },
            "deezer": {"enabled": True, "api_base": self.deezer.url},
            "plex": {"url": self.plex.url, "token": PLEX_TOKEN, "music_section": "Music"},
            "slskd": {
                "url": self.slskd.url,
                "api_key": SLSKD_API_KEY,
                "downloads_dir": str(self.downloads_dir),
                "min_gap_s": 0.0,
                "search_timeout_ms": 2000,
                "stall_timeout_s": 3,
                "remote_queue_timeout_s": 5,
            },
            "paths": {
                "data_dir": str(self.data_dir),
                "downloads_dir": str(self.downloads_dir),
                "transfer_dir": str(self.transfer_dir),
            },
            "web": {"host": "127.0.0.1", "port": web_port or 8008},
            # The playlist scenarios keep Soulseek alone in the chain: the tracks no
            # peer shares go to the wishlist there. Links and `get --source auto|youtube`
            # reach the video site through the [youtube] settings below.
            "downloads": {"retry_delay_s": 1, "sources": ["soulseek"]},
            "youtube": {
                "search_prefix": VIDEO_SEARCH_KEY,
                "watch_url": self.videosite.watch_url,
                "playlist_url": self.videosite.playlist_url,
                "backoff_s": 0.2,
                "plugin_modules": ["soulsync.sandbox.videosite_ytdlp"],
            },
        }

    def stop(self) -> None:
        """Stop every simulator (idempotent)."""
        if self._stopped:
            return
        self._stopped = True
        for sim in (self.spotify, self.deezer, self.plex, self.videosite):
            sim.stop()
        if self.musicbrainz is not None:
            self.musicbrainz.stop()
        self.slskd.close()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_sandbox(
    root: Path,
    *,
    time_scale: float = 20.0,
    audio_cache: AudioCache | None = None,
    seed: bool = True,
) -> Sandbox:
    """Lay out ``root``, seed the library, and start every simulator (and the video site).

    ``time_scale`` speeds up simulated Soulseek time (transfers, remote
    queues, search timeouts) so a demo or test finishes in seconds.
    """
    root = Path(root)
    music = root / "music"
    transfer = music / "Transfer"
    downloads = root / "slskd-downloads"
    data = root / "data"
    for folder in (music, transfer, downloads, data):
        folder.mkdir(parents=True, exist_ok=True)
    cache = audio_cache or AudioCache()
    catalogue = build_catalogue()
    if seed and not any(p for p in music.iterdir() if p.name != "Transfer"):
        seed_library(music, cache=cache, catalogue=catalogue)
    started: list[Any] = []
    try:
        spotify = SpotifySimulator(catalogue).start()
        started.append(spotify)
        deezer = DeezerSimulator(catalogue).start()
        started.append(deezer)
        plex = PlexSimulator([music], token=PLEX_TOKEN).start()
        started.append(plex)
        videosite = VideoSite(catalogue, cache).start()
        started.append(videosite)
        musicbrainz = MusicBrainzSimulator().start()
        started.append(musicbrainz)
        # The demo behaves as the current slskd (0.26: retries, 0.26 file placement).
        slskd = SlskdSimulator(
            catalogue, downloads, cache, SLSKD_API_KEY, time_scale=time_scale, version="0.26.0"
        ).start()
    except BaseException:
        for sim in started:
            sim.stop()
        raise
    return Sandbox(
        root=root,
        catalogue=catalogue,
        spotify=spotify,
        deezer=deezer,
        slskd=slskd,
        plex=plex,
        videosite=videosite,
        music_dir=music,
        transfer_dir=transfer,
        downloads_dir=downloads,
        data_dir=data,
        musicbrainz=musicbrainz,
    )
