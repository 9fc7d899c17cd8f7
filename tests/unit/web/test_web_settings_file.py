"""Saving settings to the config file: validated, atomic, 0600, secrets kept."""

from __future__ import annotations

import stat
import tomllib
from pathlib import Path

import pytest

from soulsync.web.settings_file import SettingsSaveError, apply_changes

START = """# my comment
[slskd]
url = "http://127.0.0.1:5030"
api_key = "secret-key-1234567890"

[paths]
data_dir = "data"
"""


@pytest.fixture()
def config(tmp_path: Path) -> Path:
    path = tmp_path / "soulsync.toml"
    path.write_text(START, encoding="utf-8")
    path.chmod(0o644)
    return path


def test_changes_are_merged_and_the_file_is_private(config: Path) -> None:
    settings = apply_changes(
        config, {"sync": {"schedule_hours": 12}, "slskd": {"url": "http://h:1"}}
    )
    data = tomllib.loads(config.read_text(encoding="utf-8"))
    assert data["sync"]["schedule_hours"] == 12
    assert data["slskd"] == {"url": "http://h:1", "api_key": "secret-key-1234567890"}
    assert data["paths"]["data_dir"] == "data"  # relative paths stay relative in the file
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert settings.sync.schedule_hours == 12
    assert settings.paths.data_dir == config.parent / "data"


def test_none_removes_a_key(config: Path) -> None:
    apply_changes(config, {"slskd": {"url": None}})
    assert "url" not in tomllib.loads(config.read_text(encoding="utf-8"))["slskd"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"matching": {"owned_threshold": 7}}, "owned_threshold"),
        ({"downloads": {"concurrency": 0}}, "concurrency"),
        ({"quality": {"allowed_formats": ["flac", "xyz"]}}, "xyz"),
        ({"sync": {"mode": "sideways"}}, "mode"),
        # Issue 14, item 6: widths that allocate per filed track, system folders.
        ({"paths": {"album_template": "{title:>5000}.{ext}"}}, "width over 10"),
        ({"paths": {"single_template": "{title:{ext}}.{ext}"}}, "nested"),
        ({"paths": {"transfer_dir": "/"}}, "system folder"),
        ({"paths": {"downloads_dir": "/etc/soulsync"}}, "system folder /etc"),
        ({"folder_library": {"enabled": True, "path": "/usr"}}, "system folder"),
    ],
)
def test_invalid_values_are_refused_and_the_file_is_untouched(
    config: Path, changes: dict[str, dict[str, object]], message: str
) -> None:
    with pytest.raises(SettingsSaveError, match=message):
        apply_changes(config, changes)
    assert config.read_text(encoding="utf-8") == START
    assert not list(config.parent.glob(".soulsync-*"))  # no temp file left behind


@pytest.mark.parametrize(
    "value", ["a\x7fb", "tab\there", 'quote " and \\ backslash', "nul-ish \x1f"]
)
def test_control_characters_are_written_so_the_file_loads_again(config: Path, value: str) -> None:
    apply_changes(config, {"plex": {"music_section": value}})
    data = tomllib.loads(config.read_text(encoding="utf-8"))
    assert data["plex"]["music_section"] == value
