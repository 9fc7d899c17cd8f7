"""Config sections for choosing the media server, and for Jellyfin and Navidrome/Subsonic.

Kept apart from :mod:`soulsync.config` so the media-server settings can grow
without touching the rest. ``[media_server] type`` picks the server;
``"auto"`` keeps the behaviour from before there was a choice (Plex when
``plex.url`` is set, else the folder library when it is enabled).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

from soulsync.config_services import OptionalHttpUrl

MediaServerType = Literal["auto", "plex", "jellyfin", "navidrome", "folder"]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)


class MediaServerSettings(_Section):
    """Which media server holds the library and the mirrored playlists."""

    type: MediaServerType = "auto"


class JellyfinSettings(_Section):
    """Jellyfin: an API key (Dashboard → API Keys) or a user name and password."""

    url: OptionalHttpUrl = ""
    api_key: SecretStr = SecretStr("")
    username: str = ""  # the playlists' owner; with an API key, empty = first administrator
    password: SecretStr = SecretStr("")
    library: str = "Music"

    @model_validator(mode="after")
    def _credentials(self) -> JellyfinSettings:
        if self.url and not self.api_key.get_secret_value() and not self.username:
            raise ValueError("jellyfin.url is set but neither api_key nor username is")
        return self


class NavidromeSettings(_Section):
    """Navidrome or any Subsonic/OpenSubsonic server (e.g. supysonic, Gonic, Airsonic)."""

    url: OptionalHttpUrl = ""
    username: str = ""
    password: SecretStr = SecretStr("")
    # Send the password itself (hex-encoded) instead of a salted token: for
    # servers without token auth (supysonic) or LDAP-backed accounts.
    legacy_auth: bool = False
    page_size: int = Field(default=500, ge=1, le=5000)

    @model_validator(mode="after")
    def _user_when_url(self) -> NavidromeSettings:
        if self.url and not self.username:
            raise ValueError("navidrome.url is set but navidrome.username is not")
        return self
