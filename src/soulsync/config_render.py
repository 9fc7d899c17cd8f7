"""Render effective Settings as TOML, with secrets masked (for ``soulsync config show``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import tomli_w
from pydantic import SecretStr

from soulsync.config import ENV_DELIMITER, ENV_PREFIX, Settings
from soulsync.logging_setup import mask, secret_note


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, Path):
        return _literal(str(value))
    if isinstance(value, str):
        # tomli_w escapes every character TOML forbids raw (json.dumps leaves DEL).
        return tomli_w.dumps({"v": value}).removeprefix("v = ").rstrip("\n")
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    raise TypeError(f"cannot render {type(value).__name__} as TOML")


def render_toml(settings: Settings, *, with_env_names: bool = False) -> str:
    """The effective configuration as TOML text; every secret is shown masked.

    ``with_env_names`` adds the environment variable for each key as a comment.
    """
    out: list[str] = ["# SoulSync effective configuration (defaults < file < environment)"]
    out.append(f"# file: {settings.source_path or '(none; defaults and environment only)'}")
    for section_name in Settings.SECTIONS:
        section = getattr(settings, section_name)
        out.append("")
        out.append(f"[{section_name}]")
        for name in type(section).model_fields:
            value = getattr(section, name)
            env = f"{ENV_PREFIX}{section_name}{ENV_DELIMITER}{name}".upper()
            comment = f"  # {env}" if with_env_names else ""
            if isinstance(value, SecretStr):
                secret = value.get_secret_value()
                # The mask and the length only: no character of the secret is shown.
                shown = _literal(mask(secret))
                out.append(
                    f"{name} = {shown}  # {secret_note(secret)}{comment.replace('  #', ';')}"
                )
            elif value is None:
                out.append(f"# {name} = (not set){comment}")
            else:
                out.append(f"{name} = {_literal(value)}{comment}")
    return "\n".join(out) + "\n"


def toml_text(data: dict[str, dict[str, Any]], header: str = "") -> str:
    """A two-level ``{section: {key: value}}`` dict as TOML text, written by ``tomli_w``.

    A real TOML writer escapes what TOML forbids raw in strings (control
    characters such as DEL), so the file always loads again.
    """
    plain = {
        section: {k: str(v) if isinstance(v, Path) else v for k, v in values.items()}
        for section, values in data.items()
    }
    out = "".join(f"# {line}\n" for line in header.splitlines())
    return out + ("\n" if out else "") + tomli_w.dumps(plain)
