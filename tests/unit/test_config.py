"""Configuration: precedence, validation messages with key and line, secrets."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from soulsync.config import ConfigError, Settings, load_config
from soulsync.config_errors import key_lines
from soulsync.config_files import check_template
from soulsync.config_render import render_toml


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No SOULSYNC_* variable from the caller's shell leaks into a test."""
    for name in list(os.environ):
        if name.upper().startswith("SOULSYNC_"):
            monkeypatch.delenv(name)
    # The default config path must not point at a real user's file.
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))


def write(tmp_path: Path, text: str, name: str = "config.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_file(tmp_path: Path) -> None:
    settings = load_config(None)
    assert settings.source_path is None
    assert settings.web.host == "127.0.0.1"
    assert settings.web.port == 8008
    assert settings.slskd.searches_per_window == 34
    assert settings.slskd.window_s == 220
    assert settings.matching.owned_threshold == pytest.approx(0.80)
    assert settings.matching.uncertain_threshold == pytest.approx(0.60)
    assert settings.downloads.concurrency == 2
    assert settings.sync.schedule_hours == 6
    assert settings.sync.mode == "mirror"
    assert settings.spotify.redirect_uri == "http://127.0.0.1:8888/callback"
    assert settings.quality.profile == ["flac 24", "flac", "mp3 320", "mp3 v0", "mp3 256"]
    data_dir = tmp_path / "xdg-data" / "soulsync"
    assert settings.paths.data_dir == data_dir
    assert settings.database_path == data_dir / "soulsync.db"
    assert settings.downloads_dir == data_dir / "downloads"
    assert settings.transfer_dir == data_dir / "Transfer"
    assert settings.slskd_downloads_dir == settings.downloads_dir


def test_default_config_path_is_used_when_present(tmp_path: Path) -> None:
    default = tmp_path / "xdg-config" / "soulsync" / "config.toml"
    default.parent.mkdir(parents=True)
    default.write_text("[web]\nport = 9100\n", encoding="utf-8")
    settings = load_config(None)
    assert settings.web.port == 9100
    assert settings.source_path == default.resolve()


@pytest.mark.parametrize(
    ("file_port", "env_port", "expected"),
    [
        (None, None, 8008),  # default
        (9001, None, 9001),  # file beats default
        (9001, "9002", 9002),  # env beats file
        (None, "9003", 9003),  # env beats default
    ],
)
def test_precedence_defaults_file_env(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    file_port: int | None,
    env_port: str | None,
    expected: int,
) -> None:
    text = "[web]\nhost = '127.0.0.1'\n" + (f"port = {file_port}\n" if file_port else "")
    path = write(tmp_path, text)
    if env_port:
        monkeypatch.setenv("SOULSYNC_WEB__PORT", env_port)
    assert load_config(path).web.port == expected


def test_env_and_file_merge_within_a_section(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, '[slskd]\nurl = "http://10.0.0.5:5030/"\nwindow_s = 300\n')
    monkeypatch.setenv("SOULSYNC_SLSKD__API_KEY", "from-env-0123456789")
    settings = load_config(path)
    # The file's keys survive next to the env's key in the same section.
    assert settings.slskd.url == "http://10.0.0.5:5030"
    assert settings.slskd.window_s == 300
    assert settings.slskd.api_key.get_secret_value() == "from-env-0123456789"


def test_relative_paths_resolve_next_to_the_config_file(tmp_path: Path) -> None:
    path = write(tmp_path, '[paths]\ndata_dir = "state"\ntransfer_dir = "~/Music/Transfer"\n')
    settings = load_config(path)
    assert settings.paths.data_dir == tmp_path / "state"
    assert settings.database_path == tmp_path / "state" / "soulsync.db"
    assert settings.transfer_dir == Path("~/Music/Transfer").expanduser()


def test_explicit_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.toml")


def test_invalid_toml_names_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, '[web]\nport = 8008\nhost = "127.0.0.1\n')
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert "line 3" in message
    assert "column" in message
    assert str(path) in message


def test_toml_error_on_a_secret_line_does_not_echo_it(tmp_path: Path) -> None:
    path = write(tmp_path, '[plex]\ntoken = "abcdefghSECRET\n')
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert "line 2" in str(info.value)
    assert "abcdefghSECRET" not in str(info.value)


@pytest.mark.parametrize(
    ("text", "key", "line"),
    [
        ("[web]\nhost = 'x'\nport = 'eighty'\n", "web.port", 3),
        ("\n\n[slskd]\nsearches_per_window = 0\n", "slskd.searches_per_window", 4),
        ("[matching]\nowned_threshold = 1.5\n", "matching.owned_threshold", 2),
        (
            "[spotify]\nclient_id = 'abc'\nredirect_uri = 'http://localhost:8888/cb'\n",
            "spotify.redirect_uri",
            3,
        ),
        ("[sync]\n# comment\nmode = 'sideways'\n", "sync.mode", 3),
        ("slskd.window_s = -1\n", "slskd.window_s", 1),
        ("[quality]\nprofile = [\n  'flac',\n  'mp3 loud',\n]\n", "quality.profile", 2),
        ("[quality]\nallowed_formats = ['flac', 'wma']\n", "quality.allowed_formats", 2),
        ("[matching]\naccept_threshold = 0.9\n", "matching", 1),
        ("[paths]\nalbum_template = '{artist}/{nope}'\n", "paths.album_template", 2),
        ("[slskd]\nurl = 'http://x'\napi_kee = 'typo'\n", "slskd.api_kee", 3),
        ("[web]\nport = 1\n[plexx]\nurl = 'http://x'\n", "plexx", 3),
        # Issue 18 item 10: URLs are validated fully when the config loads.
        ("[slskd]\nurl = 'http://127.0.0.1:99999'\n", "slskd.url", 2),
        ("[slskd]\nurl = 'http://127.0.0.1:0'\n", "slskd.url", 2),
        ("[plex]\nurl = 'http://:32400'\n", "plex.url", 2),
        ("[plex]\nurl = 'http://my plex:32400'\n", "plex.url", 2),
        # The same full check for every server URL, not a prefix test.
        ("[jellyfin]\nurl = 'http://127.0.0.1:99999'\napi_key = 'k'\n", "jellyfin.url", 2),
        ("[navidrome]\nurl = 'http://:4533'\nusername = 'me'\n", "navidrome.url", 2),
        ("[deezer]\napi_base = 'https://api.deezer.com:70000'\n", "deezer.api_base", 2),
    ],
)
def test_invalid_value_names_key_and_line(tmp_path: Path, text: str, key: str, line: int) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert message.startswith(f"config error: {key} (")
    assert f"line {line})" in message
    assert "\n" not in message


def test_invalid_env_value_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOULSYNC_DOWNLOADS__CONCURRENCY", "lots")
    with pytest.raises(ConfigError) as info:
        load_config(None)
    message = str(info.value)
    assert "downloads.concurrency" in message
    assert "SOULSYNC_DOWNLOADS__CONCURRENCY" in message


def test_invalid_secret_value_is_not_echoed(tmp_path: Path) -> None:
    path = write(tmp_path, "[plex]\ntoken = ['hunter2-secret-value']\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert "plex.token" in str(info.value)
    assert "hunter2-secret-value" not in str(info.value)


def test_several_problems_are_counted(tmp_path: Path) -> None:
    path = write(tmp_path, "[web]\nport = 0\n[downloads]\nconcurrency = 0\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert len(info.value.problems) == 2
    assert "and 1 more: downloads.concurrency" in str(info.value)


def test_thresholds_must_be_ordered(tmp_path: Path) -> None:
    path = write(tmp_path, "[matching]\nowned_threshold = 0.5\nuncertain_threshold = 0.7\n")
    with pytest.raises(ConfigError, match=r"matching \(.*line 1\).*uncertain_threshold"):
        load_config(path)


def test_folder_library_needs_a_path_when_enabled(tmp_path: Path) -> None:
    path = write(tmp_path, "[folder_library]\nenabled = true\n")
    with pytest.raises(ConfigError, match=r"folder_library\.path"):
        load_config(path)


@pytest.mark.parametrize(
    ("uri", "ok"),
    [
        ("http://127.0.0.1:8888/callback", True),
        ("http://[::1]:8888/callback", True),
        ("https://soulsync.example.org/callback", True),
        ("http://localhost:8888/callback", False),
        ("http://192.168.1.2:8888/callback", False),
        ("ftp://127.0.0.1/callback", False),
    ],
)
def test_spotify_redirect_uri_rules(tmp_path: Path, uri: str, ok: bool) -> None:
    path = write(tmp_path, f"[spotify]\nredirect_uri = '{uri}'\n")
    if ok:
        assert load_config(path).spotify.redirect_uri == uri
    else:
        with pytest.raises(ConfigError, match=r"spotify\.redirect_uri"):
            load_config(path)


@pytest.mark.parametrize(
    ("template", "error"),
    [
        ("{artist}/{artist} - {album}/{discprefix}{track:02d} {title}.{ext}", None),
        ("{albumartist}/{year} - {album}/{disc}-{track:02d} {title}.{ext}", None),
        ("{artist.__class__}/{title}.{ext}", "unknown template field"),
        ("{artist[0]}/{title}.{ext}", "unknown template field"),
        ("{artist}/{title}", "must end with"),
        ("/abs/{title}.{ext}", "relative"),
        ("{artist}/../{title}.{ext}", "relative"),
        ("{track:zz} {title}.{ext}", "cannot fill"),
        ("{title.{ext}", "malformed"),
    ],
)
def test_template_validation(template: str, error: str | None) -> None:
    if error is None:
        assert check_template(template) == template
    else:
        with pytest.raises(ValueError, match=error):
            check_template(template)


def test_bad_template_in_file_names_key_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "[paths]\nsingle_template = '{artist}/{nope}.{ext}'\n")
    with pytest.raises(ConfigError, match=r"paths\.single_template \(.*line 2\).*nope"):
        load_config(path)


def test_key_lines_maps_tables_dotted_and_inline_keys() -> None:
    text = (
        "# top\n"
        "log.level = 'INFO'\n"
        "[slskd]\n"
        "url = 'http://x'\n"
        'notes = """\n'
        "fake = 1\n"
        '"""\n'
        "[ web ]\n"
        "port = 1\n"
        "plex = { url = 'x' }\n"
    )
    lines = key_lines(text)
    assert lines[("log", "level")] == 2
    assert lines[("slskd",)] == 3
    assert lines[("slskd", "url")] == 4
    assert ("slskd", "fake") not in lines  # inside a multi-line string
    assert lines[("web", "port")] == 9
    assert lines[("web", "plex")] == 10


def test_config_show_masks_secrets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    long_key = "abcd" + "Z" * 28
    path = write(tmp_path, f"[slskd]\napi_key = '{long_key}'\n[plex]\ntoken = 'shorttok99'\n")
    monkeypatch.setenv("SOULSYNC_WEB__SECRET_KEY", "web-secret-key-value-0123456789-abcdef")
    settings = load_config(path)
    text = render_toml(settings)
    assert long_key not in text
    assert "shorttok99" not in text
    assert "web-secret-key-value-0123456789-abcdef" not in text
    assert 'api_key = "••••"  # set, 32 characters' in text
    assert 'token = "••••"  # set, 10 characters' in text
    assert "abcd" not in text
    assert "[slskd]" in text and "[paths]" in text


def test_config_show_output_is_valid_toml_that_loads_back(tmp_path: Path) -> None:
    import tomllib

    path = write(tmp_path, "[web]\nport = 9123\n[quality]\nstrict = true\n")
    text = render_toml(load_config(path), with_env_names=True)
    data = tomllib.loads(text)
    assert data["web"]["port"] == 9123
    assert data["quality"]["strict"] is True
    assert "SOULSYNC_WEB__PORT" in text
    # Every section of Settings is shown.
    assert set(Settings.SECTIONS) <= set(data)
    # With secrets unset, the output loads back as a valid configuration.
    again = write(tmp_path, text, "again.toml")
    assert load_config(again).web.port == 9123


def test_secret_values_lists_only_set_secrets(tmp_path: Path) -> None:
    path = write(tmp_path, "[slskd]\napi_key = 'slskd-api-key-1234'\n")
    assert load_config(path).secret_values() == ["slskd-api-key-1234"]


def test_match_settings_mapping(tmp_path: Path) -> None:
    from soulsync.matching.settings import Strictness

    path = write(
        tmp_path,
        "[matching]\nowned_threshold = 0.9\naccept_threshold = 0.7\nduration_grace_s = 2\n"
        "[quality]\nprofile = ['FLAC  24/96', 'mp3 v0']\nallowed_formats = ['.FLAC', 'mp3']\n"
        "strict = true\nmin_bitrate = 192\n",
    )
    settings = load_config(path)
    assert settings.quality.profile == ["flac 24/96", "mp3 v0"]
    assert settings.quality.allowed_formats == ["flac", "mp3"]
    match = settings.match_settings()
    assert match.owned_threshold == pytest.approx(0.9)
    assert match.accept_threshold == pytest.approx(0.7)
    assert match.duration_grace_s == pytest.approx(2.0)
    assert match.strictness is Strictness.STRICT
    assert [t.name for t in match.quality.tiers] == ["flac 24/96", "mp3 v0"]
    assert match.quality.tiers[0].min_sample_rate == 96000
    assert match.quality.allowed_formats == frozenset({"flac", "mp3"})
    assert match.quality.min_bitrate == 192


def test_readme_documents_every_key() -> None:
    """The README's configuration reference lists every key with its variable."""
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    settings = load_config(None)
    names = [
        f"SOULSYNC_{section}__{name}".upper()
        for section in Settings.SECTIONS
        for name in type(getattr(settings, section)).model_fields
    ]
    assert len(names) > 40
    assert [n for n in names if f"`{n}`" not in readme] == []


def test_musicbrainz_section_needs_a_descriptive_user_agent() -> None:
    settings = Settings()
    assert settings.musicbrainz.enabled is False  # no outside calls unless asked
    ok = Settings.model_validate(
        {"musicbrainz": {"enabled": True, "user_agent": "MySync/2.0 ( me@example.org )"}}
    )
    assert ok.musicbrainz.user_agent == "MySync/2.0 ( me@example.org )"
    with pytest.raises(ValueError, match="MusicBrainz rule"):
        Settings.model_validate({"musicbrainz": {"user_agent": "python-httpx/0.27"}})
