"""Fixtures shared by the integration tests of several areas."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest


def _mount(target: Path, options: str) -> bool:
    target.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target)],
        capture_output=True,
        check=False,
    )
    return proc.returncode == 0


def _umount(target: Path) -> None:
    subprocess.run(["umount", "-l", str(target)], capture_output=True, check=False)


@pytest.fixture()
def make_readonly() -> Iterator[Callable[[Path], str]]:
    """Make a folder read-only for real: a read-only bind mount when we may
    mount (root), else ``chmod 555`` (which binds non-root users). Returns how."""
    undo: list[Callable[[], None]] = []

    def apply(folder: Path) -> str:
        bind = subprocess.run(
            ["mount", "--bind", str(folder), str(folder)], capture_output=True, check=False
        )
        if bind.returncode == 0:
            undo.append(lambda: _umount(folder))
            subprocess.run(
                ["mount", "-o", "remount,bind,ro", str(folder)], capture_output=True, check=True
            )
            return "read-only bind mount"
        if os.geteuid() == 0:
            pytest.fail(
                "running as root without permission to mount: cannot make a folder read-only"
            )
        mode = folder.stat().st_mode
        folder.chmod(0o555)
        undo.append(lambda: folder.chmod(mode))
        return "chmod 555"

    yield apply
    for step in reversed(undo):
        step()


@pytest.fixture()
def mount_tmpfs() -> Iterator[Callable[[Path, str], bool]]:
    """Mount tmpfs filesystems with given options (False if not permitted); unmounted after."""
    mounted: list[Path] = []

    def mount(target: Path, options: str) -> bool:
        ok = _mount(target, options)
        if ok:
            mounted.append(target)
        return ok

    yield mount
    for target in reversed(mounted):
        _umount(target)
