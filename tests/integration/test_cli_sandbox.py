"""``soulsync sandbox``: the simulators run and their config is a file the CLI can load."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from soulsync.config import load_config
from soulsync.sandbox.media import default_cache_dir


def test_sandbox_writes_a_loadable_config_and_names_it(tmp_path: Path) -> None:
    root = tmp_path / "world"
    cache = os.environ.get("SOULSYNC_SANDBOX_CACHE") or str(default_cache_dir().parent)
    env = {**os.environ, "HOME": str(tmp_path / "home"), "SOULSYNC_SANDBOX_CACHE": cache}
    proc = subprocess.Popen(
        [sys.executable, "-m", "soulsync", "sandbox", "--dir", str(root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    config_file = root / "sandbox-config.toml"
    try:
        deadline = time.monotonic() + 300
        while not config_file.exists() and time.monotonic() < deadline:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            time.sleep(0.2)
        time.sleep(0.5)  # the file is written whole before its path is printed
        settings = load_config(config_file)
        assert config_file.stat().st_mode & 0o777 == 0o600
        slskd_url = str(settings.slskd.url)
        assert slskd_url.startswith("http://127.0.0.1:")
        answer = httpx.get(slskd_url.rstrip("/") + "/api/v0/application", timeout=10)
        assert answer.status_code in (200, 401)
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    assert f"config for these services written to {config_file}" in out
    assert "Traceback" not in err
