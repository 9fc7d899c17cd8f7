"""Turning TOML and validation failures into one clear ``ConfigError`` line.

pydantic reports a failing field by its location (``("slskd", "window_s")``);
people edit a file by line. ``key_lines`` scans the TOML text once and maps
every dotted key to the line that defines it, so a message can say
``slskd.window_s (config.toml line 14): ...`` instead of showing a traceback.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

# Keys whose offending value must not be echoed back in an error message.
_SECRET_KEY_NAMES = frozenset({"token", "api_key", "secret_key", "password", "client_secret"})

_TABLE_RE = re.compile(r"^\s*\[\[?\s*(?P<name>[^\[\]]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY_RE = re.compile(
    r"""^\s*(?P<key>(?:[A-Za-z0-9_\-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_\-]+|"[^"]*"|'[^']*'))*)\s*="""
)
_TOML_POS_RE = re.compile(r"\(at line (?P<line>\d+), column (?P<col>\d+)\)")


class ConfigError(ValueError):
    """The configuration is invalid; ``str()`` is a one-line, human-readable reason."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or [message]


def _split_dotted(key: str) -> tuple[str, ...]:
    parts: list[str] = []
    for match in re.finditer(r"""[A-Za-z0-9_\-]+|"([^"]*)"|'([^']*)'""", key):
        parts.append(match.group(1) or match.group(2) or match.group(0))
    return tuple(p.lower() for p in parts)


def key_lines(text: str) -> dict[tuple[str, ...], int]:
    """Map every dotted key (and table) in TOML ``text`` to its 1-based line number.

    A line scanner, not a parser: it is only used for messages, after tomllib has
    accepted the text. Lines inside multi-line strings are skipped.
    """
    found: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    in_multiline: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if in_multiline is not None:
            if in_multiline in line:
                in_multiline = None
            continue
        header = _TABLE_RE.match(line)
        if header:
            table = _split_dotted(header.group("name"))
            found.setdefault(table, number)
            continue
        key = _KEY_RE.match(line)
        if key:
            full = table + _split_dotted(key.group("key"))
            for size in range(len(table) + 1, len(full) + 1):
                found.setdefault(full[:size], number)
            rest = line[key.end() :]
            for quote in ('"""', "'''"):
                if rest.count(quote) == 1:
                    in_multiline = quote
    return found


def _line_for(loc: tuple[str, ...], lines: dict[tuple[str, ...], int]) -> int | None:
    for size in range(len(loc), 0, -1):
        if loc[:size] in lines:
            return lines[loc[:size]]
    return None


def _env_for(loc: tuple[str, ...], environ: dict[str, str], prefix: str) -> str | None:
    upper = {name.upper(): name for name in environ}
    for size in range(len(loc), 0, -1):
        name = (prefix + "__".join(loc[:size])).upper()
        if name in upper:
            return upper[name]
    return None


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _message(err: Any) -> str:
    kind = err.get("type", "")
    if kind == "extra_forbidden":
        return "unknown key (check the spelling; see the configuration reference)"
    msg = str(err.get("msg", "invalid value"))
    # pydantic prefixes messages from our validators with "Value error, ".
    return msg.removeprefix("Value error, ")


def describe_validation_error(
    exc: ValidationError,
    source: Path | None,
    text: str,
    environ: dict[str, str],
    env_prefix: str,
) -> ConfigError:
    """A ConfigError naming each failing key and where it was set (file line or env var)."""
    lines = key_lines(text) if text else {}
    problems: list[str] = []
    keys: list[str] = []
    for err in exc.errors():
        loc = tuple(str(part).lower() for part in err.get("loc", ()) if not isinstance(part, int))
        dotted = ".".join(loc) or "(top level)"
        where = ""
        env_name = _env_for(loc, environ, env_prefix) if loc else None
        line = _line_for(loc, lines) if loc else None
        if env_name is not None:
            where = f" (from environment variable {env_name})"
        elif line is not None and source is not None:
            where = f" ({source} line {line})"
        detail = _message(err)
        shown = err.get("input")
        is_secret = bool(loc) and loc[-1] in _SECRET_KEY_NAMES
        if err.get("type") != "extra_forbidden" and not is_secret and not isinstance(shown, dict):
            detail += f"; got {_short(shown)}"
        problems.append(f"{dotted}{where}: {detail}")
        keys.append(dotted)
    first = problems[0] if problems else "invalid configuration"
    if len(problems) > 1:
        first += f" (and {len(problems) - 1} more: {', '.join(keys[1:])})"
    return ConfigError(f"config error: {first}", problems)


def toml_syntax_error(path: Path, text: str, exc: tomllib.TOMLDecodeError) -> ConfigError:
    """A ConfigError naming the file, line and column of a TOML syntax error."""
    raw = str(exc)
    match = _TOML_POS_RE.search(raw)
    reason = _TOML_POS_RE.sub("", raw).strip()
    if match is None:
        return ConfigError(f"config error: {path}: invalid TOML: {reason}")
    line_no = int(match.group("line"))
    col = int(match.group("col"))
    lines = text.splitlines()
    snippet = lines[line_no - 1].strip() if 0 < line_no <= len(lines) else ""
    # Never echo a line that may hold a secret (an unterminated token string, say).
    risky = any(name in snippet.lower() for name in _SECRET_KEY_NAMES)
    shown = f" near: {snippet[:60]}" if snippet and not risky else ""
    return ConfigError(
        f"config error: {path} line {line_no}, column {col}: invalid TOML: {reason}{shown}"
    )
