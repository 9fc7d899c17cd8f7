from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import sqlalchemy as sa

from soulsync.store import Store
from soulsync.store.schema import metadata


def test_opening_migrates_to_head_in_wal_mode(store: Store) -> None:
    assert store.current_revision() == Store.head_revision()
    mode = sqlite3.connect(store.path).execute("pragma journal_mode").fetchone()[0]
    assert mode == "wal"


def test_schema_module_matches_migrated_tables(store: Store) -> None:
    inspector = sa.inspect(store.engine)
    for table in metadata.sorted_tables:
        columns = {c["name"] for c in inspector.get_columns(table.name)}
        assert columns == {c.name for c in table.columns}, table.name


def test_settings_round_trip_and_replace(store: Store) -> None:
    assert store.get_setting("missing", 7) == 7
    store.set_setting("k", {"a": [1, 2]})
    store.set_setting("k", {"a": [3]})
    assert store.get_setting("k") == {"a": [3]}
    store.delete_setting("k")
    assert store.get_setting("k") is None


def test_cache_honours_expiry(store: Store) -> None:
    store.cache_put("ns", "fresh", "1", ttl_s=60)
    store.cache_put("ns", "stale", "2", ttl_s=-1)
    store.cache_put("ns", "forever", "3", ttl_s=None)
    assert store.cache_get("ns", "fresh") == "1"
    assert store.cache_get("ns", "stale") is None
    assert store.cache_get("ns", "forever") == "3"
    assert store.cache_purge_expired() == 1


def test_activity_newest_first(store: Store) -> None:
    store.add_activity("sync", "first")
    time.sleep(0.01)
    store.add_activity("download", "second", {"n": 1})
    feed = store.recent_activity()
    assert [e["message"] for e in feed] == ["second", "first"]
    assert feed[0]["data"] == {"n": 1}


def test_database_file_is_private(tmp_path: Path) -> None:
    db = Store(tmp_path / "x.db")
    assert (db.path.stat().st_mode & 0o777) == 0o600
    db.close()


def test_reopening_keeps_data(tmp_path: Path) -> None:
    first = Store(tmp_path / "x.db")
    first.set_setting("keep", True)
    first.close()
    again = Store(tmp_path / "x.db")
    assert again.get_setting("keep") is True
    again.close()
