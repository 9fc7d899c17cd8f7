"""The ``[outages]`` config section: how long SoulSync waits for a service that is down.

Its own module to keep :mod:`soulsync.config` small; ``Settings.outages`` uses it.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["OutageSettings"]


class OutageSettings(BaseModel):
    """Pausing instead of failing when slskd, the media server or Spotify is unreachable."""

    model_config = ConfigDict(extra="forbid", validate_default=True)

    # Keep waiting (the queue and the run paused) for at most this long.
    max_wait_min: float = Field(default=30, gt=0)
    # Probes of the service: first after this many seconds, doubling up to the cap.
    first_retry_s: float = Field(default=2, gt=0)
    max_retry_s: float = Field(default=30, gt=0)
