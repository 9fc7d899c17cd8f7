"""The data folder is private (issue 14, item 14)."""

from __future__ import annotations

import stat
from pathlib import Path

from soulsync.config import load_config
from soulsync.data_dir import ensure_private_dir
from soulsync.store import Store
from soulsync.web import create_app


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_data_folder_is_0700(tmp_path: Path) -> None:
    assert _mode(ensure_private_dir(tmp_path / "a" / "data")) == 0o700


def test_an_open_data_folder_is_tightened(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    ensure_private_dir(data)
    assert _mode(data) == 0o700


def test_the_web_app_makes_its_data_folder_private(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[paths]\ndata_dir = "data"\n', encoding="utf-8")
    (tmp_path / "data").mkdir(mode=0o755)
    (tmp_path / "data").chmod(0o755)
    settings = load_config(config)
    store = Store(settings.database_path)
    try:
        create_app(settings, store)
    finally:
        store.close()
    assert _mode(tmp_path / "data") == 0o700
