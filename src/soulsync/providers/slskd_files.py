"""Where slskd put a finished download, found by rule, never by guessing.

slskd 0.22-0.25 (and 0.26 with its default template) saves a download at
``<downloads>/<last remote folder>/<file name>``, with characters it cannot
write replaced by ``_`` (.NET's invalid-character list: ``/`` and NUL on
Linux, also ``<>:"|?*`` and control characters on Windows), and as
``<stem>_<UtcNow.Ticks><ext>`` when that name is already taken.

:func:`locate_download` looks exactly there - the raw and the sanitised
spelling of those two parts, each with and without a ``_<ticks>`` suffix -
and picks the newest match. It never searches the downloads folder loosely,
because a fuzzy search could hand the pipeline somebody else's file.

A remote name is hostile input: :func:`slskd_relative_path` refuses any name
whose local form could leave the downloads folder or is not a plain file
name (``..``, absolute paths, drive letters, reserved device names, empty
parts, NUL). The final relative path is also checked with
:func:`soulsync.library.layout.check_relative`, and the resolved file must lie
inside the downloads folder (so a symlinked folder cannot lead out).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from soulsync.library.layout import UnsafePathError, check_relative

_WINDOWS_INVALID = re.compile(r'[<>:"|?*\x00-\x1f]')
_RESERVED = re.compile(r"^(CON|PRN|AUX|NUL|COM[1-9]|LPT[1-9])(\..*)?$", re.IGNORECASE)
_DRIVE = re.compile(r"^[A-Za-z]:")
_TICKS_DIGITS = r"\d{15,19}"  # DateTime.UtcNow.Ticks is 18 digits today


class UnsafeRemoteName(UnsafePathError):
    """A remote file name whose local form could escape the downloads folder."""


@dataclass(frozen=True, slots=True)
class LocalName:
    """The local ``folder/name`` slskd derives from a remote path (folder may be empty)."""

    folder: str
    name: str

    @property
    def relative(self) -> PurePosixPath:
        """As a relative path (checked to stay inside its root)."""
        return check_relative(f"{self.folder}/{self.name}" if self.folder else self.name)


def _refuse(remote: str, why: str) -> UnsafeRemoteName:
    return UnsafeRemoteName(f"refusing remote file name {remote!r}: {why}")


def slskd_relative_path(remote_filename: str) -> LocalName:
    """The raw ``<last remote folder>/<file name>`` slskd uses, after safety checks.

    Raises:
        UnsafeRemoteName: the name is absolute, has a drive letter, a ``..``
            or empty part, a NUL, or a reserved device name as file or folder.
    """
    remote = remote_filename
    if not remote or not remote.strip():
        raise _refuse(remote, "it is empty")
    if "\x00" in remote:
        raise _refuse(remote, "it contains a NUL character")
    if remote.startswith(("/", "\\")):
        raise _refuse(remote, "it is an absolute path")
    if _DRIVE.match(remote):
        raise _refuse(remote, "it starts with a drive letter")
    parts = re.split(r"[\\/]", remote)
    if any(p in (".", "..") for p in parts):
        raise _refuse(remote, "it contains a '.' or '..' part")
    tail = parts[-2:] if len(parts) > 1 else parts
    if any(not p.strip() for p in tail):
        raise _refuse(remote, "its folder or file name is empty")
    for part in tail:
        if _RESERVED.match(part.strip()):
            raise _refuse(remote, f"{part!r} is a reserved device name")
    folder, name = (tail[0], tail[1]) if len(tail) == 2 else ("", tail[0])
    local = LocalName(folder, name)
    local.relative  # noqa: B018 - the layout check raises if anything slipped through
    return local


def sanitized(local: LocalName) -> LocalName:
    """The same name with Windows-invalid characters replaced by ``_`` (slskd on Windows)."""
    return LocalName(_WINDOWS_INVALID.sub("_", local.folder), _WINDOWS_INVALID.sub("_", local.name))


def candidate_names(remote_filename: str) -> list[LocalName]:
    """The spellings slskd may have used for this remote file (raw first)."""
    raw = slskd_relative_path(remote_filename)
    clean = sanitized(raw)
    return [raw] if clean == raw else [raw, clean]


def _inside(path: Path, root: Path) -> bool:
    try:
        return path.resolve().is_relative_to(root.resolve())
    except OSError:
        return False


def matching_files(downloads_dir: Path, local: LocalName) -> list[Path]:
    """Existing files named exactly ``name`` or ``<stem>_<ticks><ext>`` in ``folder``."""
    folder = downloads_dir / local.folder if local.folder else downloads_dir
    if not folder.is_dir() or not _inside(folder, downloads_dir):
        return []
    stem, ext = os.path.splitext(local.name)
    pattern = re.compile(rf"{re.escape(stem)}(?:_{_TICKS_DIGITS})?{re.escape(ext)}")
    found = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if pattern.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
                found.append(Path(entry.path))
    return found


def _ticks_of(path: Path, local: LocalName) -> int:
    stem, ext = os.path.splitext(local.name)
    suffix = path.name[len(stem) : len(path.name) - len(ext)]
    return int(suffix[1:]) if suffix.startswith("_") else 0


def locate_download(
    downloads_dir: Path, remote_filename: str, *, not_before: float | None = None
) -> Path | None:
    """The newest file slskd wrote for ``remote_filename``, or None if there is none.

    ``not_before`` (epoch seconds) ignores files last modified before it,
    e.g. an older download of the same name. Raises :class:`UnsafeRemoteName`
    for hostile names.
    """
    best: tuple[float, int, Path] | None = None
    for local in candidate_names(remote_filename):
        for path in matching_files(downloads_dir, local):
            if not _inside(path, downloads_dir):
                continue
            mtime = path.stat().st_mtime
            if not_before is not None and mtime < not_before:
                continue
            key = (mtime, _ticks_of(path, local), path)
            if best is None or key[:2] > best[:2]:
                best = key
    return best[2] if best else None
