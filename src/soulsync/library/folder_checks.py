"""Check the folders SoulSync writes to before work starts, not after 20 failed downloads.

A Transfer folder that is a file, read-only, or on a missing mount made every
job fail one by one. :func:`check_folder` says in one line what is wrong with
a folder SoulSync must write into (or create); ``soulsync test-connections``
and the pre-flight of a sync run use it.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["check_folder"]


def check_folder(path: Path, what: str) -> str | None:
    """None if ``path`` is (or can be created as) a writable folder, else why not.

    ``what`` names the folder in the message, e.g. ``"the Transfer folder"``.
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        return f"{what} {path} is a file, not a folder"
    if path.is_dir():
        if not os.access(path, os.W_OK | os.X_OK):
            return f"{what} {path} is not writable"
        return None
    # Missing: it is created on first use if its nearest existing parent allows it.
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        return f"{what} {path} cannot be created: {parent} is a file"
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"{what} {path} does not exist and cannot be created in {parent} (not writable)"
    return None
