"""Logging: plain and JSON output, and secrets never reach a log line."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from soulsync.config import load_config
from soulsync.logging_setup import MASK, mask, mask_secrets, register_secret, setup_logging


@pytest.fixture()
def captured() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    setup_logging("DEBUG", stream=stream)
    yield stream
    setup_logging("WARNING")


def test_plain_lines_have_level_logger_and_message(captured: io.StringIO) -> None:
    logging.getLogger("soulsync.test").info("hello %s", "world")
    line = captured.getvalue().strip()
    assert line.endswith("INFO    soulsync.test: hello world")


def test_json_lines() -> None:
    stream = io.StringIO()
    setup_logging("INFO", json=True, stream=stream)
    try:
        logging.getLogger("soulsync.json").warning("n=%d", 3)
        logging.getLogger("soulsync.json").debug("not shown")
    finally:
        setup_logging("WARNING")
    lines = stream.getvalue().strip().splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert record["level"] == "WARNING"
    assert record["logger"] == "soulsync.json"
    assert record["msg"] == "n=3"
    assert "ts" in record


def test_setup_twice_keeps_one_handler() -> None:
    stream = io.StringIO()
    setup_logging("INFO", stream=io.StringIO())
    setup_logging("INFO", stream=stream)
    try:
        logging.getLogger("soulsync.twice").info("once")
    finally:
        setup_logging("WARNING")
    assert stream.getvalue().count("once") == 1


def test_configured_secrets_are_masked_in_logs(tmp_path: Path) -> None:
    api_key = "slskd-KEY-9f8e7d6c5b4a"
    token = "plexTOKEN-42-abcdef"
    config = tmp_path / "config.toml"
    config.write_text(f"[slskd]\napi_key = '{api_key}'\n[plex]\ntoken = '{token}'\n")
    load_config(config)  # registers the secrets
    stream = io.StringIO()
    setup_logging("DEBUG", stream=stream)
    log = logging.getLogger("soulsync.secret")
    try:
        log.info("calling slskd with %s", api_key)
        log.debug("url http://plex:32400/library?X-Plex-Token=%s&x=1", token)
        log.warning(f"formatted eagerly: {token}")
        try:
            raise RuntimeError(f"request failed for key {api_key}")
        except RuntimeError:
            log.exception("boom")
        json_stream = io.StringIO()
        setup_logging("DEBUG", json=True, stream=json_stream)
        log.error("json %s", token)
    finally:
        setup_logging("WARNING")
    output = stream.getvalue() + json_stream.getvalue()
    assert api_key not in output
    assert token not in output
    assert output.count(MASK) >= 5
    assert "RuntimeError: request failed for key" in output  # traceback kept, masked


@pytest.mark.parametrize(
    ("text", "leaked"),
    [
        ("headers {'X-API-Key': 'abcdefgh12345'}", "abcdefgh12345"),
        ("Authorization: Bearer eyJhbGciOi.payload.sig", "eyJhbGciOi.payload.sig"),
        ('{"access_token": "BQDx-long-token", "expires_in": 3600}', "BQDx-long-token"),
        ("password=hunter2hunter2&user=a", "hunter2hunter2"),
        ("refresh_token=AQC_refresh", "AQC_refresh"),
        ('"GET /callback?code=AQBx-oauth-code&state=s1 HTTP/1.1" 200', "AQBx-oauth-code"),
    ],
)
def test_secret_shaped_values_are_masked(text: str, leaked: str) -> None:
    masked = mask_secrets(text)
    assert leaked not in masked
    assert MASK in masked


def test_registered_secret_masked_anywhere_and_short_values_ignored() -> None:
    register_secret("zq-registered-secret-77")
    register_secret("ab")  # too short to mask in free text
    assert mask_secrets("x zq-registered-secret-77 y ab") == f"x {MASK} y ab"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("", ""),
        ("short", MASK),
        ("fifteen-chars-x", MASK),
        ("abcdefghijklmnopqrstuvwxyz", MASK),  # no character of the secret, ever
    ],
)
def test_mask_display_form(value: str, shown: str) -> None:
    assert mask(value) == shown
