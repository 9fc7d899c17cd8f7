"""The CLI through Typer's CliRunner: config show, errors as one line, serve, API keys."""

from __future__ import annotations

import socket
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from soulsync.cli import app as cli
from soulsync.store import Store
from soulsync.web.apikeys import create_api_key, list_api_keys
from soulsync.web.auth import set_initial_admin, verify_admin

runner = CliRunner()


pytestmark = pytest.mark.usefixtures("isolated_cli_env")


def config_file(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'[paths]\ndata_dir = "data"\n{extra}', encoding="utf-8")
    return path


def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(cli.app, list(args), input=input)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_version() -> None:
    code, out, _ = run("--version")
    assert code == 0
    assert out.strip() == "soulsync 0.1.0"


def test_config_show_masks_secrets_and_is_toml(tmp_path: Path) -> None:
    api_key = "slskd-api-key-0123456789abcdef"
    path = config_file(tmp_path, f"[slskd]\napi_key = '{api_key}'\n[plex]\ntoken = 'tok-12345'\n")
    code, out, err = run("--config", str(path), "config", "show")
    assert code == 0, err
    assert api_key not in out
    assert "tok-12345" not in out
    assert 'api_key = "••••"  # set, 30 characters' in out
    assert "slskd-api" not in out
    data = tomllib.loads(out)
    assert data["paths"]["data_dir"] == str(tmp_path / "data")
    assert data["web"]["port"] == 8008


def test_config_show_env_flag_and_env_precedence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = config_file(tmp_path, "[web]\nport = 9001\n")
    monkeypatch.setenv("SOULSYNC_WEB__PORT", "9002")
    code, out, _ = run("-c", str(path), "config", "show", "--env")
    assert code == 0
    assert "port = 9002  # SOULSYNC_WEB__PORT" in out


def test_config_path_from_env_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = config_file(tmp_path)
    monkeypatch.setenv("SOULSYNC_CONFIG", str(path))
    code, out, _ = run("config", "path")
    assert code == 0
    assert out.strip() == str(path.resolve())


def test_config_check(tmp_path: Path) -> None:
    code, out, _ = run("-c", str(config_file(tmp_path)), "config", "check")
    assert code == 0
    assert out.startswith("ok: ")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[web]\nport = 'high'\n", "web.port"),
        ("[web]\nport = \n", "line 2, column"),
        ("[slskd]\nwindow_s = 0\n", "slskd.window_s"),
        ("[nope]\nx = 1\n", "nope"),
    ],
)
def test_bad_config_is_one_red_line_exit_2(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    for command in (["config", "show"], ["serve"], ["api-key", "list"]):
        code, out, err = run("--config", str(path), *command)
        assert code == 2, command
        assert out == ""
        lines = err.strip().splitlines()
        assert len(lines) == 1, err
        assert lines[0].startswith("error: config error:")
        assert expected in lines[0]
        assert "Traceback" not in err


def test_missing_explicit_config_file(tmp_path: Path) -> None:
    code, _, err = run("--config", str(tmp_path / "missing.toml"), "config", "show")
    assert code == 2
    assert "config file not found" in err


def test_serve_port_in_use_is_one_line(tmp_path: Path) -> None:
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    port = busy.getsockname()[1]
    try:
        code, _, err = run("-c", str(config_file(tmp_path)), "serve", "--port", str(port))
    finally:
        busy.close()
    assert code == 1
    assert err.strip() == (
        f"error: port {port} on 127.0.0.1 is already in use (is SoulSync already running?); "
        "choose another with --port or web.port"
    )
    # Nothing was opened: the database was not even created.
    assert not (tmp_path / "data" / "soulsync.db").exists()


def test_serve_unusable_database_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    path = config_file(tmp_path, f'[database]\npath = "{blocker}/db.sqlite"\n')
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    code, _, err = run("-c", str(path), "serve", "--port", str(port))
    assert code == 2
    assert "cannot create the database folder" in err
    assert "Traceback" not in err


def test_api_key_commands(tmp_path: Path) -> None:
    path = config_file(tmp_path)
    code, out, _ = run("-c", str(path), "api-key", "create", "backup script")
    assert code == 0
    key = out.strip().splitlines()[-1]
    assert key.startswith("ss_") and len(key) > 40
    code, out, _ = run("-c", str(path), "api-key", "list")
    assert code == 0
    assert "backup script" in out
    assert key not in out
    code, _, err = run("-c", str(path), "api-key", "create", "backup script")
    assert code == 1
    assert "already exists" in err
    code, out, _ = run("-c", str(path), "api-key", "revoke", "backup script")
    assert code == 0
    code, out, _ = run("-c", str(path), "api-key", "list")
    assert "No API keys." in out
    code, _, err = run("-c", str(path), "api-key", "revoke", "backup script")
    assert code == 1
    assert "no API key" in err


def test_admin_reset_password(tmp_path: Path) -> None:
    path = config_file(tmp_path)
    store = Store(tmp_path / "data" / "soulsync.db")
    try:
        set_initial_admin(store, "admin", "old-password-1", "old-password-1")
        create_api_key(store, "old script", "full")
        code, out, err = run(
            "-c", str(path), "admin", "reset-password", input="new-password-2\nnew-password-2\n"
        )
        assert code == 0, err
        assert "Password changed" in out
        assert "1 API key(s) revoked" in out
        assert list_api_keys(store) == []
        assert verify_admin(store, "admin", "new-password-2")
        assert not verify_admin(store, "admin", "old-password-1")
        code, _, err = run("-c", str(path), "admin", "reset-password", input="short\nshort\n")
        assert code == 1
        assert "at least 8" in err
    finally:
        store.close()


def test_log_level_must_be_known(tmp_path: Path) -> None:
    code, _, err = run("--log-level", "LOUD", "-c", str(config_file(tmp_path)), "config", "check")
    assert code == 2
    assert "--log-level" in err


def test_command_modules_load_and_fail_loudly_for_missing_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "ss_fake_cmd.py").write_text(
        "import typer\n"
        "def register(app: typer.Typer) -> None:\n"
        "    @app.command('hello')\n"
        "    def hello() -> None:\n"
        "        print('hi from a registered module')\n"
    )
    (tmp_path / "ss_broken_cmd.py").write_text("import a_dependency_that_is_not_installed\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(cli.COMMANDS, "hello", ("ss_fake_cmd", "Say hello."))
    assert "hello" in run("--help")[1]
    code, out, _ = run("hello")
    assert code == 0
    assert "hi from a registered module" in out
    with pytest.raises(ModuleNotFoundError, match="a_dependency_that_is_not_installed"):
        cli.load_commands("ss_broken_cmd")
    # A listed module that is not there is a packaging mistake, not something to hide.
    with pytest.raises(ModuleNotFoundError, match="ss_module_not_written"):
        cli.load_commands("ss_module_not_written")
    for name in ("ss_fake_cmd", "ss_broken_cmd"):
        sys.modules.pop(name, None)


@pytest.mark.parametrize("name", sorted(cli.COMMANDS))
def test_listed_help_is_the_commands_own(name: str) -> None:
    module_name, summary = cli.COMMANDS[name]
    command = cli.load_commands(module_name)[name]
    assert summary == command.get_short_help_str(limit=200)


def test_every_command_module_is_listed() -> None:
    folder = Path(cli.__file__).parent
    listed = {module for module, _ in cli.COMMANDS.values()}
    modules = {
        f"soulsync.cli.{p.stem}"
        for p in folder.glob("*.py")
        if p.stem not in ("__init__", "app", "common")
    }
    defined = {m for m in modules if cli.load_commands(m)}
    assert defined == listed


def test_help_imports_no_heavy_module() -> None:
    # A fresh interpreter: this test process has long imported everything.
    probe = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from soulsync.cli.app import app\n"
        "result = CliRunner().invoke(app, ['--help'])\n"
        "assert result.exit_code == 0, result.output\n"
        "heavy = ('sqlalchemy', 'fastapi', 'av', 'scipy', 'numpy', 'plexapi', 'pydantic',\n"
        "         'webview', 'qtpy', 'PyQt6')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
        "print('serve' in result.output and 'test-connections' in result.output)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.split("\n")[:2] == ["[]", "True"]
