"""The ``soulsync`` command: the root Typer app and its global options.

Commands live in their own modules (``cli.serve``, ``cli.config``…). Each
exposes ``register(app: typer.Typer) -> None`` and is listed in
``COMMAND_MODULES`` below. Errors the user can fix (``ConfigError``,
``StoreError``, ``CliError``) are printed as one red line, never a traceback.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from typer.core import TyperGroup

from soulsync import __version__
from soulsync.cli.common import CliError, CliState, err_console
from soulsync.config import ConfigError
from soulsync.store import StoreError
from soulsync.web.server import ServeError

# Exit code for configuration and database problems (the usual "usage" code).
EXIT_CONFIG = 2


class _RootGroup(TyperGroup):
    """Turns the errors a user can fix into one red line and an exit code."""

    def invoke(self, ctx: Any) -> Any:  # typer's own click Context
        try:
            return super().invoke(ctx)
        except (ConfigError, StoreError) as exc:
            _fail(str(exc), EXIT_CONFIG)
        except ServeError as exc:
            _fail(str(exc), 1)
        except CliError as exc:
            _fail(str(exc), exc.exit_code)


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
# Each module below either exposes `register(app: typer.Typer) -> None`, which
# adds its commands (`app.command("name")(func)`) or groups, or is one command
# group: a Typer named `app`, added as `soulsync <suffix of the module name>`.
# To add a command: write `src/soulsync/cli/<name>.py` and list it here.
COMMAND_MODULES: tuple[str, ...] = (
    "soulsync.cli.serve",  # soulsync serve
    "soulsync.cli.config",  # soulsync config show|path|check
    "soulsync.cli.admin",  # soulsync api-key …, soulsync admin reset-password
    "soulsync.cli.demo",  # soulsync demo [--smoke], soulsync sandbox
    "soulsync.cli.spotify",  # soulsync spotify login|playlists
    "soulsync.cli.deezer",  # soulsync deezer playlist ID
    "soulsync.cli.slskd",  # soulsync slskd test|search
    "soulsync.cli.library",  # soulsync library scan|stats|find
    "soulsync.cli.downloads",  # soulsync download, queue, history
    "soulsync.cli.sync",  # soulsync sync, wishlist, report
    "soulsync.cli.runner",  # soulsync test-connections
    "soulsync.cli.schedule",  # soulsync schedule list|set|clear
    "soulsync.cli.watch",  # soulsync watch add|list|remove|check
)


def _register_all(root: typer.Typer) -> None:
    for name in COMMAND_MODULES:
        module = importlib.import_module(name)
        if hasattr(module, "register"):
            module.register(root)
        else:
            # A module that is one command group: ``soulsync <name> …``.
            root.add_typer(module.app, name=name.rsplit(".", 1)[-1])


_register_all(app)
