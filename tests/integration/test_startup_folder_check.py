"""Issue 18 item 10: the folders are checked at start-up, with a real write (root too)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from soulsync.config import Settings
from soulsync.services.container import build_services
from soulsync.store import Store


async def test_start_up_names_a_transfer_folder_that_cannot_be_written(
    tmp_path: Path, mount_tmpfs: Callable[[Path, str], bool]
) -> None:
    transfer = tmp_path / "Transfer"
    if not mount_tmpfs(transfer, "size=64k,nr_inodes=1"):
        pytest.fail("cannot mount a tmpfs here: the case needs one (the tests run as root)")
    settings = Settings(
        paths={
            "data_dir": tmp_path / "data",
            "downloads_dir": tmp_path / "downloads",
            "transfer_dir": transfer,
        }
    )
    store = Store(settings.database_path)
    services = build_services(settings, store)
    try:
        await services.start(schedule=False)
        expected = f"the Transfer folder {transfer} is not writable (No space left on device)"
        assert services.notes["folders"] == expected
        feed = [row["message"] for row in store.recent_activity(20)]
        assert f"At start-up: {expected}" in feed
    finally:
        await services.aclose()
        store.close()
