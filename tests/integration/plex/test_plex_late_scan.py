"""Issue 13 item 11: a Plex server may start a requested scan late.

The adapter used to give up looking for the scan after 3 s and report it
finished. Now it waits for evidence - the section's ``refreshing`` flag or an
``/activities`` entry, a new ``scannedAt``, or the expected files appearing -
and asks again once if the scan has not started after the grace period.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from soulsync.providers.base import ProviderError
from soulsync.providers.plex import PlexMediaServer
from soulsync.sandbox.library_seed import library_seed_tracks, write_seed_file
from soulsync.sandbox.media import AudioCache
from soulsync.sandbox.plex import PlexSimulator


def _adapter(plex_sim: PlexSimulator, **kwargs: float) -> PlexMediaServer:
    return PlexMediaServer(plex_sim.url, plex_sim.token, timeout_s=5, scan_poll_s=0.05, **kwargs)


async def test_a_scan_queued_for_seconds_is_waited_for(
    plex_sim: PlexSimulator, library_dir: Path, audio_cache: AudioCache
) -> None:
    plex_sim.scan_start_delay_s = 4.0  # longer than the old 3 s grace
    plex_sim.scan_duration_s = 0.2
    before = plex_sim.scans_completed
    seed = library_seed_tracks(keys=["discovery/Digital Love"])[0]
    path = write_seed_file(library_dir, seed, audio_cache)
    adapter = _adapter(plex_sim)  # the default grace (60 s)
    await adapter.scan()
    assert plex_sim.scans_completed == before + 1
    assert any(t.path == str(path) for t in await adapter.all_tracks())


async def test_new_files_appearing_end_the_wait(
    plex_sim: PlexSimulator, library_dir: Path, audio_cache: AudioCache
) -> None:
    plex_sim.hide_scan_activity = True  # no refreshing flag, no activity, same scannedAt
    plex_sim.scan_start_delay_s = 0.5
    seed = library_seed_tracks(keys=["discovery/Aerodynamic"])[0]
    path = write_seed_file(library_dir, seed, audio_cache)
    adapter = _adapter(plex_sim, scan_timeout_s=20.0)
    await adapter.scan(expect=[str(path)])
    assert any(t.path == str(path) for t in await adapter.all_tracks())


async def test_never_assumes_done_without_evidence(
    plex_sim: PlexSimulator, library_dir: Path, audio_cache: AudioCache
) -> None:
    # Nothing ever shows the scan and no file is expected: the wait ends in an
    # error at the timeout, not in a silent "finished"; the scan was asked twice.
    plex_sim.hide_scan_activity = True
    plex_sim.scan_start_delay_s = 0.1
    adapter = _adapter(plex_sim, scan_start_grace_s=0.3, scan_timeout_s=1.0)
    with pytest.raises(ProviderError, match="did not start scanning"):
        await adapter.scan()
    refreshes = sum(
        n for key, n in plex_sim.requests.items() if key.split("?")[0].endswith("/refresh")
    )
    assert refreshes == 2
