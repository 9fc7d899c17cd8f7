"""The snapshot id each playlist had when its source last listed it.

The stored playlist row keeps the snapshot of the tracks it stores (read by a
run); the listing may be newer. Comparing the two tells whether the last
analysis is still current (``on_open``).
"""

from __future__ import annotations

from soulsync.domain import Playlist
from soulsync.store import Store

# Cache namespace; kept until replaced by the next listing.
LISTED = "sync.listed_snapshot"


def remember_listed_snapshot(store: Store, playlist: Playlist) -> None:
    """Keep the snapshot id a source's playlist list reported (when it has one)."""
    if playlist.snapshot_id:
        store.cache_put(
            LISTED, f"{playlist.source.value}:{playlist.id}", playlist.snapshot_id, None
        )
