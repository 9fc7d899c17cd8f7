"""Issue 18 item 5: a peer's file that fails verification no longer blocks the track.

A peer sending a mislabelled file (it reports the right length, but the audio
is 20 s long) was counted as a success, and every retry picked the same file.
Now the result counts after verification: the bad (peer, file) pair is
remembered, the peer's failure count goes up, and the job moves on to the next
candidate, filed from another peer.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from dl_helpers import exists, find_share, tree

from soulsync.domain import JobState, SoulseekFile
from soulsync.sandbox.catalogue import SharedFile
from soulsync.sandbox.catalogue_model import AudioSpec
from soulsync.sandbox.slskd import SlskdSimulator
from soulsync.services.downloads.service import DownloadService
from soulsync.services.matched import FacadeLookup

BAD_NAME = "@@mp3h\\Music\\Daft Punk - Discovery\\03 Digital Love.flac"


async def test_a_file_failing_verification_moves_on_to_the_next_peer(
    service: DownloadService,
    sim: SlskdSimulator,
    metadata: FacadeLookup,
    share_file: Callable[[SharedFile], SoulseekFile],
) -> None:
    good_share = find_share("flacfan", "Discovery [FLAC]\\03. Digital Love")
    bad_share = SharedFile(
        username="mp3hoarder",
        filename=BAD_NAME,
        track_key=good_share.track_key,
        # The peer says 298 s; the audio is 20 s (a mislabelled or cut file).
        audio=AudioSpec(fmt="flac", duration_ms=20_000, frequency=523, bit_depth=16),
        bit_rate=None,
        sample_rate=44100,
        bit_depth=16,
        is_variable_bit_rate=None,
        length=good_share.length,
    )
    sim.add_share(bad_share)
    wanted = (await metadata.search_tracks("Daft Punk Digital Love"))[0]
    bad, good = share_file(bad_share), share_file(good_share)
    job = await service.wait_job(
        await service.enqueue_playlist_track(wanted, candidates=[bad, good]), within_s=60
    )
    assert job.state is JobState.COMPLETED, job.error
    assert job.file == good and job.candidate_index == 1 and exists(job.destination)
    # Remembered, counted against the peer, and the bad download is gone.
    assert service.jobs.bad_files() == {("mp3hoarder", BAD_NAME)}
    assert service.jobs.peer_failures() == {"mp3hoarder": 1}
    assert tree(service.settings.downloads_dir) == set()
    # The bad pair is never picked again, not even when offered first once more
    # (the filed copy is deleted first, so the recording is wanted again).
    assert job.destination is not None
    os.unlink(job.destination)
    again = await service.wait_job(
        await service.enqueue_playlist_track(wanted, candidates=[bad, good]), within_s=60
    )
    assert again.state is JobState.COMPLETED, again.error
    assert again.id != job.id and again.file == good
    assert sim.counters.files_enqueued == 3  # bad once, good twice: no second bad try
