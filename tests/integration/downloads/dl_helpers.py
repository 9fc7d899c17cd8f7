"""Helpers shared by the download-queue integration tests."""

from __future__ import annotations

from pathlib import Path

from soulsync.sandbox.catalogue import SharedFile, build_catalogue
from soulsync.services.downloads import QueueSettings

FAST_QUEUE = QueueSettings(
    concurrency=2,
    retries=2,
    retry_delay_s=0.05,
    max_retry_delay_s=0.2,
    stall_timeout_s=0.6,
    remote_queue_timeout_s=1.5,
    poll_interval_s=0.02,
    lease_ttl_s=5.0,
)


def find_share(username: str, fragment: str) -> SharedFile:
    """The one share of ``username`` whose remote path contains ``fragment``."""
    found = [
        s for s in build_catalogue().shares if s.username == username and fragment in s.filename
    ]
    assert len(found) == 1, [s.filename for s in found]
    return found[0]


def exists(path: str | None) -> bool:
    """True if ``path`` names an existing file (a sync helper for async tests)."""
    return path is not None and Path(path).is_file()


def tree(root: Path) -> set[str]:
    """Every file below ``root`` as a relative POSIX path."""
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
