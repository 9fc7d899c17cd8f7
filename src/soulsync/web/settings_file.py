"""Saving settings from the web page: edits go to the config file the app was started with.

Why the file (not a settings table): the TOML file is the one place a user
reads and edits the configuration; the CLI, ``soulsync serve`` and the demo
all load it. An edit is checked by building a full :class:`Settings` from the
edited data first (same validation as at start), then written atomically
(temp file, fsync, rename) with mode 0600 because the file holds secrets.
Only the keys the page changed are touched; comments are not kept (the file
is re-rendered). The page then applies the saved settings to the running
services (:mod:`soulsync.services.reconfigure`).

Secrets are write-only: the page never receives them; an empty secret field
means "keep the current value".
"""

from __future__ import annotations

import contextlib
import copy
import os
import tempfile
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from soulsync.config import ConfigError, Settings, read_toml, resolve_paths
from soulsync.config_render import toml_text

SECRET_KEYS = frozenset(
    {
        ("plex", "token"),
        ("jellyfin", "api_key"),
        ("jellyfin", "password"),
        ("navidrome", "password"),
        ("notifications", "webhook_url"),
        ("slskd", "api_key"),
        ("web", "secret_key"),
    }
)


class SettingsSaveError(ValueError):
    """The edit was not saved; the message says why (for the page)."""


def config_path(settings: Settings) -> Path | None:
    """The file the running app was started with, if any."""
    return settings.source_path


def apply_changes(path: Path, changes: dict[str, dict[str, Any]]) -> Settings:
    """Merge ``changes`` into the TOML file at ``path`` and write it (0600).

    ``changes`` maps section -> key -> value; a value of None removes the key
    (back to the default). Raises :class:`SettingsSaveError` with a readable
    message if the result is not a valid configuration; the file is unchanged then.
    """
    try:
        data, _text = read_toml(path)
    except ConfigError as exc:
        raise SettingsSaveError(str(exc)) from exc
    for section, values in changes.items():
        current = data.setdefault(section, {})
        if not isinstance(current, dict):
            raise SettingsSaveError(f"[{section}] in {path} is not a table")
        for key, value in values.items():
            if value is None:
                current.pop(key, None)
            else:
                current[key] = value
    data = {k: v for k, v in data.items() if not (isinstance(v, dict) and not v)}
    check = _resolved(data, path.parent)
    try:
        Settings(**check)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise SettingsSaveError(f"{where}: {first.get('msg', 'invalid value')}") from exc
    text = toml_text(
        {k: v for k, v in data.items() if isinstance(v, dict)},
        header="SoulSync configuration (saved from the web settings page)",
    )
    # What is written must load: parse the exact text back and validate it again.
    try:
        reread = _resolved(tomllib.loads(text), path.parent)
        Settings(**reread)
    except (tomllib.TOMLDecodeError, ValidationError) as exc:
        raise SettingsSaveError(f"the edited configuration would not load again: {exc}") from exc
    _atomic_write(path, text)
    saved = Settings(**check)
    saved._source_path = path  # as load_config() records it: the next save goes there too
    return saved


def _resolved(data: dict[str, Any], base: Path) -> dict[str, Any]:
    """A copy with relative paths made absolute exactly as ``load_config`` does."""
    out = copy.deepcopy(data)
    resolve_paths(out, base)
    return out


def _atomic_write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".soulsync-", suffix=".toml", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    os.chmod(path, 0o600)
