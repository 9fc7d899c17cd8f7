"""``soulsync desktop`` without its extra or without a display: one clear line, nothing started."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from soulsync.cli import app as cli
from soulsync.cli.common import CliError
from soulsync.cli.desktop import check_display, handshake_page

runner = CliRunner()
pytestmark = pytest.mark.usefixtures("isolated_cli_env")


def _config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text('[paths]\ndata_dir = "data"\n', encoding="utf-8")
    return path


def test_without_pywebview_it_says_to_install_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # None in sys.modules is how Python spells "this module cannot be imported".
    monkeypatch.setitem(sys.modules, "webview", None)
    monkeypatch.setenv("DISPLAY", ":99")
    result = runner.invoke(cli.app, ["--config", str(_config(tmp_path)), "desktop"])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "install soulsync[desktop]" in lines[0]
    assert not (tmp_path / "data").exists()  # nothing opened before the check


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the X11/Wayland check is Linux's")
def test_without_a_display_it_says_so() -> None:
    with pytest.raises(CliError, match="no graphical display"):
        check_display({})
    check_display({"DISPLAY": ":0"})
    check_display({"WAYLAND_DISPLAY": "wayland-0"})


def test_the_first_page_posts_the_token_and_puts_nothing_in_a_url() -> None:
    token = "tok-'\"<x>"
    page = handshake_page("http://127.0.0.1:41234", token)
    assert "method='post'" in page
    assert "action='http://127.0.0.1:41234/auth/desktop'" in page
    assert "value='tok-&#x27;&quot;&lt;x&gt;'" in page
    assert "?" not in page.split("action='", 1)[1].split("'", 1)[0]
    assert token not in page  # only escaped: the token cannot break out of the attribute
