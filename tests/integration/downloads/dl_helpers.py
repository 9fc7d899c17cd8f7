"""Helpers shared by the download-queue integration tests."""

from __future__ import annotations

from soulsync.sandbox.catalogue import SharedFile, build_catalogue


def find_share(username: str, fragment: str) -> SharedFile:
    """The one share of ``username`` whose remote path contains ``fragment``."""
    found = [
        s for s in build_catalogue().shares if s.username == username and fragment in s.filename
    ]
    assert len(found) == 1, [s.filename for s in found]
    return found[0]
