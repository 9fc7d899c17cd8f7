"""Constants shared by the sync integration tests (imported by name: the folder is on sys.path)."""

from __future__ import annotations

from soulsync.config_outage import OutageSettings
from soulsync.services.downloads.queue_settings import QueueSettings
from soulsync.services.sync.service import SyncOptions

FAST_QUEUE = QueueSettings(
    concurrency=4,
    retries=2,
    retry_delay_s=0.05,
    max_retry_delay_s=0.2,
    stall_timeout_s=0.6,
    remote_queue_timeout_s=1.5,
    poll_interval_s=0.02,
    lease_ttl_s=5.0,
)

FAST_SYNC = SyncOptions(
    poll_interval_s=0.05,
    scan_wait_s=20.0,
    scan_retrigger_s=2.0,
    outages=OutageSettings(max_wait_min=20 / 60, first_retry_s=0.1, max_retry_s=0.5),
    server_retry_s=0.1,
    wishlist_interval_s=0,
    library_ttl_s=0.0,
)
