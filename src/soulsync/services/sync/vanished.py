"""Owned tracks whose file is gone: the library must not count what was deleted.

The media server keeps listing a deleted file until its next scan, and the
library index is cached between runs; a sync right after files were deleted
reported them "owned" and could not mirror them. Before a run counts a track
as owned, its file is checked where SoulSync can see it.

A path is only judged when SoulSync can see where it should be: the file is
missing but its album or artist folder exists. A media server in a container
reports paths of its own file system (``/data/music/...``) that do not exist
here at all; those are trusted, not dropped.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence

from soulsync.services.sync.analysis import TrackVerdict
from soulsync.services.sync.models import TrackStatus

__all__ = ["drop_vanished", "vanished"]


def vanished(path: str) -> bool:
    """True if ``path`` is verifiably gone (missing, with its folder or the one above visible)."""
    if not os.path.isabs(path) or os.path.exists(path):
        return False
    parent = os.path.dirname(path)
    grandparent = os.path.dirname(parent)
    visible = os.path.isdir(parent) or (
        grandparent not in ("", os.sep) and os.path.isdir(grandparent)
    )
    return visible


def drop_vanished(verdicts: Sequence[TrackVerdict]) -> tuple[list[TrackVerdict], int]:
    """Owned verdicts whose file is gone become missing; returns them and how many changed.

    Blocking (one ``stat`` per owned track): run it in a worker thread.
    """
    out: list[TrackVerdict] = []
    changed = 0
    for verdict in verdicts:
        lib = verdict.library
        if (
            verdict.status is TrackStatus.OWNED
            and lib is not None
            and lib.path
            and vanished(lib.path)
        ):
            changed += 1
            out.append(
                dataclasses.replace(
                    verdict,
                    status=TrackStatus.MISSING,
                    library=None,
                    remembered=False,
                    reason=f"the library still lists {lib.path}, but the file is gone",
                )
            )
        else:
            out.append(verdict)
    return out, changed
