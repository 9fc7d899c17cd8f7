"""The data folder is private: mode 0700, since it holds the database, the cookie-signing key,
Spotify tokens and the token key.

Created 0700 when missing, and tightened to 0700 when SoulSync finds it more
open (only when this user owns it; otherwise it is left alone with a warning).
A media server running as another user reads the library from
``paths.transfer_dir``: put that folder outside the data folder in such setups.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

log = logging.getLogger(__name__)

PRIVATE_MODE = 0o700


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (0700) or tighten it to 0700; returns it."""
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_MODE)
    info = path.stat()
    if stat.S_IMODE(info.st_mode) & 0o077:
        if info.st_uid == os.getuid():
            path.chmod(PRIVATE_MODE)
        else:
            log.warning("%s is readable by other users and not ours to change", path)
    return path
