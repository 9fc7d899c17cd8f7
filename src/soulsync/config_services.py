"""Config sections for the services SoulSync talks to: Spotify, Deezer, MusicBrainz,
Plex, the folder library, slskd and YouTube.

Split out of :mod:`soulsync.config`, which re-exports every class here; see
that module for how the file, the environment and the defaults combine.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    field_validator,
    model_validator,
)

from soulsync.config_checks import check_not_system_folder


def http_url(value: str) -> str:
    """An http(s) URL with a host and a valid port (1-65535), without a trailing slash."""
    if not value.startswith(("http://", "https://")):
        raise ValueError("must start with http:// or https://")
    if any(ch.isspace() for ch in value):
        raise ValueError("must not contain spaces")
    parts = urlsplit(value)
    if not parts.hostname:
        raise ValueError("has no host name (e.g. http://127.0.0.1:5030)")
    try:
        port = parts.port
    except ValueError:
        raise ValueError("has a port outside 1-65535") from None
    if port == 0:
        raise ValueError("has a port outside 1-65535")
    return value.rstrip("/")


# A config value that must be an http(s) URL (checked, trailing slash dropped).
HttpUrl = Annotated[str, AfterValidator(http_url)]


def _optional_http_url(value: str) -> str:
    return http_url(value) if value else value


# The same, or empty (the service is not used).
OptionalHttpUrl = Annotated[str, AfterValidator(_optional_http_url)]


class Section(BaseModel):
    """Base for config sections: unknown keys are errors, so typos do not pass silently."""

    model_config = ConfigDict(extra="forbid", validate_default=True)


# -- metadata sources --------------------------------------------------------------


class SpotifySettings(Section):
    """Spotify Web API (authorization code + PKCE, so no client secret)."""

    client_id: str = ""
    redirect_uri: str = "http://127.0.0.1:8888/callback"
    api_base: HttpUrl = "https://api.spotify.com/v1"
    accounts_base: HttpUrl = "https://accounts.spotify.com"
    scopes: list[str] = Field(
        default_factory=lambda: [
            "playlist-read-private",
            "playlist-read-collaborative",
            "user-library-read",
        ]
    )
    # One request at a time, at least this far apart: Development Mode quotas are small.
    request_gap_s: float = Field(default=0.5, ge=0)

    @field_validator("redirect_uri")
    @classmethod
    def _loopback_or_https(cls, value: str) -> str:
        # Spotify has refused `localhost` redirects since 2025; http is only
        # accepted for loopback IP literals.
        from urllib.parse import urlsplit

        parts = urlsplit(value)
        host = (parts.hostname or "").lower()
        if parts.scheme not in ("http", "https") or not host:
            raise ValueError("must be an http(s) URL such as http://127.0.0.1:8888/callback")
        if host == "localhost" or host.endswith(".localhost"):
            raise ValueError(
                "Spotify rejects 'localhost' in redirect URIs; use the loopback IP "
                "http://127.0.0.1:PORT/... (or http://[::1]:PORT/...)"
            )
        if parts.scheme == "http" and host not in ("127.0.0.1", "::1"):
            raise ValueError("plain http is only allowed for 127.0.0.1 or [::1]; use https")
        return value


class DeezerSettings(Section):
    """Deezer public API (no key needed); a fallback metadata and playlist source."""

    enabled: bool = True
    api_base: HttpUrl = "https://api.deezer.com"


class MusicBrainzSettings(Section):
    """MusicBrainz ws/2 (no key): release types, so a live album is not taken for a studio one."""

    enabled: bool = False
    api_base: HttpUrl = "https://musicbrainz.org/ws/2"
    # MusicBrainz asks every client for "App/version ( contact )".
    user_agent: str = "SoulSync/0.1 ( https://github.com/soulsync/soulsync )"

    @field_validator("user_agent")
    @classmethod
    def _descriptive(cls, value: str) -> str:
        text = value.strip()
        if not re.fullmatch(r"\S+/\S+ \(.+\)", text):
            raise ValueError("must look like 'App/1.0 ( you@example.org )' (MusicBrainz rule)")
        return text


# -- media servers -------------------------------------------------------------------


class PlexSettings(Section):
    """Plex Media Server; empty ``url`` means Plex is not used."""

    url: OptionalHttpUrl = ""
    token: SecretStr = SecretStr("")
    music_section: str = "Music"


class FolderLibrarySettings(Section):
    """A plain folder of music files used as the library instead of (or beside) Plex."""

    enabled: bool = False
    path: Path | None = None
    # Where .m3u8 playlists are written, relative to the library folder (must stay inside it).
    playlists_dir: str = "Playlists"

    @field_validator("path")
    @classmethod
    def _not_system(cls, value: Path | None) -> Path | None:
        return check_not_system_folder(value)

    @model_validator(mode="after")
    def _path_when_enabled(self) -> FolderLibrarySettings:
        if self.enabled and self.path is None:
            raise ValueError("folder_library.enabled is true but folder_library.path is not set")
        return self


# -- download source ----------------------------------------------------------------


class SlskdSettings(Section):
    """The slskd daemon and how politely SoulSync uses the Soulseek network."""

    url: HttpUrl = "http://127.0.0.1:5030"
    api_key: SecretStr = SecretStr("")
    # Where slskd writes finished files, as seen from SoulSync (differs from
    # slskd's own view when it runs in a container). Empty: paths.downloads_dir.
    downloads_dir: Path | None = None
    # slskd 0.26+ files downloads by its transfers.download.destination.subdirectory
    # template; SoulSync reads it from slskd's /options and uses this value only
    # when that cannot be read. Empty: slskd's default, "${SOURCE_DIRECTORY}".
    destination_subdirectory: str | None = None
    # Soulseek bans bursts: at most this many searches per window, refilled at once.
    searches_per_window: int = Field(default=34, ge=1)
    window_s: float = Field(default=220, gt=0)
    min_gap_s: float = Field(default=2.0, ge=0)
    search_timeout_ms: int = Field(default=8000, ge=1000)
    stall_timeout_s: float = Field(default=60, gt=0)
    remote_queue_timeout_s: float = Field(default=900, gt=0)


class YouTubeSettings(Section):
    """YouTube through yt-dlp (a second download source; see providers/youtube.py)."""

    enabled: bool = True
    # yt-dlp search key: "ytsearch" (YouTube); a plugin may add others.
    search_prefix: str = "ytsearch"
    watch_url: str = "https://www.youtube.com/watch?v={id}"
    playlist_url: str = "https://www.youtube.com/playlist?list={id}"
    # For users YouTube asks to sign in: a Netscape cookies.txt exported from a
    # browser, and/or a PO token (yt-dlp wiki, "PO Token Guide").
    cookies_file: Path | None = None
    po_token: SecretStr = SecretStr("")
    retries: int = Field(default=3, ge=0, le=10)
    backoff_s: float = Field(default=1.0, ge=0)
    # Python modules with yt-dlp extractors (``extractors(options)``), added
    # ahead of yt-dlp's own: yt-dlp's extension point for other sites.
    plugin_modules: list[str] = Field(default_factory=list)
