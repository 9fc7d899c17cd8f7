"""The sandbox serves its library through Jellyfin and Navidrome too; a config can pick either."""

from __future__ import annotations

from pathlib import Path

import pytest

from soulsync.config import Settings
from soulsync.sandbox.library_seed import library_seed_tracks
from soulsync.sandbox.media import AudioCache
from soulsync.sandbox.runner import start_sandbox
from soulsync.services.container import build_services
from soulsync.store import Store


@pytest.mark.parametrize("server", ["jellyfin", "navidrome"])
async def test_sandbox_config_with_another_server(
    tmp_path: Path, audio_cache: AudioCache, server: str
) -> None:
    with start_sandbox(tmp_path / "sandbox", audio_cache=audio_cache) as sandbox:
        assert server in sandbox.urls()
        data = sandbox.config()
        data["media_server"] = {"type": server}
        settings = Settings(**data)
        store = Store(settings.database_path)
        services = build_services(settings, store)
        try:
            assert services.media_server is not None
            status = await services.media_server.test_connection()
            assert status.ok, status.detail
            titles = sorted(t.title for t in await services.media_server.all_tracks())
            assert titles == sorted(s.title for s in library_seed_tracks())
        finally:
            await services.aclose()
            store.close()
