"""Configuration: defaults < TOML file < ``SOULSYNC_*`` environment variables.

``load_config(path)`` is the only entry point the rest of the code needs. It
reads the TOML file with ``tomllib`` (so a syntax error can name its line and
column), lets pydantic-settings merge it with the environment (nested keys use
``__``: ``SOULSYNC_SLSKD__API_KEY``), and turns every validation failure into a
``ConfigError`` whose message names the dotted key and the line of the file
where that key is written (or the environment variable that set it).

Secrets are ``SecretStr`` so they never print by accident; every secret value is
registered with the logging filter as soon as the configuration is loaded.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import (
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from soulsync.config_automation import AutomationSettings, NotificationSettings
from soulsync.config_errors import ConfigError, describe_validation_error, toml_syntax_error
from soulsync.config_files import PathSettings, QualitySettings, default_config_path
from soulsync.config_media import JellyfinSettings, MediaServerSettings, NavidromeSettings
from soulsync.config_outage import OutageSettings
from soulsync.config_processing import ProcessingSettings
from soulsync.config_services import (
    DeezerSettings,
    FolderLibrarySettings,
    MusicBrainzSettings,
    PlexSettings,
    Section,
    SlskdSettings,
    SpotifySettings,
    YouTubeSettings,
)
from soulsync.logging_setup import register_secret

if TYPE_CHECKING:
    from soulsync.matching.settings import MatchSettings

__all__ = [
    "ConfigError",
    "DatabaseSettings",
    "DeezerSettings",
    "DownloadSettings",
    "FolderLibrarySettings",
    "LogSettings",
    "MatchingSettings",
    "PathSettings",
    "PlexSettings",
    "QualitySettings",
    "Settings",
    "SlskdSettings",
    "SpotifySettings",
    "SyncSettings",
    "WebSettings",
    "default_config_path",
    "load_config",
]

ENV_PREFIX = "SOULSYNC_"
ENV_DELIMITER = "__"

_Section = Section  # the sections below share the services' base (config_services.py)


# -- behaviour ----------------------------------------------------------------------------


class WebSettings(_Section):
    """The web UI and REST API."""

    host: str = "127.0.0.1"
    port: int = Field(default=8008, ge=1, le=65535)
    # Empty: generated on first start and kept in <data_dir>/web-secret.key (mode 0600).
    secret_key: SecretStr = SecretStr("")
    session_max_age_s: int = Field(default=14 * 24 * 3600, ge=60)
    # Set when SoulSync is served over https (e.g. behind a TLS reverse proxy).
    cookie_secure: bool = False
    # Reverse proxies (addresses or networks such as "127.0.0.1" or "10.0.0.0/8")
    # whose X-Forwarded-For header names the real client. From anyone else the
    # header is ignored, so it cannot be used to dodge the login throttle.
    trusted_proxies: list[str] = Field(default_factory=list)
    # Largest request body accepted (uploads included); larger ones get 413.
    max_body_bytes: int = Field(default=1_000_000, ge=10_000, le=100_000_000)

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for entry in value:
            try:
                ipaddress.ip_network(entry.strip(), strict=False)
            except ValueError as exc:
                raise ValueError(f"{entry!r} is not an IP address or network") from exc
        return [entry.strip() for entry in value]

    @field_validator("secret_key")
    @classmethod
    def _long_enough(cls, value: SecretStr) -> SecretStr:
        # A short signing key would make session cookies forgeable by guessing.
        if value.get_secret_value() and len(value.get_secret_value()) < 32:
            raise ValueError("must be at least 32 characters (or empty to have one generated)")
        return value


class MatchingSettings(_Section):
    """Thresholds of the matching engine (scores are 0..1; names as in MatchSettings)."""

    # Library check: >= owned is owned, >= uncertain is "maybe", below is missing.
    owned_threshold: float = Field(default=0.80, ge=0, le=1)
    uncertain_threshold: float = Field(default=0.60, ge=0, le=1)
    # Soulseek: a file below accept is declined; at or above strong, quality decides.
    accept_threshold: float = Field(default=0.72, ge=0, le=1)
    strong_threshold: float = Field(default=0.88, ge=0, le=1)
    # Length: full credit within grace; a Soulseek file further off than max fails.
    duration_grace_s: float = Field(default=3.0, ge=0)
    max_duration_delta_s: float = Field(default=30.0, gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> MatchingSettings:
        if self.uncertain_threshold > self.owned_threshold:
            raise ValueError("uncertain_threshold must not be above owned_threshold")
        if self.accept_threshold > self.strong_threshold:
            raise ValueError("accept_threshold must not be above strong_threshold")
        return self


SourceName = Literal["soulseek", "youtube"]


def _default_sources() -> list[SourceName]:
    return ["soulseek", "youtube"]


class DownloadSettings(_Section):
    """The download queue."""

    concurrency: int = Field(default=2, ge=1, le=16)
    retries: int = Field(default=3, ge=0)
    retry_delay_s: float = Field(default=60, ge=0)
    # The source chain: each missing track is tried on the first source, then the
    # next when nothing acceptable is found or every candidate failed.
    sources: list[SourceName] = Field(default_factory=_default_sources, min_length=1)
    # A profile that only accepts lossless files never falls back to a lossy
    # source (YouTube) unless this is on.
    allow_lossy_fallback: bool = False
    # Genre tags: the release's genres, else the artist's (looked up by name,
    # cached); "release" only the release's; "off" none.
    genre_tags: Literal["release_or_artist", "release", "off"] = "release_or_artist"

    # Hosts cover art may be downloaded from (shell-style patterns); the
    # configured services' own hosts are always allowed. soulsync.services.cover_fetch.
    cover_hosts: list[str] = Field(
        default_factory=lambda: ["*.scdn.co", "*.spotifycdn.com", "*.dzcdn.net"]
    )

    @field_validator("sources")
    @classmethod
    def _unique_sources(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("each source may appear once in the chain")
        return value


class SyncSettings(_Section):
    """Scheduled playlist sync."""

    schedule_hours: float = Field(default=6, ge=0)  # 0 turns the schedule off
    mode: Literal["mirror", "append"] = "mirror"
    # The one folder whose playlist files the web pages and the API may sync by
    # path (``file:<path inside it>``); empty: only uploaded files. The CLI reads
    # any file its user can.
    playlists_dir: Path | None = None
    # Playlist files (CSV, M3U, text) bigger than this are refused, each with a clear error.
    max_playlist_file_mb: float = Field(default=10, gt=0, le=1000)


class DatabaseSettings(_Section):
    """The SQLite database."""

    path: Path | None = None  # empty: <data_dir>/soulsync.db


class LogSettings(_Section):
    """Console logging (``--log-level`` and ``--json-logs`` override these)."""

    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    json_lines: bool = False

    @field_validator("level", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value


# -- the whole ------------------------------------------------------------------------------


class Settings(BaseSettings):
    """Every setting, grouped by section. Build it with ``load_config``."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter=ENV_DELIMITER,
        case_sensitive=False,
        extra="forbid",
        validate_default=True,
    )

    spotify: SpotifySettings = Field(default_factory=SpotifySettings)
    deezer: DeezerSettings = Field(default_factory=DeezerSettings)
    musicbrainz: MusicBrainzSettings = Field(default_factory=MusicBrainzSettings)
    media_server: MediaServerSettings = Field(default_factory=MediaServerSettings)
    plex: PlexSettings = Field(default_factory=PlexSettings)
    jellyfin: JellyfinSettings = Field(default_factory=JellyfinSettings)
    navidrome: NavidromeSettings = Field(default_factory=NavidromeSettings)
    folder_library: FolderLibrarySettings = Field(default_factory=FolderLibrarySettings)
    slskd: SlskdSettings = Field(default_factory=SlskdSettings)
    paths: PathSettings = Field(default_factory=PathSettings)
    quality: QualitySettings = Field(default_factory=QualitySettings)
    web: WebSettings = Field(default_factory=WebSettings)
    matching: MatchingSettings = Field(default_factory=MatchingSettings)
    downloads: DownloadSettings = Field(default_factory=DownloadSettings)
    youtube: YouTubeSettings = Field(default_factory=YouTubeSettings)
    sync: SyncSettings = Field(default_factory=SyncSettings)
    automation: AutomationSettings = Field(default_factory=AutomationSettings)
    notifications: NotificationSettings = Field(default_factory=NotificationSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    log: LogSettings = Field(default_factory=LogSettings)
    outages: OutageSettings = Field(default_factory=OutageSettings)
    processing: ProcessingSettings = Field(default_factory=ProcessingSettings)

    # The file the settings came from (None: defaults and environment only).
    _source_path: Path | None = PrivateAttr(default=None)

    SECTIONS: ClassVar[tuple[str, ...]] = (
        "spotify",
        "deezer",
        "media_server",
        "plex",
        "jellyfin",
        "navidrome",
        "folder_library",
        "slskd",
        "paths",
        "quality",
        "web",
        "matching",
        "downloads",
        "youtube",
        "sync",
        "automation",
        "notifications",
        "database",
        "log",
        "processing",
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The TOML data arrives as init kwargs; putting env first makes the
        # environment win over the file, and the file win over the defaults.
        return (env_settings, init_settings)

    @model_validator(mode="after")
    def _fill_derived_paths(self) -> Settings:
        # Folders left empty live under data_dir, so one setting moves them all.
        data = self.paths.data_dir
        if self.paths.downloads_dir is None:
            self.paths.downloads_dir = data / "downloads"
        if self.paths.transfer_dir is None:
            self.paths.transfer_dir = data / "Transfer"
        if self.slskd.downloads_dir is None:
            self.slskd.downloads_dir = self.paths.downloads_dir
        if self.database.path is None:
            self.database.path = data / "soulsync.db"
        return self

    @property
    def media_server_type(self) -> str:
        """The media server in use: plex, jellyfin, navidrome, folder, or "" for none.

        ``[media_server] type = "auto"`` keeps the older rule: Plex when
        ``plex.url`` is set, else the folder library when it is enabled.
        """
        chosen = self.media_server.type
        if chosen != "auto":
            return chosen
        if self.plex.url:
            return "plex"
        if self.folder_library.enabled:
            return "folder"
        return ""

    @model_validator(mode="after")
    def _chosen_server_is_set_up(self) -> Settings:
        chosen = self.media_server.type
        if chosen in ("plex", "jellyfin", "navidrome") and not getattr(self, chosen).url:
            raise ValueError(f"media_server.type is {chosen!r} but {chosen}.url is not set")
        if chosen == "folder" and self.folder_library.path is None:
            raise ValueError("media_server.type is 'folder' but folder_library.path is not set")
        return self

    # Convenience accessors with non-optional types (filled by the validator above).

    @property
    def source_path(self) -> Path | None:
        """The TOML file these settings were read from, if any."""
        return self._source_path

    @property
    def database_path(self) -> Path:
        """The SQLite file."""
        assert self.database.path is not None
        return self.database.path

    @property
    def downloads_dir(self) -> Path:
        """Where downloads land."""
        assert self.paths.downloads_dir is not None
        return self.paths.downloads_dir

    @property
    def transfer_dir(self) -> Path:
        """Where organised, tagged files are filed."""
        assert self.paths.transfer_dir is not None
        return self.paths.transfer_dir

    @property
    def slskd_downloads_dir(self) -> Path:
        """Where slskd's finished files are, as seen from SoulSync."""
        assert self.slskd.downloads_dir is not None
        return self.slskd.downloads_dir

    def match_settings(self) -> MatchSettings:
        """The matching engine's settings from the matching and quality sections."""
        from soulsync.matching.settings import MatchSettings, QualityProfile, Strictness

        parsed = QualityProfile.parse(", ".join(self.quality.profile))
        profile = dataclasses.replace(
            parsed,
            allowed_formats=frozenset(self.quality.allowed_formats),
            min_bitrate=self.quality.min_bitrate,
        )
        m = self.matching
        return MatchSettings(
            owned_threshold=m.owned_threshold,
            uncertain_threshold=m.uncertain_threshold,
            accept_threshold=m.accept_threshold,
            strong_threshold=m.strong_threshold,
            duration_grace_s=m.duration_grace_s,
            max_duration_delta_s=m.max_duration_delta_s,
            strictness=Strictness.STRICT if self.quality.strict else Strictness.LENIENT,
            quality=profile,
        )

    def secret_values(self) -> list[str]:
        """Every non-empty secret in the configuration (for the logging mask)."""
        found: list[str] = []
        for section_name in self.SECTIONS:
            section = getattr(self, section_name)
            for name in type(section).model_fields:
                value = getattr(section, name)
                if isinstance(value, SecretStr) and value.get_secret_value():
                    found.append(value.get_secret_value())
        return found


# -- loading ----------------------------------------------------------------------------------

# Path-typed keys whose relative values are resolved against the config file's folder.
_PATH_KEYS: tuple[tuple[str, str], ...] = (
    ("paths", "data_dir"),
    ("paths", "downloads_dir"),
    ("paths", "transfer_dir"),
    ("slskd", "downloads_dir"),
    ("sync", "playlists_dir"),
    ("folder_library", "path"),
    ("database", "path"),
)


def resolve_paths(data: dict[str, Any], base: Path) -> None:
    """Make the path values of a raw config dict absolute, relative to ``base`` (in place)."""
    for section, key in _PATH_KEYS:
        block = data.get(section)
        if not isinstance(block, dict):
            continue
        value = block.get(key)
        if isinstance(value, str) and value:
            # `~` is expanded and relative paths mean "next to the config file",
            # so a config file and its folders can be moved together.
            path = Path(value).expanduser()
            block[key] = str(path if path.is_absolute() else (base / path))
        elif isinstance(value, str) and not value:
            block[key] = None


def read_toml(path: Path) -> tuple[dict[str, Any], str]:
    """Parse a TOML file; raise ConfigError naming line and column on bad syntax."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(f"config file not found: {path}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config file {path}: {exc}") from exc
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        raise toml_syntax_error(path, text, exc) from exc


def load_config(path: Path | str | None = None) -> Settings:
    """Build the effective Settings: defaults < TOML file < ``SOULSYNC_*`` environment.

    ``path`` None uses ``default_config_path()`` if that file exists, else defaults
    only; an explicit path must exist. Raises ``ConfigError`` with a one-line
    message naming the key and the line of the file (or the environment
    variable) it came from. Every secret found is registered with the logging mask.
    """
    explicit = path is not None
    file_path = Path(path).expanduser() if path is not None else default_config_path()
    data: dict[str, Any] = {}
    text = ""
    source: Path | None = None
    if explicit or file_path.is_file():
        data, text = read_toml(file_path)
        source = file_path.resolve()
        resolve_paths(data, source.parent)
    try:
        settings = Settings(**data)
    except ValidationError as exc:
        raise describe_validation_error(exc, source, text, dict(os.environ), ENV_PREFIX) from exc
    settings._source_path = source
    for secret in settings.secret_values():
        register_secret(secret)
    return settings
