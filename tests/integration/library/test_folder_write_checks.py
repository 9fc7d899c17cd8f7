"""Issue 18 item 10: folder checks that hold for root (the tests run as root in CI).

``os.access`` ignores the permission bits for root and says nothing about a
full disk, so such a Transfer folder passed every check and every download
failed at filing. The check now creates and removes a small file inside the
folder, the only test the kernel answers truthfully. A tmpfs with a single
inode is a folder root cannot create anything in, while ``os.access`` says
it is writable.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from soulsync.library.folder_checks import check_folder


def _unwritable_for_anyone(folder: Path, mount_tmpfs: Callable[[Path, str], bool]) -> str:
    """A folder nobody (root included) can create a file in; returns how it was made."""
    if mount_tmpfs(folder, "size=64k,nr_inodes=1"):
        return "tmpfs without a free inode"
    if os.geteuid() == 0:
        pytest.fail("running as root without permission to mount: cannot build the case")
    folder.mkdir()
    folder.chmod(0o555)  # binds a non-root user
    return "chmod 555"


def test_a_folder_root_cannot_write_is_reported_though_os_access_says_yes(
    tmp_path: Path, mount_tmpfs: Callable[[Path, str], bool]
) -> None:
    folder = tmp_path / "Transfer"
    how = _unwritable_for_anyone(folder, mount_tmpfs)
    if os.geteuid() == 0:
        assert os.access(folder, os.W_OK | os.X_OK), how  # why os.access was not enough
    why = check_folder(folder, "the Transfer folder")
    assert why == (
        f"the Transfer folder {folder} is not writable (No space left on device)"
        if how.startswith("tmpfs")
        else f"the Transfer folder {folder} is not writable (Permission denied)"
    )


def test_a_read_only_mount_is_reported_and_the_probe_leaves_nothing(
    tmp_path: Path, make_readonly: Callable[[Path], str]
) -> None:
    folder = tmp_path / "Transfer"
    folder.mkdir()
    how = make_readonly(folder)
    why = check_folder(folder, "the Transfer folder")
    assert why is not None and why.startswith(f"the Transfer folder {folder} is not writable"), how
    assert list(folder.iterdir()) == []


def test_a_missing_folder_under_a_read_only_one_cannot_be_created(
    tmp_path: Path, make_readonly: Callable[[Path], str]
) -> None:
    parent = tmp_path / "mnt"
    parent.mkdir()
    make_readonly(parent)
    why = check_folder(parent / "music" / "Transfer", "the Transfer folder")
    assert why is not None and "does not exist and cannot be created" in why
    assert list(parent.iterdir()) == []


def test_a_writable_folder_passes_and_keeps_no_trace(tmp_path: Path) -> None:
    folder = tmp_path / "Transfer"
    folder.mkdir()
    assert check_folder(folder, "the Transfer folder") is None
    assert list(folder.iterdir()) == []
    missing = tmp_path / "new" / "deeper"
    assert check_folder(missing, "the Transfer folder") is None
    assert not (tmp_path / "new").exists()  # created for the check, removed again
