"""What every CLI command module shares: the global options, errors, consoles.

A command module gets the effective configuration with ``settings(ctx)``
(loaded once, logging configured, secrets registered) and reports a problem
the user can fix by raising ``CliError`` (or ``ConfigError``/``StoreError``):
the root command prints it as one red line and exits with its code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

if TYPE_CHECKING:
    # Imported where used: pydantic and SQLAlchemy cost more than `soulsync --help` may.
    from soulsync.config import Settings
    from soulsync.domain import Playlist
    from soulsync.store import Store

# Cell padding rich puts around each column (one space each side) plus a border.
_COLUMN_CHROME = 3


def fit_table(table: Table, width: int) -> Table:
    """Make ``table`` readable at ``width`` columns: wrap cells, never cut a header.

    Every column is at least as wide as its header and its cells fold onto
    more lines instead of ending in "…". When even the headers do not fit,
    columns are dropped from the right (the first two always stay) and the
    caption says how many are hidden.
    """
    for column in table.columns:
        header = str(column.header)
        column.min_width = max(column.min_width or 0, len(header))
        column.overflow = "fold"
    hidden = 0
    while len(table.columns) > 2:
        needed = sum((c.min_width or 0) + _COLUMN_CHROME for c in table.columns) + 1
        if needed <= width:
            break
        table.columns.pop()
        hidden += 1
    if hidden:
        note = f"{hidden} column{'s' if hidden != 1 else ''} hidden: widen the terminal"
        table.caption = f"{table.caption}; {note}" if table.caption else note
    return table


class FittingConsole(Console):
    """A console that fits every table it prints to its width (see :func:`fit_table`)."""

    def print(self, *objects: Any, **kwargs: Any) -> None:
        for item in objects:
            if isinstance(item, Table):
                fit_table(item, self.width)
        super().print(*objects, **kwargs)


console = FittingConsole(highlight=False)
err_console = FittingConsole(stderr=True, highlight=False)


class CliError(Exception):
    """A problem the user can fix; printed as one line, no traceback."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass
class CliState:
    """Global options, kept on ``ctx.obj`` by the root callback."""

    config_path: Path | None = None
    log_level: str | None = None
    json_logs: bool = False
    _settings: Settings | None = field(default=None, repr=False)


def state(ctx: typer.Context) -> CliState:
    """The global options of this invocation."""
    root = ctx.find_root()
    if not isinstance(root.obj, CliState):
        root.obj = CliState()
    return root.obj


def settings(ctx: typer.Context) -> Settings:
    """The effective configuration (loaded once); also configures logging."""
    from soulsync.config import load_config
    from soulsync.logging_setup import setup_logging

    st = state(ctx)
    if st._settings is None:
        loaded = load_config(st.config_path)
        level = st.log_level or loaded.log.level
        setup_logging(level, json=st.json_logs or loaded.log.json_lines)
        st._settings = loaded
    return st._settings


def open_store(config: Settings) -> Store:
    """The database named in the configuration, migrated to the newest schema.

    The data folder is made private (0700) first: it holds the database and keys.
    """
    from soulsync.data_dir import ensure_private_dir
    from soulsync.store import Store

    ensure_private_dir(config.paths.data_dir)
    return Store(config.database_path)


def playlist_table(playlist: Playlist) -> Table:
    """A playlist's entries in order, local and unavailable ones flagged in the last column."""
    table = Table("#", "artist", "title", "album", "note")
    for entry in playlist.entries:
        t = entry.track
        table.add_row(
            str(entry.position + 1),
            escape(t.display_artist) if t else "",
            escape(t.title) if t else "",
            escape(t.album or "") if t else "",
            entry.unavailable_reason or "",
        )
    return table
