"""Search-result badges: a job of the very file, the filed record, unfinished jobs (real SQLite)."""

from __future__ import annotations

from pathlib import Path

from soulsync.domain import JobKind, JobState, SoulseekFile, Track
from soulsync.services.downloads.jobs_store import JobsStore, NewJob
from soulsync.services.file_badges import FileBadges, file_recording, folder_badge
from soulsync.services.filed import FiledTracks, filed_row
from soulsync.services.link_badges import Badge
from soulsync.store import Store

DISCOVERY = "Music\\Daft Punk\\2001 - Discovery [FLAC]\\"


def _file(user: str, name: str, length: int = 320) -> SoulseekFile:
    return SoulseekFile(
        username=user, filename=f"@@{user}\\{DISCOVERY}{name}", size=1, length=length
    )


def _badges(store: Store) -> FileBadges:
    jobs = JobsStore(store)
    return FileBadges.build([*jobs.history(1000), *jobs.active()], FiledTracks(store).all())


def test_a_job_of_the_same_file_gives_its_state(store: Store) -> None:
    jobs = JobsStore(store)
    one = _file("flacfan", "01. One More Time.flac")
    (job,) = jobs.insert([NewJob(JobKind.PLAIN, file=one, candidates=(one,))])
    assert _badges(store).badge(one) is Badge.QUEUED
    jobs.update(job.id, state=JobState.DOWNLOADING)
    assert _badges(store).badge(one) is Badge.DOWNLOADING
    jobs.update(job.id, state=JobState.COMPLETED)
    assert _badges(store).badge(one) is Badge.DOWNLOADED
    # Another peer's copy is not that job's file (and nothing was filed).
    assert _badges(store).badge(_file("mp3hoarder", "01. One More Time.flac")) is None
    jobs.update(job.id, state=JobState.FAILED)
    assert _badges(store).badge(one) is None


def test_a_filed_recording_is_downloaded_from_any_peer(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "Daft Punk" / "Daft Punk - Discovery" / "03 Digital Love.flac"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"x")
    filed = Track("Digital Love", ("Daft Punk",), album="Discovery", duration_ms=301_000)
    FiledTracks(store).record(filed_row([filed], str(path)))
    badges = _badges(store)
    assert badges.badge(_file("anyone", "03. Digital Love.flac", 301)) is Badge.DOWNLOADED
    assert (
        badges.badge(_file("anyone", "03 - Daft Punk - Digital Love.mp3", 300)) is Badge.DOWNLOADED
    )
    # Not the same recording: another title, a live version, a very different length.
    assert badges.badge(_file("anyone", "02. Aerodynamic.flac", 212)) is None
    assert badges.badge(_file("anyone", "03. Digital Love (Live).flac", 301)) is None
    assert badges.badge(_file("anyone", "03. Digital Love.flac", 120)) is None
    # A filed file deleted by hand no longer counts.
    path.unlink()
    assert _badges(store).badge(_file("anyone", "03. Digital Love.flac", 301)) is None


def test_a_recording_an_unfinished_job_fetches_is_queued_then_downloading(store: Store) -> None:
    jobs = JobsStore(store)
    wanted = Track("One More Time", ("Daft Punk",), album="Discovery", duration_ms=320_000)
    (job,) = jobs.insert([NewJob(JobKind.PLAYLIST_TRACK, wanted=wanted)])
    other_peer = _file("hires_hoarder", "01. One More Time.flac")
    assert _badges(store).badge(other_peer) is Badge.QUEUED
    jobs.update(job.id, state=JobState.PROCESSING)
    assert _badges(store).badge(other_peer) is Badge.DOWNLOADING


def test_a_path_without_artist_and_title_has_no_recording() -> None:
    assert file_recording(SoulseekFile(username="u", filename="@@u\\x.flac", size=1)) is None


def test_an_album_folder_sums_its_files_up() -> None:
    assert folder_badge([Badge.DOWNLOADED] * 3) == "downloaded"
    assert folder_badge([Badge.DOWNLOADED, None, Badge.QUEUED]) == "downloaded 1/3"
    assert folder_badge([None, Badge.QUEUED, Badge.DOWNLOADING]) == "downloading 1/3"
    assert folder_badge([None, None]) is None
