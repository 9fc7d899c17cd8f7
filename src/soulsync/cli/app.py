"""The ``soulsync`` command: the root Typer app and its global options.

Commands live in their own modules (``cli.serve``, ``cli.config``…). Each
exposes ``register(app: typer.Typer) -> None`` and is listed in
``COMMANDS`` below, imported only when one of its commands runs. Errors the user can fix (``ConfigError``,
``StoreError``, ``CliError``) are printed as one red line, never a traceback.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
import typer.core
import typer.main
from rich.markup import escape
from typer.core import TyperGroup

from soulsync import __version__
from soulsync.cli.common import CliError, CliState, err_console

# Exit code for configuration and database problems (the usual "usage" code).
EXIT_CONFIG = 2


# Errors a user can fix, by module and class name. They are looked up in
# sys.modules when an exception arrives: a module that raised one is loaded by
# then, and the CLI never imports SQLAlchemy or FastAPI just to catch them.
_USER_ERRORS: tuple[tuple[str, str, int], ...] = (
    ("soulsync.config_errors", "ConfigError", EXIT_CONFIG),
    ("soulsync.store.db", "StoreError", EXIT_CONFIG),
    ("soulsync.web.server", "ServeError", 1),
)


def _user_error_code(exc: BaseException) -> int | None:
    if isinstance(exc, CliError):
        return exc.exit_code
    for module_name, class_name, code in _USER_ERRORS:
        module = sys.modules.get(module_name)
        cls = getattr(module, class_name, None) if module is not None else None
        if isinstance(cls, type) and isinstance(exc, cls):
            return code
    return None


class _RootGroup(TyperGroup):
    """Loads a command's module only when it runs; prints user errors as one red line."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._resolving = False
        self._loaded: dict[str, Any] = {}

    # Typer vendors its own click, so its Context and Command types are taken as Any here.
    def list_commands(self, ctx: Any) -> list[str]:
        return [*super().list_commands(ctx), *(n for n in COMMANDS if n not in self.commands)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in COMMANDS or cmd_name in self.commands:
            return super().get_command(ctx, cmd_name)
        if self._resolving or cmd_name in self._loaded:
            return self._load(cmd_name)
        # Listing for --help: a stand-in with the one-line help, nothing imported.
        summary = COMMANDS[cmd_name][1]
        return typer.core.TyperCommand(cmd_name, help=summary, short_help=summary)

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        self._resolving = True
        try:
            return super().resolve_command(ctx, args)
        finally:
            self._resolving = False

    def _load(self, cmd_name: str) -> Any:
        if cmd_name not in self._loaded:
            module_name = COMMANDS[cmd_name][0]
            for name, command in load_commands(module_name).items():
                self._loaded.setdefault(name, command)
            if cmd_name not in self._loaded:
                raise LookupError(f"{module_name} does not define the command {cmd_name!r}")
        return self._loaded[cmd_name]

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except Exception as exc:  # re-raised unless it is a user error
            code = _user_error_code(exc)
            if code is None:
                raise
            _fail(str(exc), code)


def _fail(message: str, code: int) -> None:
    # soft_wrap: keep it one line however narrow the terminal is.
    err_console.print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)
    raise typer.Exit(code)


app = typer.Typer(
    cls=_RootGroup,
    name="soulsync",
    help="SoulSync: keep your music library complete from the playlists you follow.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals may hold secrets
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"soulsync {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            "-c",
            envvar="SOULSYNC_CONFIG",
            help="TOML config file (default: the user config dir's soulsync/config.toml).",
            dir_okay=False,
        ),
    ] = None,
    log_level: Annotated[
        str | None,
        typer.Option("--log-level", help="DEBUG, INFO, WARNING or ERROR (default: log.level)."),
    ] = None,
    json_logs: Annotated[bool, typer.Option("--json-logs", help="Log JSON lines.")] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Global options; they go before the command: ``soulsync --config x.toml serve``."""
    if log_level is not None and log_level.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise typer.BadParameter("use DEBUG, INFO, WARNING or ERROR", param_hint="--log-level")
    ctx.obj = CliState(config_path=config, log_level=log_level, json_logs=json_logs)


# ==== Registration points ======================================================
# Each command module either exposes `register(app: typer.Typer) -> None`, which
# adds its commands (`app.command("name")(func)`) or groups, or is one command
# group: a Typer named `app`, added as `soulsync <suffix of the module name>`.
# A module is imported only when one of its commands runs, so `soulsync --help`
# and light commands never pay for FastAPI, SQLAlchemy, PyAV or the matching
# engine; the one-line help shown by `soulsync --help` is kept here for that
# reason (tests/unit/test_cli.py checks it against each command's docstring).
# To add a command: write `src/soulsync/cli/<name>.py` and list it here.
COMMANDS: dict[str, tuple[str, str]] = {
    "serve": ("soulsync.cli.serve", "Start the web UI and REST API (Ctrl-C stops it)."),
    "desktop": (
        "soulsync.cli.desktop",
        "Open SoulSync in its own window, logged in (closing the window stops it).",
    ),
    "demo": (
        "soulsync.cli.demo",
        "Start the sandbox services and SoulSync against them (no accounts needed).",
    ),
    "sandbox": (
        "soulsync.cli.demo",
        "Start only the simulated services and print their URLs and a matching config.",
    ),
    "sync": (
        "soulsync.cli.sync",
        "Sync a playlist to the library and the media server (live view, then a final table).",
    ),
    "report": (
        "soulsync.cli.sync",
        "Print the last sync runs (or one run's per-track outcome) and processing totals.",
    ),
    "wishlist": (
        "soulsync.cli.sync",
        "Tracks a sync could not get: show, retry, search by hand, pick, ignore.",
    ),
    "download": (
        "soulsync.cli.downloads",
        'Download a track ("Artist - Title") or a whole remote folder, organised and tagged.',
    ),
    "queue": ("soulsync.cli.downloads", "The download queue: live progress, cancel, retry, clear."),
    "get": (
        "soulsync.cli.get",
        "Download every track a link names (track, album, playlist, artist, video, file).",
    ),
    "process": (
        "soulsync.cli.process",
        "Measure loudness and write ReplayGain tags; optionally convert, normalise, trim.",
    ),
    "history": (
        "soulsync.cli.downloads",
        "Finished downloads, newest first, with where each file went.",
    ),
    "library": ("soulsync.cli.library", "Scan, count and search your music library."),
    "spotify": ("soulsync.cli.spotify", "Spotify: log in and read your playlists."),
    "deezer": ("soulsync.cli.deezer", "Deezer public API: playlists and search."),
    "slskd": ("soulsync.cli.slskd", "Talk to the slskd daemon (Soulseek)."),
    "test-connections": (
        "soulsync.cli.runner",
        "Check every service: one line each, ok or failing and why (exit 1 if any fails).",
    ),
    "schedule": (
        "soulsync.cli.schedule",
        "Sync followed playlists on a schedule (runs under serve).",
    ),
    "watch": (
        "soulsync.cli.watch",
        "Watch artists for new releases (to the wishlist or the queue).",
    ),
    "config": ("soulsync.cli.config", "Inspect the configuration."),
    "api-key": ("soulsync.cli.admin", "Manage API keys for scripts and other programs."),
    "admin": ("soulsync.cli.admin", "Administrator account."),
}


def load_commands(module_name: str) -> dict[str, Any]:
    """Import one command module and return the click commands it defines, by name.

    Raises ``ModuleNotFoundError`` for a listed module that is not there (a
    packaging mistake, never hidden) or one whose dependencies are missing.
    """
    module = importlib.import_module(module_name)
    holder = typer.Typer()
    if hasattr(module, "register"):
        module.register(holder)
    else:
        # A module that is one command group: ``soulsync <name> …``.
        holder.add_typer(module.app, name=module_name.rsplit(".", 1)[-1])
    return dict(typer.main.get_group(holder).commands)
