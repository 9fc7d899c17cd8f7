"""Checks on configured folders: SoulSync never files music into, or deletes from, system folders.

A settings form or a typo could point the download or library folder at ``/``
or ``/etc``; SoulSync writes, renames and cleans up files there, so such a
configuration is refused when it is loaded (and before the settings page
saves it). Refused: the root, the top-level system folders themselves, and
anything inside the ones that only the operating system should write
(the Filesystem Hierarchy Standard, https://refspecs.linuxfoundation.org/FHS_3.0/fhs/index.html).
"""

from __future__ import annotations

import os
from pathlib import Path

# These folders themselves (a subfolder such as /srv/music or /home/me/Music is fine).
_EXACT = frozenset(
    {
        "/",
        "/home",
        "/root",
        "/usr",
        "/usr/local",
        "/var",
        "/opt",
        "/srv",
        "/mnt",
        "/media",
        "/tmp",
        "/run",
        "/var/lib",
        "/var/tmp",
        "/Users",
        "/System",
        "/Library",
        "/Applications",
    }
)
# Nothing inside these.
_TREES = (
    "/etc",
    "/bin",
    "/sbin",
    "/lib",
    "/lib32",
    "/lib64",
    "/boot",
    "/dev",
    "/proc",
    "/sys",
    "/usr/bin",
    "/usr/sbin",
    "/usr/lib",
    "/usr/share",
    "/usr/include",
    "/var/log",
    "/var/run",
    "/System",
    "/private/etc",
)


def system_folder_problem(path: Path) -> str | None:
    """Why ``path`` may not be a SoulSync folder, or None if it may."""
    real = os.path.realpath(os.path.expanduser(str(path)))
    for candidate in {str(path), real}:
        clean = os.path.normpath(candidate) if candidate else candidate
        if clean in _EXACT:
            return f"{clean} is a system folder; choose a folder of its own (e.g. {clean.rstrip('/')}/music)"
        for tree in _TREES:
            if clean == tree or clean.startswith(tree + "/"):
                return f"{clean} is inside the system folder {tree}; choose another folder"
    return None


def check_not_system_folder(path: Path | None) -> Path | None:
    """``path`` unchanged, or ValueError if it is a system folder (for pydantic validators)."""
    if path is None:
        return None
    problem = system_folder_problem(path)
    if problem is not None:
        raise ValueError(problem)
    return path
