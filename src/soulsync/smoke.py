"""``soulsync demo --smoke``: the whole pipeline end to end against the sandbox, headless.

It syncs the sandbox's "Road Trip" playlist with "download missing tracks":
read from the simulated Spotify, check against the simulated Plex library,
search and download the missing tracks from the simulated slskd, file and
tag them in the Transfer folder, rescan Plex and mirror the playlist. Then it
checks the result independently of the sync service (files on disk, the Plex
playlist read back in order) and reports. The last line of output is one JSON
object whose keys are a stable contract (see ``SMOKE_KEYS``).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from soulsync.demo import Demo, build_demo_services
from soulsync.domain import JobState
from soulsync.library.audio import AUDIO_EXTENSIONS
from soulsync.services.container import AppServices
from soulsync.services.sync.models import RunState

SMOKE_KEYS = (
    "ok",
    "transfer_dir",
    "spotify_requests",
    "slskd_searches",
    "downloaded",
    "organized",
    "playlist_synced",
    "link_downloads",
    "youtube_downloaded",
)
SMOKE_PLAYLIST = "road-trip"
# A pasted Spotify link of a track no Soulseek peer shares: the source chain
# (Soulseek, then YouTube) finds it on the sandbox's video site.
SMOKE_LINK_TRACK = "gruppa-krovi/Кукушка"
SMOKE_CHAIN = ("soulseek", "youtube")


@dataclass
class SmokeResult:
    """What the smoke run found; ``as_json()`` is the contract line."""

    transfer_dir: str
    spotify_requests: int | None = None
    slskd_searches: int | None = None
    downloaded: int | None = None
    organized: int | None = None
    playlist_synced: bool | None = None
    link_downloads: int | None = None
    youtube_downloaded: int | None = None
    problems: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing went wrong and every check passed."""
        return not self.problems and bool(self.playlist_synced)

    def as_json(self) -> dict[str, Any]:
        """The JSON contract: exactly ``SMOKE_KEYS``."""
        return {
            "ok": self.ok,
            "transfer_dir": self.transfer_dir,
            "spotify_requests": self.spotify_requests,
            "slskd_searches": self.slskd_searches,
            "downloaded": self.downloaded,
            "organized": self.organized,
            "playlist_synced": self.playlist_synced,
            "link_downloads": self.link_downloads,
            "youtube_downloaded": self.youtube_downloaded,
        }


def run_smoke(demo: Demo, *, timeout_s: float = 600.0) -> SmokeResult:
    """Run the end-to-end smoke scenario on a prepared demo."""
    return asyncio.run(_smoke(demo, timeout_s))


async def _smoke(demo: Demo, timeout_s: float) -> SmokeResult:
    sandbox = demo.sandbox
    result = SmokeResult(transfer_dir=str(sandbox.transfer_dir))
    services = build_demo_services(demo)
    started = time.monotonic()
    await services.start(schedule=False)
    try:
        playlist = sandbox.catalogue.playlists[SMOKE_PLAYLIST]
        ref = f"spotify:{playlist.spotify_id}"
        await services.sync.refresh_playlists()
        run_id = await services.sync.start_sync(ref, download_missing=True)
        result.lines.append(f"syncing '{playlist.name}' ({len(playlist.items)} tracks)…")
        try:
            async with asyncio.timeout(timeout_s):
                record = await services.sync.wait(run_id)
        except TimeoutError:
            await services.sync.cancel(run_id)
            result.problems.append(f"the sync did not finish within {timeout_s:.0f}s")
            record = services.sync.run(run_id)
        result.lines.append(
            f"sync {record.state.value}: {record.total} tracks, {record.owned} owned, "
            f"{record.downloaded} downloaded, {record.wishlisted} wishlisted, "
            f"{record.failed} failed, {record.in_server_playlist} in the Plex playlist "
            f"({time.monotonic() - started:.1f}s)"
        )
        if record.error:
            result.problems.append(f"sync error: {record.error}")
        # Every track of this playlist is shared in the sandbox: all must arrive.
        if record.wishlisted or record.failed:
            result.problems.append(
                f"{record.wishlisted + record.failed} missing tracks were not downloaded"
            )
        if record.state is not RunState.COMPLETED:
            result.problems.append(f"sync ended {record.state.value}")
        await _check(services, run_id, result)
        await _link_download(
            services, sandbox.catalogue.tracks[SMOKE_LINK_TRACK].spotify_id, result
        )
    finally:
        await services.aclose()
    result.spotify_requests = sandbox.spotify.api_requests
    result.slskd_searches = sandbox.slskd.counters.searches_posted
    return result


def _audio_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and p.suffix.lower()[1:] in AUDIO_EXTENSIONS]


async def _check(services: AppServices, run_id: str, result: SmokeResult) -> None:
    """Verify the outcome from the outside: jobs, files on disk, Plex playlist order."""
    downloads = services.downloads
    if downloads is not None:
        completed = [j for j in downloads.history(limit=1000) if j.state is JobState.COMPLETED]
        result.downloaded = len(completed)
    transfer = Path(result.transfer_dir)
    files = await asyncio.to_thread(_audio_files, transfer)
    result.organized = len(files)
    for path in sorted(files)[:5]:
        result.lines.append(f"  filed {path.relative_to(transfer)}")
    if len(files) > 5:
        result.lines.append(f"  … and {len(files) - 5} more")

    status = services.sync.status(run_id)
    run = status["run"]
    expected = [t["library_id"] for t in status["tracks"] if t.get("library_id")]
    server = services.media_server
    playlist_id = run.get("server_playlist_id")
    if server is None or not playlist_id:
        result.playlist_synced = False
        result.problems.append("no media-server playlist was created")
        return
    remote = await server.get_playlist(str(playlist_id))
    actual = list(remote.item_ids) if remote is not None else []
    result.playlist_synced = bool(expected) and actual == expected
    if not result.playlist_synced:
        result.problems.append(
            f"the Plex playlist holds {len(actual)} items, expected {len(expected)} in source order"
        )
    for item in status["left_out"]:
        result.lines.append(
            f"  left out: {item.get('artist')} - {item.get('title')} ({item.get('reason') or item.get('status')})"
        )


async def _link_download(services: AppServices, spotify_id: str, result: SmokeResult) -> None:
    """Paste a Spotify track link that only the video site can serve; count what arrived."""
    downloads = services.downloads
    if downloads is None:
        result.problems.append("no download queue for the link download")
        return
    resolver = services.link_resolver()
    try:
        resolved = await resolver.resolve(f"https://open.spotify.com/track/{spotify_id}?si=smoke")
    finally:
        await resolver.aclose()
    batch, _ids = await resolver.enqueue(downloads, resolved, sources=SMOKE_CHAIN)
    jobs = await downloads.wait_batch(batch, within_s=120)
    done = [j for j in jobs if j.state is JobState.COMPLETED]
    result.link_downloads = len(done)
    result.youtube_downloaded = sum(1 for j in done if j.extra.get("video"))
    for job in jobs:
        where = job.destination or job.error or job.state.value
        tried = ", ".join(t["source"] for t in job.extra.get("tried_sources") or [])
        result.lines.append(f"link: {job.title} -> {where} (tried: {tried or 'none'})")
    if not result.link_downloads or not result.youtube_downloaded:
        result.problems.append("the link download did not arrive through YouTube")
