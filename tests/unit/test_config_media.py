"""Choosing the media server in the configuration, and the container building it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from soulsync.config import ConfigError, Settings, load_config
from soulsync.services.container import build_services
from soulsync.store import Store


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.upper().startswith("SOULSYNC_"):
            monkeypatch.delenv(key)


def _load(tmp_path: Path, text: str) -> Settings:
    path = tmp_path / "config.toml"
    path.write_text(f'[paths]\ndata_dir = "data"\n{text}', encoding="utf-8")
    return load_config(path)


@pytest.mark.parametrize(
    ("text", "chosen", "adapter"),
    [
        ("", "", None),
        ('[plex]\nurl = "http://127.0.0.1:32400"\n', "plex", "PlexMediaServer"),
        (
            '[media_server]\ntype = "jellyfin"\n[jellyfin]\nurl = "http://127.0.0.1:8096"\n'
            'api_key = "k-123"\n',
            "jellyfin",
            "JellyfinMediaServer",
        ),
        (
            '[media_server]\ntype = "navidrome"\n[navidrome]\nurl = "http://127.0.0.1:4533"\n'
            'username = "me"\npassword = "pw"\n',
            "navidrome",
            "SubsonicMediaServer",
        ),
        (
            # An explicit choice wins over a configured Plex.
            '[media_server]\ntype = "jellyfin"\n[plex]\nurl = "http://127.0.0.1:32400"\n'
            '[jellyfin]\nurl = "http://127.0.0.1:8096"\nusername = "me"\npassword = "pw"\n',
            "jellyfin",
            "JellyfinMediaServer",
        ),
        (
            '[folder_library]\nenabled = true\npath = "music"\n',
            "folder",
            "FolderLibrary",
        ),
    ],
)
def test_media_server_choice(
    tmp_path: Path, store: Store, text: str, chosen: str, adapter: str | None
) -> None:
    settings = _load(tmp_path, text)
    assert settings.media_server_type == chosen
    services = build_services(settings, store)
    built = services.media_server
    assert (type(built).__name__ if built is not None else None) == adapter


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[media_server]\ntype = "jellyfin"\n', "jellyfin.url is not set"),
        ('[media_server]\ntype = "emby"\n', "media_server.type"),
        ('[jellyfin]\nurl = "http://x:8096"\n', "neither api_key nor username"),
        ('[navidrome]\nurl = "http://x:4533"\n', "navidrome.username is not"),
        ('[navidrome]\nurl = "ftp://x"\nusername = "a"\n', "http"),
    ],
)
def test_bad_media_server_settings_are_clear_errors(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        _load(tmp_path, text)


def test_new_secrets_are_masked(tmp_path: Path) -> None:
    settings = _load(
        tmp_path,
        '[jellyfin]\nurl = "http://x:8096"\napi_key = "jf-secret-value-1"\n'
        '[navidrome]\nurl = "http://x:4533"\nusername = "a"\npassword = "nd-secret-value-2"\n',
    )
    assert {"jf-secret-value-1", "nd-secret-value-2"} <= set(settings.secret_values())
