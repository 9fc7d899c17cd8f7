"""Links pasted by a user, resolved and downloaded through the queue, against the sandbox."""

from __future__ import annotations

import itertools
from pathlib import Path

import mutagen

from soulsync.demo import Demo
from soulsync.domain import JobState
from soulsync.services.container import AppServices


def _is_file(path: str) -> bool:
    return Path(path).is_file()


def _tags(path: str) -> dict[str, str]:
    audio = mutagen.File(path)
    assert audio is not None, path
    tags = audio.tags or {}
    # MP4 atoms: title, artist, album.
    return {
        "title": str((tags.get("\xa9nam") or [""])[0]),
        "artist": str((tags.get("\xa9ART") or [""])[0]),
        "album": str((tags.get("\xa9alb") or [""])[0]),
    }


async def test_spotify_album_link_files_every_track_under_artist_and_album(
    demo: Demo, services: AppServices
) -> None:
    album = demo.sandbox.catalogue.albums["igor"]
    link = f"https://open.spotify.com/intl-de/album/{album.spotify_id}?si=abc"
    resolver = services.link_resolver()
    resolved = await resolver.resolve(link)
    await resolver.aclose()
    assert resolved.is_batch and resolved.source == "spotify"
    assert [t.track.title for t in resolved.tracks] == [
        demo.sandbox.catalogue.tracks[k].title for k in album.track_keys
    ]
    assert services.downloads is not None
    batch, ids = await resolver.enqueue(services.downloads, resolved, sources=["soulseek"])
    assert len(ids) == len(album.track_keys) == 3
    jobs = await services.downloads.wait_batch(batch, within_s=120)
    assert [j.state for j in jobs] == [JobState.COMPLETED] * 3, [j.error for j in jobs]
    transfer = demo.sandbox.transfer_dir
    folder = transfer / "Tyler, the Creator" / "Tyler, the Creator - IGOR"
    for job in jobs:
        assert job.destination is not None
        assert Path(job.destination).parent == folder, job.destination
        assert _is_file(job.destination)


async def test_deezer_playlist_link_becomes_one_batch(demo: Demo, services: AppServices) -> None:
    playlist = demo.sandbox.catalogue.playlists["rarities"]
    resolver = services.link_resolver()
    resolved = await resolver.resolve(f"https://www.deezer.com/fr/playlist/{playlist.deezer_id}")
    await resolver.aclose()
    assert resolved.source == "deezer"
    playable = [i for i in playlist.items if i.track_key and not i.unavailable]
    assert len(resolved.tracks) == len(playable) > 0
    assert services.downloads is not None
    batch, ids = await resolver.enqueue(services.downloads, resolved)
    jobs = await services.downloads.wait_batch(batch, within_s=180)
    assert sorted(j.id for j in jobs) == sorted(ids)
    assert {j.batch_id for j in jobs} == {batch}
    assert all(j.is_final for j in jobs)
    assert any(j.state is JobState.COMPLETED for j in jobs), [j.error for j in jobs]


async def test_youtube_link_is_fetched_from_that_upload_and_tagged_from_metadata(
    demo: Demo, services: AppServices
) -> None:
    site = demo.sandbox.videosite
    key = next(k for k, t in demo.sandbox.catalogue.tracks.items() if t.title == "Blinding Lights")
    upload = site.upload(key, "topic")
    resolver = services.link_resolver()
    resolved = await resolver.resolve(f"https://music.youtube.com/watch?v={upload.id}&si=x")
    await resolver.aclose()
    [item] = resolved.tracks
    assert item.matched and item.video is not None and item.video.id == upload.id
    assert item.track.album == "After Hours"
    assert services.downloads is not None
    before = len(site.stream_log)
    _, [job_id] = await resolver.enqueue(services.downloads, resolved, sources=["soulseek"])
    job = await services.downloads.wait_job(job_id, within_s=60)
    assert job.state is JobState.COMPLETED, job.error
    assert [r.video_id for r in site.stream_log[before:]] == [upload.id]
    assert site.video_requests == 0
    assert job.destination is not None and job.destination.endswith(".m4a")
    assert "The Weeknd/The Weeknd - After Hours/" in job.destination
    assert _tags(job.destination) == {
        "title": "Blinding Lights",
        "artist": "The Weeknd",
        "album": "After Hours",
    }


async def test_track_soulseek_lacks_comes_from_the_video_site_decoys_declined(
    demo: Demo, services: AppServices
) -> None:
    site = demo.sandbox.videosite
    key = "gruppa-krovi/Кукушка"
    track = demo.sandbox.catalogue.tracks[key]
    resolver = services.link_resolver()
    resolved = await resolver.resolve(f"spotify:track:{track.spotify_id}")
    await resolver.aclose()
    assert services.downloads is not None
    before = len(site.stream_log)
    _, [job_id] = await resolver.enqueue(
        services.downloads, resolved, sources=["soulseek", "youtube"]
    )
    job = await services.downloads.wait_job(job_id, within_s=120)
    assert job.state is JobState.COMPLETED, job.error
    tried = job.extra["tried_sources"]
    assert tried[0]["source"] == "soulseek" and "no acceptable" in tried[0]["outcome"]
    # The release upload (Topic channel) was fetched, nothing else.
    assert [r.video_id for r in site.stream_log[before:]] == [site.upload(key, "topic").id]
    declined = {d["title"]: d["why"] for d in job.extra["declined_uploads"]}
    kinds = {u.kind: u.title for u in site.uploads_of(key)}
    for kind in ("live", "cover", "sped_up", "lyric", "8d"):
        assert kinds[kind] in declined, kind
    assert "live" in declined[kinds["live"]]
    assert "cover" in declined[kinds["cover"]]
    assert "intro" in declined[kinds["lyric"]]
    assert job.destination is not None
    assert Path(job.destination).parent.name == "Кино - Группа крови"
    assert _tags(job.destination)["title"] == "Кукушка"


async def test_stream_failing_twice_is_retried_with_backoff_then_filed(
    demo: Demo, services: AppServices
) -> None:
    site = demo.sandbox.videosite
    key = next(k for k, t in demo.sandbox.catalogue.tracks.items() if t.title == "The Boxer")
    upload = site.upload(key, "topic")
    site.fail_next(upload.id, 2, status=503)
    resolver = services.link_resolver()
    resolved = await resolver.resolve(f"https://youtu.be/{upload.id}")
    await resolver.aclose()
    assert services.downloads is not None
    before = len(site.stream_log)
    _, [job_id] = await resolver.enqueue(services.downloads, resolved)
    job = await services.downloads.wait_job(job_id, within_s=60)
    assert job.state is JobState.COMPLETED, job.error
    log = site.stream_log[before:]
    assert [r.status for r in log] == [503, 503, 200]
    gaps = [b.at - a.at for a, b in itertools.pairwise(log)]
    # Backoff 1 s then 2 s, each with up to 20 % jitter (plus request time).
    assert 1.0 <= gaps[0] < 1.2 + 0.8, gaps
    assert 2.0 <= gaps[1] < 2.4 + 0.8, gaps
    assert job.attempts == 0  # retried inside the source, not re-queued
    assert job.destination is not None and _is_file(job.destination)
