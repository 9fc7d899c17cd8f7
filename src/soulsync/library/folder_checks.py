"""Check the folders SoulSync writes to before work starts, not after 20 failed downloads.

A Transfer folder that is a file, read-only, or on a missing mount made every
job fail one by one. :func:`check_folder` says in one line what is wrong with
a folder SoulSync must write into (or create); start-up, ``soulsync
test-connections`` and the pre-flight of a sync run use it.

Writability is tested by really creating and removing a small file in the
folder: ``os.access`` answers "yes" to root for any folder, even on a
read-only mount or with the immutable attribute, and SoulSync often runs as
root in a container.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["check_folder"]

_PROBE_PREFIX = ".soulsync-write-check-"


def _write_problem(folder: Path) -> str | None:
    """None if a file can be created (and removed) in ``folder``, else the OS's reason."""
    try:
        fd, name = tempfile.mkstemp(prefix=_PROBE_PREFIX, dir=folder)
    except OSError as exc:
        return exc.strerror or str(exc)
    os.close(fd)
    try:
        os.unlink(name)
    except OSError as exc:
        return f"a file created there cannot be removed ({exc.strerror or exc})"
    return None


def _create(path: Path) -> tuple[list[Path], str | None]:
    """Create ``path`` and its missing parents: (the folders created, outermost first; error)."""
    missing: list[Path] = []
    folder = path
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    if not folder.is_dir():
        return [], f"{folder} is a file"
    created: list[Path] = []
    for new in reversed(missing):
        try:
            new.mkdir()
        except OSError as exc:
            return created, f"{new.parent} is not writable ({exc.strerror or exc})"
        created.append(new)
    return created, None


def _remove(created: list[Path]) -> None:
    """Remove folders the check created (innermost first); leave any that is no longer empty."""
    for folder in reversed(created):
        try:
            folder.rmdir()
        except OSError:
            return  # something else wrote into it meanwhile: it is in use, keep it


def check_folder(path: Path, what: str) -> str | None:
    """None if ``path`` is (or can be created as) a writable folder, else why not.

    ``what`` names the folder in the message, e.g. ``"the Transfer folder"``.
    A missing folder is created for the check and removed again; nothing is
    written outside ``path`` (the probe file lives inside it, briefly).
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        return f"{what} {path} is a file, not a folder"
    if path.is_dir():
        problem = _write_problem(path)
        return None if problem is None else f"{what} {path} is not writable ({problem})"
    created, problem = _create(path)
    try:
        if problem is not None:
            if not created and problem.endswith("is a file"):
                return f"{what} {path} cannot be created: {problem}"
            return f"{what} {path} does not exist and cannot be created: {problem}"
        problem = _write_problem(path)
        return None if problem is None else f"{what} {path} is not writable ({problem})"
    finally:
        _remove(created)
