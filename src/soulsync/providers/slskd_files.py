r"""Where slskd put a finished download, found by rule, never by guessing.

Two layouts, chosen by slskd's version (:class:`SlskdLayout`):

* **0.22-0.25** save a download at ``<downloads>/<last remote folder>/<file
  name>`` (``ToLocalRelativeFilename`` in ``Common/CommonExtensions.cs`` of
  slskd 0.25.1), so ``@@abcde\f.flac`` lands in ``<downloads>/@@abcde/``;
* **0.26+** derive the folder from the ``transfers.download.destination.subdirectory``
  template (default ``${SOURCE_DIRECTORY}``; ``{}`` = the downloads root) after
  stripping the path's root - a drive (``C:\``), a UNC server, or a SoulseekQt
  share prefix of five or more letters/digits (``@@abcde``) - so that same
  file lands at ``<downloads>/f.flac`` (``DownloadService.DeriveDestination`` and
  ``Common/FileSafety.cs`` in https://github.com/slskd/slskd, 0.26.0).

Characters slskd cannot write are replaced by ``_`` (.NET's invalid-character
list: ``/`` and NUL on Linux, also ``<>:"|?*`` and control characters on
Windows), and a name already taken becomes ``<stem>_<UtcNow.Ticks><ext>``
(``Files/FileService.MoveFile``).

:func:`locate_download` looks exactly there - the raw and the sanitised
spelling of those two parts, each with and without a ``_<ticks>`` suffix -
and picks the newest match. It never searches the downloads folder loosely,
because a fuzzy search could hand the pipeline somebody else's file.

A remote name is hostile input: :func:`slskd_relative_path` refuses any name
whose local form could leave the downloads folder or is not a plain file
name (``..``, absolute and drive-relative paths, reserved device names, empty
parts, NUL). A Windows drive path such as ``C:\Music\x.flac`` is what old
Windows clients share and is accepted. The final relative path is also checked with
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
_DRIVE_RELATIVE = re.compile(r"^[A-Za-z]:(?![\\/])")  # "c:x.flac": no Windows client shares that
# FileSafety.StripPathRoot's three roots (slskd 0.26).
_DRIVE_ROOT = re.compile(r"^[A-Za-z]:[/\\]?")
_UNC_ROOT = re.compile(r"^[/\\]{2}[^/\\]+[/\\]?")
_QT_ROOT = re.compile(r"^@@[A-Za-z0-9]{5,}[/\\]?")
_TOKEN = re.compile(r"\$\{([^{}]*)\}")
DEFAULT_SUBDIRECTORY = "${SOURCE_DIRECTORY}"
_TICKS_DIGITS = r"\d{15,19}"  # DateTime.UtcNow.Ticks is 18 digits today


class UnsafeRemoteName(UnsafePathError):
    """A remote file name whose local form could escape the downloads folder."""


@dataclass(frozen=True, slots=True)
class SlskdLayout:
    """How an slskd instance lays out finished downloads.

    ``version`` is slskd's semantic version (None: unknown, treated as the
    0.22-0.25 layout); ``subdirectory`` is its
    ``transfers.download.destination.subdirectory`` option (0.26+ only).
    """

    version: tuple[int, int, int] | None = None
    subdirectory: str = DEFAULT_SUBDIRECTORY

    @property
    def templated(self) -> bool:
        """True for slskd 0.26 and later (template-derived folders, roots stripped)."""
        return self.version is not None and self.version >= (0, 26, 0)

    @staticmethod
    def parse_version(text: str) -> tuple[int, int, int] | None:
        """``"0.26.0"`` / ``"0.24.1.65534-abc"`` → ``(0, 26, 0)``; None if unreadable."""
        found = re.match(r"^\s*v?(\d+)\.(\d+)(?:\.(\d+))?", text)
        if found is None:
            return None
        return int(found.group(1)), int(found.group(2)), int(found.group(3) or 0)


LEGACY_LAYOUT = SlskdLayout()


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


def _check_remote(remote: str) -> list[str]:
    """Refusals common to both layouts; returns the path's parts."""
    if not remote or not remote.strip():
        raise _refuse(remote, "it is empty")
    if "\x00" in remote:
        raise _refuse(remote, "it contains a NUL character")
    if remote.startswith(("/", "\\")):
        raise _refuse(remote, "it is an absolute path")
    if _DRIVE_RELATIVE.match(remote):
        raise _refuse(remote, "it is a drive-relative path")
    parts = re.split(r"[\\/]", remote)
    if any(p in (".", "..") for p in parts):
        raise _refuse(remote, "it contains a '.' or '..' part")
    return parts


def _check_parts(remote: str, parts: list[str]) -> None:
    if any(not p.strip() for p in parts):
        raise _refuse(remote, "its folder or file name is empty")
    for part in parts:
        for piece in part.split("/"):
            if _RESERVED.match(piece.strip()):
                raise _refuse(remote, f"{piece!r} is a reserved device name")


def _strip_root(path: str) -> str:
    """slskd 0.26's ``FileSafety.StripPathRoot``: drive, UNC server, ``@@xxxxx`` prefix."""
    path = _DRIVE_ROOT.sub("", path, count=1)
    path = _UNC_ROOT.sub("", path, count=1)
    return _QT_ROOT.sub("", path, count=1)


def _safe_segment(segment: str) -> str:
    """``FileSafety.SanitizePathSegment`` on Linux: ``.``/``..`` become ``_``."""
    return "_" if segment in (".", "..") else segment.replace("\x00", "_")


def _templated_folder(remote: str, username: str, subdirectory: str) -> str:
    """The 0.26 destination folder for ``remote`` (``DownloadService.DeriveDestination``)."""
    if subdirectory.strip().lower() == "{}":
        return ""
    segments = [p for p in re.split(r"[\\/]", _strip_root(remote)) if p]
    source_path = "/".join(_safe_segment(p) for p in segments[:-1])
    source_directory = segments[-2] if len(segments) > 1 else ""
    values = {
        "SOURCE_USERNAME": username.replace("/", "_").replace("\\", "_").replace("\x00", "_"),
        "SOURCE_PATH": source_path,
        "SOURCE_DIRECTORY": _safe_segment(source_directory) if source_directory else "",
        # Our downloads use the plain enqueue endpoint: no batch, no search linked.
        "BATCH_ID": "unknown_batch_id",
        "BATCH_EXTERNAL_ID": "unknown_batch_external_id",
        "SEARCH_ID": "unknown_search_id",
        "SEARCH_TEXT": "unknown_search_text",
    }
    filled = _TOKEN.sub(lambda m: values.get(m.group(1).upper(), m.group(0)), subdirectory)
    return "/".join(_safe_segment(p) for p in re.split(r"[\\/]", filled) if p)


def slskd_relative_path(
    remote_filename: str, layout: SlskdLayout = LEGACY_LAYOUT, username: str = ""
) -> LocalName:
    """The raw local ``folder/name`` slskd uses for ``remote_filename``, after safety checks.

    ``layout`` picks the 0.22-0.25 rule or the 0.26 template (``username``
    fills ``${SOURCE_USERNAME}``).

    Raises:
        UnsafeRemoteName: the name is absolute or drive-relative, has a ``..``
            or empty part, a NUL, or a reserved device name as file or folder.
    """
    remote = remote_filename
    parts = _check_remote(remote)
    if layout.templated:
        segments = [p for p in re.split(r"[\\/]", _strip_root(remote)) if p]
        if not segments or remote.endswith(("/", "\\")):
            raise _refuse(remote, "its file name is empty")
        folder = _templated_folder(remote, username, layout.subdirectory)
        name = segments[-1]
        _check_parts(remote, [p for p in (folder, name) if p] or [name])
    else:
        tail = parts[-2:] if len(parts) > 1 else parts
        _check_parts(remote, tail)
        folder, name = (tail[0], tail[1]) if len(tail) == 2 else ("", tail[0])
    local = LocalName(folder, name)
    local.relative  # noqa: B018 - the layout check raises if anything slipped through
    return local


def sanitized(local: LocalName) -> LocalName:
    """The same name with Windows-invalid characters replaced by ``_`` (slskd on Windows)."""
    return LocalName(_WINDOWS_INVALID.sub("_", local.folder), _WINDOWS_INVALID.sub("_", local.name))


def candidate_names(
    remote_filename: str, layout: SlskdLayout = LEGACY_LAYOUT, username: str = ""
) -> list[LocalName]:
    """The spellings slskd may have used for this remote file (raw first)."""
    raw = slskd_relative_path(remote_filename, layout, username)
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
    downloads_dir: Path,
    remote_filename: str,
    *,
    not_before: float | None = None,
    layout: SlskdLayout = LEGACY_LAYOUT,
    username: str = "",
) -> Path | None:
    """The newest file slskd wrote for ``remote_filename``, or None if there is none.

    ``not_before`` (epoch seconds) ignores files last modified before it,
    e.g. an older download of the same name. Raises :class:`UnsafeRemoteName`
    for hostile names.
    """
    best: tuple[float, int, Path] | None = None
    for local in candidate_names(remote_filename, layout, username):
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
