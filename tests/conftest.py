"""Shared fixtures for every test folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from soulsync.store import Store


@pytest.fixture()
def store(tmp_path: Path) -> Iterator[Store]:
    """A fresh, migrated SQLite store in a temporary folder."""
    db = Store(tmp_path / "soulsync.db")
    yield db
    db.close()
