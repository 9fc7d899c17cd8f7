"""Which playlist files the web pages and the API may read: uploads and ``sync.playlists_dir``.

The CLI syncs ``file:<any path>`` because its user can read that file anyway.
Through the web the caller is whoever holds a session or an API key, and the
server would read the file with its own rights, so a ``file:`` reference there
must point inside one of two folders:

* ``sync.playlists_dir`` (if configured), and
* the upload folder ``<data_dir>/playlist-uploads``, where
  :func:`save_upload` keeps files sent with ``POST /playlists/upload`` or
  ``POST /api/v1/playlists/upload`` after parsing them in memory.

Paths are compared after resolving symbolic links, so a link inside the
folder that points elsewhere is refused too. Messages never repeat the path or
the file's content.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from soulsync.config import Settings
from soulsync.domain import Source
from soulsync.providers.playlist_files import ImportResult, read_playlist_bytes, too_large
from soulsync.services.sync.models import PlaylistRef, PlaylistRefError

UPLOADS_DIRNAME = "playlist-uploads"
# An Exportify CSV of a 3,000-track playlist is about 1 MB.
UPLOAD_SUFFIXES = (".csv", ".m3u", ".m3u8", ".txt")
_UNSAFE = re.compile(r"[^\w .()-]+")


class RefNotAllowed(ValueError):
    """A ``file:`` reference outside the folders the web may read; the message says why."""


def uploads_dir(settings: Settings) -> Path:
    """Where uploaded playlist files are kept."""
    return settings.paths.data_dir / UPLOADS_DIRNAME


def allowed_roots(settings: Settings) -> list[Path]:
    """The folders whose files a ``file:`` reference from the web may name."""
    roots = [uploads_dir(settings)]
    if settings.sync.playlists_dir is not None:
        roots.append(settings.sync.playlists_dir)
    return roots


def check_web_ref(ref: str, settings: Settings) -> str:
    """``ref`` unchanged, or for ``file:`` refs the resolved path inside an allowed folder.

    Raises:
        RefNotAllowed: a ``file:`` path outside the allowed folders.
    """
    try:
        parsed = PlaylistRef.parse(ref)
    except PlaylistRefError:
        return ref  # the sync service gives the proper message
    if parsed.source is not Source.FILE or parsed.playlist_id is None:
        return ref
    path = Path(parsed.playlist_id).expanduser()
    if not path.is_absolute():
        base = settings.sync.playlists_dir
        if base is None:
            raise RefNotAllowed(_refusal(settings))
        path = base / path
    real = Path(os.path.realpath(path))
    for root in allowed_roots(settings):
        real_root = Path(os.path.realpath(root))
        if real != real_root and real.is_relative_to(real_root):
            return f"file:{real}"
    raise RefNotAllowed(_refusal(settings))


def _refusal(settings: Settings) -> str:
    where = (
        "inside sync.playlists_dir"
        if settings.sync.playlists_dir is not None
        else "inside sync.playlists_dir (not configured)"
    )
    return f"file playlists from the web must be uploaded (POST /playlists/upload) or lie {where}"


def upload_limit_bytes(settings: Settings) -> int:
    """The largest playlist file accepted, uploaded or read: ``[sync] max_playlist_file_mb``."""
    return round(settings.sync.max_playlist_file_mb * 1_000_000)


def save_upload(settings: Settings, filename: str, raw: bytes) -> tuple[str, ImportResult]:
    """Parse an uploaded playlist in memory, keep it in the upload folder; ``(file:ref, result)``.

    Raises:
        ValueError: too large, a name without a playlist extension, or nothing usable
            in it (``PlaylistFileError`` is a ValueError).
    """
    name = Path(filename.replace("\\", "/")).name
    if len(raw) > upload_limit_bytes(settings):
        raise too_large(name, len(raw), upload_limit_bytes(settings))
    stem, suffix = os.path.splitext(name)
    if suffix.lower() not in UPLOAD_SUFFIXES:
        raise ValueError(f"upload a playlist file ({', '.join(UPLOAD_SUFFIXES)})")
    safe_stem = _UNSAFE.sub("_", stem).strip(" .")[:80] or "playlist"
    result = read_playlist_bytes(
        raw, safe_stem + suffix.lower(), max_bytes=upload_limit_bytes(settings)
    )
    # One folder per content hash: the same upload twice is the same playlist.
    folder = uploads_dir(settings) / hashlib.sha256(raw).hexdigest()[:16]
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = folder / (safe_stem + suffix.lower())
    if not target.exists():
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw)
    return f"file:{target}", result
