"""Knobs of the download queue, mapped from the app configuration."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from soulsync.config import Settings
from soulsync.services.downloads.transfer_watch import WatchSettings

__all__ = ["QueueSettings"]


@dataclass(frozen=True, slots=True)
class QueueSettings:
    """Knobs of the queue; :meth:`from_settings` maps the app config."""

    concurrency: int = 2
    retries: int = 3
    retry_delay_s: float = 60.0
    max_retry_delay_s: float = 3600.0
    stall_timeout_s: float = 60.0
    remote_queue_timeout_s: float = 900.0
    poll_interval_s: float = 1.0
    max_candidates: int = 10
    lease_ttl_s: float = 30.0
    search_max_queries: int = 4
    # The source chain (config [downloads] sources) and the lossless rule.
    sources: tuple[str, ...] = ("soulseek", "youtube")
    allow_lossy_fallback: bool = False
    video_search_limit: int = 10
    # How long to wait before looking again while slskd is logged out of Soulseek.
    network_wait_s: float = 60.0

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> QueueSettings:
        """Queue settings from the ``[downloads]`` and ``[slskd]`` config sections."""
        values: dict[str, Any] = {
            "concurrency": settings.downloads.concurrency,
            "retries": settings.downloads.retries,
            "retry_delay_s": settings.downloads.retry_delay_s,
            "stall_timeout_s": settings.slskd.stall_timeout_s,
            "remote_queue_timeout_s": settings.slskd.remote_queue_timeout_s,
            "sources": tuple(settings.downloads.sources),
            "allow_lossy_fallback": settings.downloads.allow_lossy_fallback,
        }
        values.update(overrides)
        return cls(**values)

    def watch(self) -> WatchSettings:
        """The transfer watcher's settings."""
        return WatchSettings(
            stall_timeout_s=self.stall_timeout_s,
            remote_queue_timeout_s=self.remote_queue_timeout_s,
            poll_interval_s=self.poll_interval_s,
        )

    def backoff(self, attempts: int) -> float:
        """Delay before retry number ``attempts`` (1-based): doubling, capped."""
        return float(min(self.max_retry_delay_s, self.retry_delay_s * (2 ** max(0, attempts - 1))))
