"""Wiring: build every service once from the configuration.

The web app, ``soulsync serve``, ``soulsync demo`` and the CLI commands all
get the same objects from :func:`build_services`, so a workflow behaves the
same wherever it is started. Services that are not configured are ``None``
and say so through :meth:`AppServices.describe` rather than failing later.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
from dataclasses import dataclass, field
from typing import Any

from soulsync.config import Settings
from soulsync.domain import Source
from soulsync.library.folder_checks import check_folder
from soulsync.providers.base import ConnectionStatus, MediaServer, PlaylistSource, ProviderError
from soulsync.providers.deezer import DeezerClient
from soulsync.providers.metadata import MetadataService
from soulsync.providers.musicbrainz import MusicBrainzClient
from soulsync.providers.plex import PlexMediaServer
from soulsync.providers.slskd import SlskdClient
from soulsync.providers.slskd_ledger import SqliteSearchLedger
from soulsync.providers.spotify import SpotifyClient
from soulsync.providers.token_cipher import cipher_for
from soulsync.providers.youtube import VideoSource, YouTubeOptions, YtDlpSource
from soulsync.services.automation.notify import Notification, WebhookNotifier
from soulsync.services.automation.relay import SyncNotificationRelay
from soulsync.services.automation.scheduler import AutomationScheduler
from soulsync.services.automation.watchlist import WatchlistService
from soulsync.services.downloads.service import DownloadService
from soulsync.services.downloads.slskd_port import SlskdPort
from soulsync.services.events import EventBus
from soulsync.services.links import LinkResolver
from soulsync.services.outage import note_search_wait
from soulsync.services.release_types import ReleaseTypeService
from soulsync.services.sync.downloads import QueueDownloads
from soulsync.services.sync.models import SyncMode
from soulsync.services.sync.run import SyncOptions
from soulsync.services.sync.service import SyncService
from soulsync.store import Store

log = logging.getLogger(__name__)


@dataclass
class AppServices:
    """Everything a front end needs, built from one :class:`Settings`."""

    settings: Settings
    store: Store
    bus: EventBus
    metadata: MetadataService
    spotify: SpotifyClient | None
    deezer: DeezerClient | None
    slskd: SlskdClient | None
    media_server: MediaServer | None
    downloads: DownloadService | None
    sync: SyncService
    watchlist: WatchlistService | None = None
    automation: AutomationScheduler | None = None
    notifier: WebhookNotifier | None = None
    relay: SyncNotificationRelay | None = None
    notes: dict[str, str] = field(default_factory=dict)  # service -> why it is off
    video: VideoSource | None = None  # YouTube via yt-dlp, when enabled
    _started: bool = False
    _schedule: bool = True  # what start() was asked for (settings applied live keep it)
    # Parts replaced by settings applied live, closed once their work is done
    # (see soulsync.services.reconfigure).
    _retiring: set[asyncio.Task[None]] = field(default_factory=set)
    # One settings change at a time: two saves at once must not both hand the work over.
    _apply_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def start(self, *, schedule: bool = True) -> None:
        """Start the download workers and resume interrupted syncs."""
        if self._started:
            return
        problems = await asyncio.to_thread(_folder_problems, self.settings)
        if problems:
            # Said at once (log, activity feed, service notes), not after 20 failed jobs;
            # the app still starts so the user can fix the settings.
            message = "; ".join(problems)
            log.error("folders: %s", message)
            self.notes["folders"] = message
            await asyncio.to_thread(self.store.add_activity, "folders", f"At start-up: {message}")
        self._schedule = schedule
        if self.downloads is not None:
            await self.downloads.start()
        await self.start_without_queue()

    async def start_without_queue(self) -> None:
        """Start everything but the download workers (another process works the queue)."""
        await self.sync.start(schedule=self._schedule)
        if self._schedule and self.automation is not None and self.settings.automation.enabled:
            self.automation.start()
        if self.relay is not None:
            self.relay.start()
        self._started = True

    async def aclose(self) -> None:
        """Stop workers and close every HTTP client."""
        if self.automation is not None:
            await self.automation.stop()
        if self.relay is not None:
            await self.relay.stop()
        await self.sync.stop()
        if self.downloads is not None:
            await self.downloads.stop()
        await self.close_clients()
        # The work replaced parts were finishing was stopped above: their
        # retirement ends now (it closes their clients on the way out).
        retiring = list(self._retiring)
        for task in retiring:
            task.cancel()
        await asyncio.gather(*retiring, return_exceptions=True)
        self._started = False

    async def close_clients(self, *, detach_pacer: bool = True) -> None:
        """Close every HTTP client of these services (slskd, Spotify, Deezer, MusicBrainz, server).

        ``detach_pacer=False`` leaves slskd's process-wide search pacer wired to
        this database (a successor's slskd client uses the same pacer).
        """
        if self.slskd is not None and detach_pacer:
            ledger = self.slskd.pacer.ledger
            if isinstance(ledger, SqliteSearchLedger) and ledger.store is self.store:
                self.slskd.pacer.ledger = None  # the pacer may outlive this database
                self.slskd.pacer.on_wait = None
        for client in (self.slskd, self.spotify, self.deezer):
            if client is not None:
                await client.aclose()
        musicbrainz = getattr(self.metadata, "musicbrainz", None)
        if musicbrainz is not None:
            await musicbrainz.aclose()
        closer = getattr(self.media_server, "aclose", None)
        if closer is not None:
            await closer()

    def link_resolver(self) -> LinkResolver:
        """A resolver for pasted links, using these services (close it with ``aclose``)."""
        playlists: dict[Source, PlaylistSource] = {}
        if self.spotify is not None:
            playlists[Source.SPOTIFY] = self.spotify
        if self.deezer is not None:
            playlists[Source.DEEZER] = self.deezer
        return LinkResolver(
            self.metadata,
            playlists=playlists,
            video=self.video,
            match=self.settings.match_settings(),
            max_file_bytes=round(self.settings.sync.max_playlist_file_mb * 1_000_000),
        )

    async def test_connections(self) -> list[ConnectionStatus]:
        """One status per service, configured or not (never raises)."""
        results: list[ConnectionStatus] = []
        if self.slskd is not None:
            results.append(await self.slskd.test_connection())
        else:
            results.append(ConnectionStatus("slskd", False, self.notes.get("slskd", "not set up")))
        if self.media_server is not None:
            results.append(await self.media_server.test_connection())
        else:
            results.append(
                ConnectionStatus("library", False, self.notes.get("library", "not set up"))
            )
        results.append(await _spotify_status(self))
        results.append(await _deezer_status(self))
        results.append(await _youtube_status(self))
        results.append(await asyncio.to_thread(_folders_status, self.settings))
        return results


async def _spotify_status(services: AppServices) -> ConnectionStatus:
    if services.spotify is None:
        return ConnectionStatus("spotify", False, services.notes.get("spotify", "not set up"))
    usable, why = services.metadata.spotify_usable()
    if not usable:
        return ConnectionStatus("spotify", False, why or "not usable")
    try:
        me = await services.spotify.me()
    except Exception as exc:  # noqa: BLE001 - any failure is reported as the status line
        return ConnectionStatus("spotify", False, str(exc))
    return ConnectionStatus(
        "spotify", True, f"logged in as {me.get('display_name') or me.get('id')}"
    )


async def _youtube_status(services: AppServices) -> ConnectionStatus:
    if services.video is None:
        return ConnectionStatus("youtube", False, services.notes.get("youtube", "turned off"))
    try:
        detail = await services.video.check()
    except ProviderError as exc:
        return ConnectionStatus("youtube", False, exc.message)
    return ConnectionStatus("youtube", True, detail)


async def _deezer_status(services: AppServices) -> ConnectionStatus:
    if services.deezer is None:
        return ConnectionStatus("deezer", False, services.notes.get("deezer", "turned off"))
    try:
        found = await services.deezer.search_artists("daft punk", limit=1)
    except Exception as exc:  # noqa: BLE001 - any failure is reported as the status line
        return ConnectionStatus("deezer", False, str(exc))
    return ConnectionStatus("deezer", True, f"public API answers ({len(found)} result)")


def _folder_problems(settings: Settings) -> list[str]:
    """What is wrong with the folders SoulSync writes to (a real write in each)."""
    folders = (
        ("the Transfer folder", settings.transfer_dir),
        ("the downloads folder", settings.slskd_downloads_dir),
        ("the data folder", settings.paths.data_dir),
    )
    return [why for label, path in folders if (why := check_folder(path, label)) is not None]


def _folders_status(settings: Settings) -> ConnectionStatus:
    problems = _folder_problems(settings)
    if problems:
        return ConnectionStatus("folders", False, "; ".join(problems))
    return ConnectionStatus("folders", True, "Transfer, downloads and data folders are writable")


def _media_server(settings: Settings, store: Store, notes: dict[str, str]) -> MediaServer | None:
    chosen = settings.media_server_type
    server: MediaServer
    if chosen == "plex":
        return PlexMediaServer.from_settings(settings.plex)
    if chosen == "jellyfin":
        # Imported late, like the folder library: only the chosen server is loaded.
        jellyfin = importlib.import_module("soulsync.providers.jellyfin")
        server = jellyfin.JellyfinMediaServer.from_settings(settings.jellyfin)
        return server
    if chosen == "navidrome":
        subsonic = importlib.import_module("soulsync.providers.subsonic")
        server = subsonic.SubsonicMediaServer.from_settings(settings.navidrome)
        return server
    if chosen == "folder" and settings.folder_library.path is not None:
        # Imported late: the folder library pulls in mutagen scanning code.
        folder = importlib.import_module("soulsync.providers.folder")
        server = folder.FolderLibrary.from_settings(store, settings)
        return server
    notes["library"] = (
        "no media server configured (set [media_server] type and its section, "
        "[plex] url or [folder_library] path)"
    )
    return None


def build_services(settings: Settings, store: Store, **overrides: Any) -> AppServices:
    """Build (but do not start) every service the configuration asks for.

    ``overrides`` replace a built piece by name (tests and the demo use it to
    pass simulator-tuned objects, e.g. ``slskd=SlskdClient(..., poll_interval_s=0.05)``).
    """
    notes: dict[str, str] = {}
    bus: EventBus = overrides.get("bus") or EventBus()

    spotify = overrides.get("spotify")
    if spotify is None and settings.spotify.client_id:
        spotify = SpotifyClient.from_settings(store, settings.spotify, cipher=cipher_for(settings))
    elif spotify is None:
        notes["spotify"] = "no client id configured"
    deezer = overrides.get("deezer")
    if deezer is None and settings.deezer.enabled:
        deezer = DeezerClient.from_settings(store, settings.deezer)
    elif deezer is None:
        notes["deezer"] = "turned off in the configuration"
    # MusicBrainz: release types for matching (live albums without "live").
    musicbrainz = overrides.get("musicbrainz")
    if musicbrainz is None and settings.musicbrainz.enabled:
        musicbrainz = MusicBrainzClient(
            store,
            api_base=settings.musicbrainz.api_base,
            user_agent=settings.musicbrainz.user_agent,
        )
    metadata = overrides.get("metadata") or MetadataService(
        spotify=spotify, deezer=deezer, musicbrainz=musicbrainz
    )
    releases = ReleaseTypeService(store, metadata) if metadata.musicbrainz is not None else None

    slskd = overrides.get("slskd")
    if slskd is None and settings.slskd.api_key.get_secret_value():
        slskd = SlskdClient.from_settings(settings)
    elif slskd is None:
        notes["slskd"] = "no slskd API key configured"
    if slskd is not None and slskd.pacer.ledger is None:
        # The search budget is shared by every process on this database and
        # survives restarts (the Soulseek server counts per account, not per process).
        slskd.pacer.ledger = SqliteSearchLedger(store)

        def budget_wait(seconds: float) -> None:
            # A silent 3-minute stall otherwise: said in the run and the activity feed.
            bus.publish("search.budget", message=note_search_wait(store, seconds))

        slskd.pacer.on_wait = budget_wait

    media_server = overrides.get("media_server")
    if "media_server" not in overrides:
        media_server = _media_server(settings, store, notes)

    video = overrides.get("video")
    if video is None and settings.youtube.enabled:
        video = YtDlpSource(YouTubeOptions.from_settings(settings.youtube))
    elif video is None:
        notes["youtube"] = "turned off in the configuration"

    downloads = overrides.get("downloads")
    if downloads is None and slskd is not None:
        downloads = DownloadService(
            store,
            SlskdPort(slskd, search_timeout_ms=settings.slskd.search_timeout_ms),
            metadata,
            bus,
            settings,
            match=settings.match_settings(),
            video=video,
            releases=releases,
        )

    sources: dict[Source, PlaylistSource] = {}
    if spotify is not None:
        sources[Source.SPOTIFY] = spotify
    if deezer is not None:
        sources[Source.DEEZER] = deezer
    options = overrides.get("sync_options") or SyncOptions(
        match=settings.match_settings(),
        mode=SyncMode(settings.sync.mode),
        folder_library=settings.media_server_type == "folder",
        scan_path=str(settings.transfer_dir),
        wishlist_interval_s=settings.sync.schedule_hours * 3600,
        outages=settings.outages,
        max_playlist_bytes=round(settings.sync.max_playlist_file_mb * 1_000_000),
        fallback_folders=tuple(
            str(p) for p in (settings.transfer_dir, settings.folder_library.path) if p is not None
        ),
        write_folders=(
            ("the Transfer folder", str(settings.transfer_dir)),
            ("the downloads folder", str(settings.slskd_downloads_dir)),
        ),
    )
    sync = SyncService(
        store,
        sources=sources,
        media_server=media_server,
        downloads=QueueDownloads(downloads) if downloads is not None else None,
        bus=bus,
        options=options,
        releases=releases,
    )
    notifier = overrides.get("notifier") or WebhookNotifier.from_settings(settings.notifications)

    async def notify(note: Notification) -> None:
        if notifier is not None:
            await notifier.notify(note)

    auto = settings.automation
    watchlist = WatchlistService(
        store,
        metadata,
        sync.wishlist,
        downloads=sync.downloads,
        bus=bus,
        notify=notify,
        default_types=auto.watch_types,
        default_live=auto.watch_live,
        default_action=auto.watch_action,
    )
    # Sync notifications come from the relay (every run, manual or scheduled),
    # so the scheduler itself only records its runs in the activity feed.
    relay = SyncNotificationRelay(bus, sync.sync_store, notify) if notifier is not None else None
    automation = AutomationScheduler(
        store,
        sync,
        watchlist=watchlist,
        tick_s=auto.tick_s,
        jitter_s=auto.jitter_s,
        watch_interval_s=auto.watch_interval_hours * 3600,
    )
    return AppServices(
        settings=settings,
        store=store,
        bus=bus,
        metadata=metadata,
        spotify=spotify,
        deezer=deezer,
        slskd=slskd,
        media_server=media_server,
        downloads=downloads,
        sync=sync,
        watchlist=watchlist,
        automation=automation,
        notifier=notifier,
        relay=relay,
        notes=notes,
        video=video,
    )
