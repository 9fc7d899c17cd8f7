"""The settings page edits the [processing] profile; the dashboard shows processing totals."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from soulsync.config import load_config
from soulsync.store import Store
from soulsync.store.processing_log import ProcessingLog
from soulsync.web import create_app
from soulsync.web.server import ThreadedServer

PASSWORD = "processing-pass-123"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[httpx.Client, Path, Store]]:
    root = tmp_path_factory.mktemp("web-processing")
    config = root / "config.toml"
    config.write_text('[paths]\ndata_dir = "data"\n', encoding="utf-8")
    settings = load_config(config)
    store = Store(settings.database_path)
    app = create_app(settings, store)
    with ThreadedServer(app) as server, httpx.Client(base_url=server.url, timeout=20) as c:
        token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/setup").text)
        assert token
        r = c.post(
            "/setup",
            data={
                "csrf_token": token.group(1),
                "username": "admin",
                "password": PASSWORD,
                "confirm": PASSWORD,
            },
        )
        assert r.status_code == 303
        yield c, config, store
    store.close()


def _csrf(client: httpx.Client) -> str:
    token = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/settings").text)
    assert token
    return token.group(1)


def _form(**overrides: str) -> dict[str, str]:
    form = {
        "enabled": "on",
        "convert": "mp3",
        "bitrate_kbps": "192",
        "mp3_vbr": "",
        "replaygain": "album",
        "normalize_lufs": "-16",
        "true_peak_db": "-1",
        "trim_silence": "on",
        "trim_threshold_db": "-55",
        "trim_min_ms": "300",
        "trim_max_ms": "5000",
        "lossy_copy_dir": "",
        "lossy_copy_format": "opus",
        "lossy_copy_bitrate_kbps": "",
        "workers": "0",
    }
    form.update(overrides)
    return form


def test_page_shows_the_processing_profile(site: tuple[httpx.Client, Path, Store]) -> None:
    client, _, _ = site
    page = client.get("/settings").text
    assert "Audio processing" in page
    for name in ("convert", "bitrate_kbps", "replaygain", "trim_silence", "lossy_copy_dir"):
        assert f'id="processing-{name}"' in page
    # An unset optional number shows as empty, not "None".
    assert re.search(r'id="processing-mp3_vbr"[^>]*value=""', page)


def test_saving_the_profile_writes_the_config_file(site: tuple[httpx.Client, Path, Store]) -> None:
    client, config, _ = site
    r = client.post(
        "/settings/section/processing", data=_form(), headers={"X-CSRF-Token": _csrf(client)}
    )
    assert r.status_code == 200
    assert "not applied: the services are not running" in r.text, r.text[:500]
    saved = load_config(config).processing
    assert (saved.convert, saved.bitrate_kbps, saved.mp3_vbr, saved.replaygain) == (
        "mp3",
        192,
        None,
        "album",
    )
    assert (saved.trim_silence, saved.trim_threshold_db, saved.trim_min_ms, saved.trim_max_ms) == (
        True,
        -55.0,
        300,
        5000,
    )
    assert saved.normalize is False and saved.lossy_copy is False
    profile = saved.profile()
    assert profile.target is not None and profile.target.label() == "mp3 192k"
    assert profile.trim is not None and profile.normalize is None


@pytest.mark.parametrize(
    ("overrides", "complaint"),
    [
        ({"lossy_copy": "on"}, "lossy_copy needs lossy_copy_dir"),
        ({"bitrate_kbps": "5"}, "bitrate_kbps"),
        ({"convert": "wav"}, "convert"),
    ],
)
def test_bad_values_are_not_saved(
    site: tuple[httpx.Client, Path, Store], overrides: dict[str, str], complaint: str
) -> None:
    client, config, _ = site
    before = config.read_text(encoding="utf-8")
    r = client.post(
        "/settings/section/processing",
        data=_form(**overrides),
        headers={"X-CSRF-Token": _csrf(client)},
    )
    assert "Not saved" in r.text and complaint in r.text, r.text[:800]
    assert config.read_text(encoding="utf-8") == before


def test_dashboard_shows_processing_totals(site: tuple[httpx.Client, Path, Store]) -> None:
    client, _, store = site
    assert "Processing" not in client.get("/partials/dashboard/stats").text  # nothing yet
    log = ProcessingLog(store)
    log.add(
        source="soulseek",
        path="/d/a.flac",
        output="/l/a.mp3",
        outcome="ok",
        quality="mp3 192k",
        seconds=1.5,
        input_bytes=30_000_000,
        output_bytes=7_000_000,
    )
    log.add(
        source="soulseek",
        path="/d/b.flac",
        output="/l/b.mp3",
        outcome="cached",
        quality="mp3 192k",
        seconds=0.5,
        input_bytes=20_000_000,
        output_bytes=5_000_000,
    )
    log.add(
        source="soulseek",
        path="/d/c.flac",
        outcome="failed",
        error="unreadable: truncated",
        seconds=0.1,
    )
    html = client.get("/").text
    card = html[html.index('<div class="label">Processing</div>') :][:600]
    assert "2<span" in card and "/ 3" in card
    assert "1 failed" in card and "2 converted" in card and "38.0 MB saved" in card
