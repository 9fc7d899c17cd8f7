"""A plain folder of music files as a :class:`~soulsync.providers.base.MediaServer`.

The embedded default when no media server is configured. A scan walks the
folder with mutagen and keeps one row per file in the store's
``library_tracks`` table; a rescan re-reads only files whose mtime or size
changed and drops rows whose files are gone. Files that cannot be read are
reported (counted and logged), never fatal. Playlists are ``.m3u8`` files
with paths relative to the playlist, in order, in a playlists folder inside
the library (so nothing is written outside the configured folder); a
playlist's id is its file name.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from soulsync.domain import LibraryTrack
from soulsync.library.folder_checks import check_folder
from soulsync.providers.base import ConnectionStatus, NotFound, ProviderError, RemotePlaylist
from soulsync.providers.folder_scan import UnreadableFile, iter_audio_files, read_audio_file
from soulsync.store import Store
from soulsync.store import schema as tables

log = logging.getLogger(__name__)

SERVICE = "folder"
PLAYLIST_SUFFIXES = (".m3u8", ".m3u")
_BATCH = 500  # rows per write transaction during a scan
_MAX_LOGGED_BROKEN = 20
_UNSAFE_NAME = str.maketrans({c: "_" for c in '\\/:*?"<>|'} | {chr(c): "_" for c in range(32)})


@dataclass(frozen=True, slots=True)
class ScanReport:
    """What a (re)scan did. ``read`` counts files whose tags were (re)read."""

    seen: int = 0
    read: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    broken: tuple[tuple[str, str], ...] = ()  # (path, reason)
    seconds: float = 0.0

    def summary(self) -> str:
        """One line for logs and the CLI."""
        return (
            f"{self.seen} files: {self.added} added, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.removed} removed, "
            f"{len(self.broken)} unreadable ({self.seconds:.1f} s)"
        )


@dataclass(frozen=True, slots=True)
class LibraryStats:
    """Counts for ``soulsync library stats``."""

    tracks: int
    artists: int
    albums: int
    duration_ms: int
    formats: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class _Tally:
    seen: int = 0
    read: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    broken: list[tuple[str, str]] = field(default_factory=list)


class FolderLibrary:
    """A music folder indexed in SQLite, with ``.m3u8`` playlists."""

    name = SERVICE

    def __init__(
        self, root: Path, store: Store, *, playlists_dir: str | Path = "Playlists"
    ) -> None:
        self.root = Path(root).expanduser().resolve()
        self.store = store
        playlists = Path(playlists_dir)
        self.playlists_dir = (
            playlists if playlists.is_absolute() else self.root / playlists
        ).resolve()
        if not _is_within(self.playlists_dir, self.root):
            raise ValueError(
                f"the playlists folder {self.playlists_dir} must be inside the library folder {self.root}"
            )
        self.last_report: ScanReport | None = None
        # One scan at a time: two overlapping scans would race on the same rows.
        self._scan_lock = threading.Lock()

    @classmethod
    def from_settings(cls, store: Store, settings: Any) -> FolderLibrary:
        """Build from the whole configuration (``folder_library.path``)."""
        path = settings.folder_library.path
        if path is None:
            raise ValueError("folder_library.path is not set")
        return cls(Path(path), store, playlists_dir=settings.folder_library.playlists_dir)

    # -- MediaServer protocol ----------------------------------------------------------

    async def test_connection(self) -> ConnectionStatus:
        """The folder exists and is readable, and the playlists folder can be written."""
        return await asyncio.to_thread(self._test_connection)

    async def all_tracks(self) -> list[LibraryTrack]:
        """Every track found by the last scan (from the store; no disk access)."""
        return await asyncio.to_thread(self.all_tracks_sync)

    async def rescan(self, path: str | None = None) -> ScanReport:
        """Scan the folder (or one sub-folder) incrementally and return what changed."""
        return await asyncio.to_thread(self.rescan_sync, path)

    async def scan(
        self, path: str | None = None, wait: bool = True, *, expect: Sequence[str] = ()
    ) -> None:
        """The protocol's scan: a rescan (always waited for; it runs here, not on a server)."""
        await self.rescan(path)

    async def library_version(self) -> str | None:
        """The number of directories and the sum of their mtimes (adding or removing a file moves it)."""
        return await asyncio.to_thread(_tree_version, self.root)

    async def stats(self) -> LibraryStats:
        """Track, artist and album counts, total duration and formats."""
        return await asyncio.to_thread(self.stats_sync)

    async def list_playlists(self) -> list[RemotePlaylist]:
        """The ``.m3u8``/``.m3u`` files in the playlists folder, with their items."""
        return await asyncio.to_thread(self._list_playlists)

    async def get_playlist(self, playlist_id: str) -> RemotePlaylist | None:
        """A playlist by file name, or None if there is no such file."""
        return await asyncio.to_thread(self._get_playlist, playlist_id)

    async def create_playlist(
        self, title: str, track_ids: list[str], *, summary: str | None = None
    ) -> RemotePlaylist:
        """Write a new ``<title>.m3u8`` holding ``track_ids`` (file paths) in order.

        ``summary`` is not stored: a playlist file is found again by its name.
        """
        return await asyncio.to_thread(self._create_playlist, title, list(track_ids))

    async def replace_playlist_items(
        self, playlist_id: str, track_ids: list[str]
    ) -> RemotePlaylist:
        """Rewrite the playlist file with exactly ``track_ids`` in order (read back to verify)."""
        return await asyncio.to_thread(self._replace_items, playlist_id, list(track_ids))

    async def delete_playlist(self, playlist_id: str) -> bool:
        """Delete a playlist file; False if it did not exist."""
        return await asyncio.to_thread(self._delete_playlist, playlist_id)

    # -- scanning (blocking) -------------------------------------------------------------

    def rescan_sync(self, path: str | None = None) -> ScanReport:
        """Blocking :meth:`rescan` (scans are serialised)."""
        with self._scan_lock:
            return self._rescan(path)

    def _rescan(self, path: str | None) -> ScanReport:
        started = time.monotonic()
        scope = self._scope(path)
        if not self.root.is_dir():
            raise NotFound(SERVICE, f"the library folder {self.root} does not exist")
        # A sub-folder that is gone is scanned as empty: its tracks leave the index.
        known = self._known_files(scope)
        tally = _Tally()
        pending: list[dict[str, Any]] = []
        seen: set[str] = set()
        for file in iter_audio_files(scope, skip_dirs=(self.playlists_dir,)):
            name = str(file)
            seen.add(name)
            tally.seen += 1
            row = self._scan_file(file, known.get(name), tally)
            if row is not None:
                pending.append(row)
            if len(pending) >= _BATCH:
                self._upsert(pending)
                pending = []
        self._upsert(pending)
        # Files that vanished, and files that turned unreadable, leave the index.
        gone = [p for p in known if p not in seen or p in {b[0] for b in tally.broken}]
        self._delete(gone)
        report = ScanReport(
            seen=tally.seen,
            read=tally.read,
            added=tally.added,
            updated=tally.updated,
            unchanged=tally.unchanged,
            removed=len([p for p in gone if p not in seen]),
            broken=tuple(tally.broken),
            seconds=time.monotonic() - started,
        )
        self._log_report(report)
        self.last_report = report
        return report

    def _scope(self, path: str | None) -> Path:
        if path is None:
            return self.root
        candidate = Path(path).expanduser()
        candidate = (candidate if candidate.is_absolute() else self.root / candidate).resolve()
        if not _is_within(candidate, self.root):
            raise NotFound(SERVICE, f"{path} is not inside the library folder {self.root}")
        return candidate

    def _known_files(self, scope: Path) -> dict[str, tuple[float, int]]:
        table = tables.library_tracks
        query = sa.select(table.c.path, table.c.mtime, table.c.size)
        if scope != self.root:
            prefix = str(scope) + os.sep
            query = query.where(table.c.path.startswith(prefix, autoescape=True))
        with self.store.read() as conn:
            return {r.path: (r.mtime, r.size) for r in conn.execute(query)}

    def _scan_file(
        self, file: Path, known: tuple[float, int] | None, tally: _Tally
    ) -> dict[str, Any] | None:
        name = str(file)
        try:
            stat = file.stat()
        except OSError as exc:
            tally.broken.append((name, exc.strerror or str(exc)))
            return None
        if known is not None and known == (stat.st_mtime, stat.st_size):
            tally.unchanged += 1
            return None
        tally.read += 1
        try:
            tags = read_audio_file(file)
        except UnreadableFile as exc:
            tally.broken.append((name, exc.reason))
            return None
        if known is None:
            tally.added += 1
        else:
            tally.updated += 1
        album_artist = tags.album_artist
        return {
            "path": name,
            "title": tags.title or file.stem,
            "artist": tags.artist or album_artist or "",
            "album": tags.album,
            "album_artist": album_artist,
            "track_number": tags.track_number,
            "disc_number": tags.disc_number,
            "duration_ms": tags.duration_ms,
            "isrc": tags.isrc,
            "year": tags.year,
            "mtime": stat.st_mtime,
            "size": stat.st_size,
        }

    def _upsert(self, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        table = tables.library_tracks
        statement = sqlite_insert(table)
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.path],
            set_={c.name: statement.excluded[c.name] for c in table.columns if c.name != "path"},
        )
        with self.store.write() as conn:
            conn.execute(statement, rows)

    def _delete(self, paths: list[str]) -> None:
        table = tables.library_tracks
        for start in range(0, len(paths), _BATCH):
            chunk = paths[start : start + _BATCH]
            with self.store.write() as conn:
                conn.execute(sa.delete(table).where(table.c.path.in_(chunk)))

    def _log_report(self, report: ScanReport) -> None:
        log.info("folder library %s: %s", self.root, report.summary())
        for path, reason in report.broken[:_MAX_LOGGED_BROKEN]:
            log.warning("unreadable file skipped: %s (%s)", path, reason)
        if len(report.broken) > _MAX_LOGGED_BROKEN:
            log.warning("… and %d more unreadable files", len(report.broken) - _MAX_LOGGED_BROKEN)

    # -- reading the index -----------------------------------------------------------------

    def all_tracks_sync(self) -> list[LibraryTrack]:
        """Blocking :meth:`all_tracks`."""
        table = tables.library_tracks
        with self.store.read() as conn:
            rows = conn.execute(sa.select(table).order_by(table.c.path)).all()
        return [
            LibraryTrack(
                id=r.path,
                title=r.title,
                artist=r.artist,
                album=r.album,
                album_artist=r.album_artist,
                track_number=r.track_number,
                disc_number=r.disc_number,
                duration_ms=r.duration_ms,
                path=r.path,
                isrc=r.isrc,
                year=r.year,
            )
            for r in rows
            if _is_within(Path(r.path), self.root)
        ]

    def stats_sync(self) -> LibraryStats:
        """Blocking :meth:`stats`."""
        return library_stats(self.all_tracks_sync())

    def _test_connection(self) -> ConnectionStatus:
        if not self.root.is_dir():
            return ConnectionStatus(
                SERVICE, False, f"the library folder {self.root} does not exist"
            )
        if not os.access(self.root, os.R_OK | os.X_OK):
            return ConnectionStatus(
                SERVICE, False, f"the library folder {self.root} is not readable"
            )
        # A real write (os.access says "yes" to root even where nothing can be created).
        problem = check_folder(self.playlists_dir, "the playlists folder")
        if problem is not None:
            return ConnectionStatus(SERVICE, False, f"cannot write playlists: {problem}")
        count = len(self.all_tracks_sync())
        return ConnectionStatus(SERVICE, True, f"{self.root} ({count} tracks indexed)")

    # -- playlists (blocking) ----------------------------------------------------------------

    def _playlist_path(self, playlist_id: str) -> Path:
        """The file of ``playlist_id``; the id is a bare file name, never a path."""
        name = str(playlist_id)
        if (
            not name
            or name != Path(name).name
            or "/" in name
            or "\\" in name
            or name in (".", "..")
            or not name.lower().endswith(PLAYLIST_SUFFIXES)
        ):
            raise NotFound(SERVICE, f"{playlist_id!r} is not a playlist file name")
        return self.playlists_dir / name

    def _list_playlists(self) -> list[RemotePlaylist]:
        if not self.playlists_dir.is_dir():
            return []
        files = sorted(
            p
            for p in self.playlists_dir.iterdir()
            if p.is_file() and p.suffix.lower() in PLAYLIST_SUFFIXES
        )
        return [self._read_playlist(p) for p in files]

    def _get_playlist(self, playlist_id: str) -> RemotePlaylist | None:
        path = self._playlist_path(playlist_id)
        return self._read_playlist(path) if path.is_file() else None

    def _read_playlist(self, path: Path) -> RemotePlaylist:
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            # Old .m3u files are often Latin-1; reading them must not fail.
            text = raw.decode("latin-1")
        title = path.stem
        items: list[str] = []
        for line in text.splitlines():
            line = line.strip()
            if not line:
                continue
            if line.startswith("#"):
                if line.upper().startswith("#PLAYLIST:"):
                    title = line.split(":", 1)[1].strip() or title
                continue
            entry = Path(line.replace("\\", "/"))
            full = entry if entry.is_absolute() else path.parent / entry
            items.append(os.path.normpath(full))
        return RemotePlaylist(id=path.name, title=title, item_ids=tuple(items))

    def _entries(self, track_ids: Iterable[str]) -> list[tuple[Path, LibraryTrack | None]]:
        """Each id as a checked file path inside the library, with its index row if known."""
        known = {t.id: t for t in self.all_tracks_sync()}
        entries: list[tuple[Path, LibraryTrack | None]] = []
        problems: list[str] = []
        for track_id in track_ids:
            given = Path(track_id).expanduser()
            # Relative ids are taken as relative to the library folder.
            path = Path(os.path.normpath(given if given.is_absolute() else self.root / given))
            if not _is_within(path, self.root):
                problems.append(f"{track_id} is not inside the library folder")
            elif not path.is_file():
                problems.append(f"{track_id} does not exist")
            else:
                entries.append((path, known.get(str(path))))
        if problems:
            more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
            raise NotFound(SERVICE, "; ".join(problems[:3]) + more)
        return entries

    def _write_playlist(self, path: Path, title: str, track_ids: list[str]) -> RemotePlaylist:
        entries = self._entries(track_ids)
        lines = ["#EXTM3U", f"#PLAYLIST:{_one_line(title)}"]
        for file, track in entries:
            seconds = round(track.duration_ms / 1000) if track and track.duration_ms else -1
            label = f"{track.artist} - {track.title}" if track else file.stem
            lines.append(f"#EXTINF:{seconds},{_one_line(label)}")
            lines.append(Path(os.path.relpath(file, path.parent)).as_posix())
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
        os.replace(tmp, path)
        result = self._read_playlist(path)
        wanted = tuple(str(f) for f, _ in entries)
        if result.item_ids != wanted:
            raise ProviderError(
                SERVICE,
                f"playlist file {path} did not read back as written ({len(result.item_ids)} of {len(wanted)})",
            )
        return result

    def _create_playlist(self, title: str, track_ids: list[str]) -> RemotePlaylist:
        if not title.strip():
            raise ProviderError(SERVICE, "a playlist needs a title")
        return self._write_playlist(self._free_name(title), title.strip(), track_ids)

    def _free_name(self, title: str) -> Path:
        base = title.strip().translate(_UNSAFE_NAME).strip(". ") or "Playlist"
        base = base[:150]
        candidate = self.playlists_dir / f"{base}.m3u8"
        n = 2
        while candidate.exists():
            candidate = self.playlists_dir / f"{base} ({n}).m3u8"
            n += 1
        return candidate

    def _replace_items(self, playlist_id: str, track_ids: list[str]) -> RemotePlaylist:
        path = self._playlist_path(playlist_id)
        if not path.is_file():
            raise NotFound(SERVICE, f"there is no playlist {playlist_id!r} in {self.playlists_dir}")
        current = self._read_playlist(path)
        return self._write_playlist(path, current.title, track_ids)

    def _delete_playlist(self, playlist_id: str) -> bool:
        path = self._playlist_path(playlist_id)
        if not path.is_file():
            return False
        path.unlink()
        return True


def library_stats(tracks: Iterable[LibraryTrack]) -> LibraryStats:
    """Counts over any library's tracks (artists by album artist; formats by file extension)."""
    items = list(tracks)
    formats: dict[str, int] = {}
    for t in items:
        ext = Path(t.path).suffix.lower().lstrip(".") if t.path else ""
        formats[ext or "?"] = formats.get(ext or "?", 0) + 1
    owners = [(t.album_artist or t.artist).casefold() for t in items]
    return LibraryStats(
        tracks=len(items),
        artists=len(set(owners)),
        albums=len(
            {(o, (t.album or "").casefold()) for o, t in zip(owners, items, strict=True) if t.album}
        ),
        duration_ms=sum(t.duration_ms or 0 for t in items),
        formats=dict(sorted(formats.items(), key=lambda kv: (-kv[1], kv[0]))),
    )


def _is_within(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _tree_version(root: Path) -> str | None:
    """``"<directories>:<sum of their mtimes in ns>"``, None if the folder cannot be read."""
    count = total = 0
    pending = [str(root)]
    try:
        while pending:
            folder = pending.pop()
            count += 1
            total += os.stat(folder).st_mtime_ns
            with os.scandir(folder) as entries:
                pending.extend(e.path for e in entries if e.is_dir(follow_symlinks=False))
    except OSError:
        return None
    return f"{count}:{total}"
