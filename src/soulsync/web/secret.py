"""The key that signs session cookies: from the config, or generated once and kept private."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from soulsync.config import ConfigError, Settings
from soulsync.logging_setup import register_secret

SECRET_FILE_NAME = "web-secret.key"
_MIN_LENGTH = 32


def secret_key_path(settings: Settings) -> Path:
    """Where the generated key lives: ``<data_dir>/web-secret.key``."""
    return settings.paths.data_dir / SECRET_FILE_NAME


def load_or_create_secret_key(settings: Settings) -> str:
    """``web.secret_key`` if configured, else the key in the data dir (created with 0600).

    (The config already refuses a configured key shorter than 32 characters.)
    """
    configured = settings.web.secret_key.get_secret_value()
    if configured:
        return configured
    path = secret_key_path(settings)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        key = _read_or_create(path)
    except OSError as exc:
        raise ConfigError(f"cannot read or create the web secret key {path}: {exc}") from exc
    register_secret(key)
    return key


def _read_or_create(path: Path) -> str:
    try:
        # O_EXCL: two processes starting at once cannot both write a key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_text(encoding="utf-8").strip()
        if len(key) < _MIN_LENGTH:
            raise OSError(
                f"the key file is damaged (shorter than {_MIN_LENGTH} characters); "
                "delete it to have a new one generated"
            ) from None
        if path.stat().st_mode & 0o077:
            os.chmod(path, 0o600)
        return key
    key = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key + "\n")
    return key
