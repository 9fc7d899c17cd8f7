"""Config sections for automation: scheduled syncs, the artist watchlist, notifications.

Kept apart from :mod:`soulsync.config` so these settings can grow without
touching the rest. Per-playlist schedules and watched artists live in the
database (they are changed from the web UI and the CLI); these are the
process-wide knobs.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)


ReleaseType = Literal["album", "single", "ep", "compilation"]
EventName = Literal["sync.finished", "sync.failed", "watch.new_release"]


def _default_types() -> list[ReleaseType]:
    return ["album", "single", "ep"]


def _default_events() -> list[EventName]:
    return ["sync.finished", "sync.failed", "watch.new_release"]


class AutomationSettings(_Section):
    """The scheduler that runs due playlist syncs and artist checks."""

    enabled: bool = True
    # How often the scheduler looks for due work (it runs one playlist at a time).
    tick_s: float = Field(default=60, gt=0)
    # Each next run moves by up to this many seconds, so several schedules
    # set to the same time do not hit Spotify, Soulseek and the server at once.
    jitter_s: float = Field(default=300, ge=0)
    # Artist watchlist: how often new releases are looked for (0 = only by hand).
    watch_interval_hours: float = Field(default=12, ge=0)
    # Defaults for a newly watched artist.
    watch_types: list[ReleaseType] = Field(default_factory=_default_types)
    watch_live: bool = False
    watch_action: Literal["wishlist", "download"] = "wishlist"


class NotificationSettings(_Section):
    """An optional webhook for finished syncs, failures and new releases (off when empty)."""

    # A secret: Discord and ntfy URLs carry the token in the path.
    webhook_url: SecretStr = SecretStr("")
    # json: SoulSync's own body; discord: {"content": ...}; ntfy: plain text with a Title header.
    format: Literal["json", "discord", "ntfy"] = "json"
    events: list[EventName] = Field(default_factory=_default_events)
    retries: int = Field(default=3, ge=0, le=10)
    timeout_s: float = Field(default=10, gt=0)

    @field_validator("webhook_url")
    @classmethod
    def _http(cls, value: SecretStr) -> SecretStr:
        text = value.get_secret_value()
        if text and not text.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value
