"""Matched album downloads: one batch, one job per file, files assigned to the tracklist."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import mutagen
from dl_helpers import exists, find_share, tree

from soulsync.domain import Album, Artist, JobKind, JobState, SoulseekFile
from soulsync.providers.slskd import SlskdClient
from soulsync.sandbox.catalogue import SharedFile
from soulsync.services.downloads.service import DownloadService
from soulsync.services.matched import FacadeLookup


async def _album(metadata: FacadeLookup, query: str, title: str) -> Album:
    found = [a for a in await metadata.search_albums(query) if a.title == title]
    assert found, f"{title!r} not found for {query!r}"
    return found[0]


async def test_three_tracks_of_one_album_in_random_order_share_one_folder(
    service: DownloadService, share_file: Callable[[SharedFile], SoulseekFile]
) -> None:
    names = ["05. Something About Us", "01. One More Time", "03. Digital Love"]
    random.Random(7).shuffle(names)
    ids = []
    for name in names:
        share = find_share("flacfan", f"Discovery [FLAC]\\{name}")
        ids.append(await service.enqueue_matched_track(share_file(share), Artist("Daft Punk")))
    jobs = [await service.wait_job(i, within_s=30) for i in ids]
    assert [j.state for j in jobs] == [JobState.COMPLETED] * 3, [j.error for j in jobs]
    root = service.settings.transfer_dir
    assert tree(root) == {
        "Daft Punk/Daft Punk - Discovery/01 One More Time.flac",
        "Daft Punk/Daft Punk - Discovery/03 Digital Love.flac",
        "Daft Punk/Daft Punk - Discovery/05 Something About Us.flac",
        "Daft Punk/Daft Punk - Discovery/cover.jpg",
    }
    # The album's cover was downloaded once for the three files.
    assert service.covers.fetches == 1


async def test_multi_disc_album_gets_disc_prefixes(
    service: DownloadService, slskd_client: SlskdClient, metadata: FacadeLookup
) -> None:
    base = "@@flacfan\\Music\\Pink Floyd\\1979 - The Wall [FLAC]"
    files = [
        *await slskd_client.directory("flacfan", base + "\\CD1"),
        *await slskd_client.directory("flacfan", base + "\\CD2"),
    ]
    album = await _album(metadata, "Pink Floyd The Wall", "The Wall")
    batch = await service.enqueue_matched_album(
        "flacfan", base, Artist("Pink Floyd"), album, files=files
    )
    jobs = await service.wait_batch(batch, within_s=40)
    assert {j.kind for j in jobs} == {JobKind.MATCHED_ALBUM}
    assert [j.state for j in jobs] == [JobState.COMPLETED] * len(files), [j.error for j in jobs]
    files_now = tree(service.settings.transfer_dir)
    folder = "Pink Floyd/Pink Floyd - The Wall/"
    assert folder + "1-03 Another Brick in the Wall, Pt. 2.flac" in files_now
    assert folder + "2-02 Comfortably Numb.flac" in files_now
    assert len([t for t in files_now if t.endswith(".flac")]) == len(files) == 6
    disc = mutagen.File(service.settings.transfer_dir / folder / "2-02 Comfortably Numb.flac")
    assert disc["DISCNUMBER"] == ["2"] and disc["DISCTOTAL"] == ["2"]


async def test_compilation_is_filed_under_various_artists_with_the_flag(
    service: DownloadService, metadata: FacadeLookup
) -> None:
    album = await _album(metadata, "Pure Dance Classics", "Pure Dance Classics")
    batch = await service.enqueue_matched_album(
        "mp3hoarder", "@@mp3h\\mp3\\VA - Pure Dance Classics (2016)", None, album
    )
    jobs = await service.wait_batch(batch, within_s=40)
    assert len(jobs) == 4
    assert all(j.state is JobState.COMPLETED for j in jobs), [j.error for j in jobs]
    folder = (
        service.settings.transfer_dir / "Various Artists" / "Various Artists - Pure Dance Classics"
    )
    assert sorted(p.name for p in folder.iterdir()) == [
        "01 September.mp3",
        "02 One More Time - Radio Edit.mp3",
        "03 Levels - Radio Edit.mp3",
        "04 Uptown Funk.mp3",
        "cover.jpg",
    ]
    tags = mutagen.File(folder / "04 Uptown Funk.mp3")
    assert str(tags["TPE2"]) == "Various Artists"
    assert str(tags["TCMP"]) == "1"
    assert tags["TXXX:ARTISTS"].text == ["Mark Ronson", "Bruno Mars"]


async def test_favourites_folder_files_each_track_under_its_own_artist(
    service: DownloadService,
) -> None:
    batch = await service.enqueue_matched_album(
        "favs_collector", "@@favs\\Shared\\My Favourites", None, None
    )
    jobs = await service.wait_batch(batch, within_s=60)
    assert len(jobs) == 8
    assert all(j.state is JobState.COMPLETED for j in jobs), [(j.title, j.error) for j in jobs]
    files_now = tree(service.settings.transfer_dir)
    for expected in (
        "Daft Punk/Daft Punk - Discovery/01 One More Time.mp3",
        "Adele/Adele - 25/01 Hello.mp3",
        "Simon & Garfunkel/Simon & Garfunkel - Bridge over Troubled Water/04 The Boxer.mp3",
        "Beyoncé/Beyoncé - I Am... Sasha Fierce/03 Single Ladies (Put a Ring on It).mp3",
    ):
        assert expected in files_now, sorted(files_now)
    # Per-file results: every job says where its file went. The trap - a live
    # recording under the studio name - matches nothing and stays a plain download.
    by_title = {Path(j.file.filename.replace("\\", "/")).stem: j for j in jobs if j.file}
    queen = by_title.pop("Queen - Bohemian Rhapsody")
    assert queen.result == "plain_no_match"
    assert exists(queen.local_path)
    assert not any(t.startswith("Queen/") for t in files_now)
    assert all(exists(j.destination) for j in by_title.values())
    assert len([t for t in files_now if t.endswith(".mp3")]) == 7
