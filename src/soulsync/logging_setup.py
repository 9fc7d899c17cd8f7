"""One logging configuration for the whole process, and the secret mask.

``setup_logging`` installs a single handler on the root logger (so uvicorn's and
every library's records go through it): human-readable lines by default (rich
on a terminal, plain text otherwise), or one JSON object per line.

Every record passes ``SecretFilter`` first. It replaces each registered secret
value (``register_secret``; the config loader registers every secret it reads)
and anything shaped like ``api_key=...``/``token: ...``/``Bearer ...`` with a
mask, in the message, its arguments and any traceback text. So a secret never
reaches a log line, whichever module logs it.
"""

from __future__ import annotations

import json as jsonlib
import logging
import re
import sys
import threading
from datetime import UTC, datetime
from typing import IO, Any

__all__ = [
    "MASK",
    "SecretFilter",
    "mask",
    "mask_secrets",
    "register_secret",
    "setup_logging",
]

MASK = "••••"
# Shorter values are not masked in free text: masking "ab" everywhere would
# garble every log line, and such values are not real secrets anyway.
MIN_SECRET_LEN = 4

_secrets: set[str] = set()
_secrets_lock = threading.Lock()
_sorted_cache: list[str] = []

# key=value / key: value / "key": "value" shapes, and bearer tokens.
_PATTERNS = (
    re.compile(
        r"""(?ix)
        (?P<key>(?:x-)?(?:api[_-]?key|plex[_-]?token|access[_-]?token|refresh[_-]?token
            |token|password|passwd|secret(?:[_-]?key)?|client[_-]?secret))
        (?P<sep>["']?\s*[:=]\s*["']?)
        (?P<value>[^\s"'&,;}]+)
        """
    ),
    re.compile(r"(?i)(?P<key>bearer)(?P<sep>\s+)(?P<value>[A-Za-z0-9._~+/=-]+)"),
    # OAuth callback query strings (access logs): the authorization code is a credential.
    re.compile(r"(?i)(?P<key>[?&](?:code|code_verifier|key))(?P<sep>=)(?P<value>[^&\s\"']+)"),
)


def register_secret(value: str | None) -> None:
    """Remember ``value`` so that it is masked wherever it appears in a log record."""
    if not value or len(value) < MIN_SECRET_LEN:
        return
    global _sorted_cache
    with _secrets_lock:
        if value in _secrets:
            return
        _secrets.add(value)
        # Longest first, so a secret containing another is masked whole.
        _sorted_cache = sorted(_secrets, key=len, reverse=True)


def mask(value: str | None) -> str:
    """A display form of a secret: the mask only, never any of its characters.

    Empty stays empty (so "not set" is visible). Showing even a few characters
    narrows a guess and lets a screenshot confirm a leaked key; the length
    (:func:`secret_note`) is enough to tell "set" from "set to something odd".
    """
    return MASK if value else ""


def secret_note(value: str | None) -> str:
    """``"set, N characters"`` or ``"not set"``, to show next to a masked secret."""
    return f"set, {len(value)} characters" if value else "not set"


def mask_secrets(text: str) -> str:
    """``text`` with every registered secret and secret-shaped value masked."""
    for secret in _sorted_cache:
        if secret in text:
            text = text.replace(secret, MASK)
    for pattern in _PATTERNS:
        text = pattern.sub(_mask_match, text)
    return text


def _mask_match(match: re.Match[str]) -> str:
    if match.group("value") == MASK:
        return match.group(0)
    return f"{match.group('key')}{match.group('sep')}{MASK}"


class SecretFilter(logging.Filter):
    """Rewrites a record so that its message and traceback carry no secrets."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask the record in place; never drops it."""
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            # A bad format string must not lose the record: log its raw parts.
            message = f"{record.msg} {record.args}"
        record.msg = mask_secrets(message)
        record.args = None
        if record.exc_info:
            # Format the traceback now, masked, and drop exc_info so no handler
            # renders the raw exception (whose text may hold a secret) again.
            record.exc_text = mask_secrets(self._formatter.formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = mask_secrets(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_secrets(record.stack_info)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, msg, and exc when present."""

    def format(self, record: logging.LogRecord) -> str:
        """Serialise the (already masked) record."""
        payload: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if record.exc_text:
            payload["exc"] = record.exc_text
        return jsonlib.dumps(payload, ensure_ascii=False)


_HANDLER_FLAG = "_soulsync_handler"


def setup_logging(
    level: str | int = "INFO", json: bool = False, stream: IO[str] | None = None
) -> None:
    """Configure the root logger once; calling again replaces SoulSync's handler.

    ``json`` selects JSON lines; otherwise rich output on a terminal and plain
    ``time level logger: message`` lines elsewhere. ``stream`` defaults to stderr.
    """
    target = stream if stream is not None else sys.stderr
    handler: logging.Handler
    if json:
        handler = logging.StreamHandler(target)
        handler.setFormatter(JsonFormatter())
    elif _is_terminal(target):
        from rich.console import Console
        from rich.logging import RichHandler

        handler = RichHandler(
            console=Console(file=target),
            show_path=False,
            rich_tracebacks=False,  # tracebacks arrive pre-formatted and masked
            markup=False,
        )
        handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
    else:
        handler = logging.StreamHandler(target)
        handler.setFormatter(
            logging.Formatter(
                "%(asctime)s %(levelname)-7s %(name)s: %(message)s", datefmt="%Y-%m-%d %H:%M:%S"
            )
        )
    handler.addFilter(SecretFilter())
    setattr(handler, _HANDLER_FLAG, True)

    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, _HANDLER_FLAG, False):
            root.removeHandler(old)
            old.close()
    root.addHandler(handler)
    root.setLevel(level.upper() if isinstance(level, str) else level)
    # uvicorn installs its own handlers unless told not to; ours are the only ones.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    # httpx logs every request at INFO (every search poll, every Plex page): that
    # is debugging detail, shown only when the user asks for DEBUG.
    quiet = logging.DEBUG if root.level <= logging.DEBUG else logging.WARNING
    for name in ("httpx", "httpcore", "alembic.runtime.migration"):
        logging.getLogger(name).setLevel(quiet)


def _is_terminal(stream: IO[str]) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())
