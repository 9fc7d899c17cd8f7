"""``soulsync config show|path|check``."""

from __future__ import annotations

from typing import Annotated

import typer

from soulsync.cli.common import console, settings
from soulsync.config import default_config_path
from soulsync.config_render import render_toml

config_app = typer.Typer(help="Inspect the configuration.", no_args_is_help=True)


@config_app.command("show")
def show(
    ctx: typer.Context,
    env: Annotated[
        bool, typer.Option("--env", help="Show each key's environment variable.")
    ] = False,
) -> None:
    """Print the effective configuration as TOML, with secrets masked."""
    # markup off and soft wrap: the output must stay valid TOML, byte for byte.
    console.print(
        render_toml(settings(ctx), with_env_names=env), markup=False, soft_wrap=True, end=""
    )


@config_app.command("path")
def path(ctx: typer.Context) -> None:
    """Print which config file is used (the default one may not exist yet)."""
    loaded = settings(ctx)
    shown = loaded.source_path or f"{default_config_path()} (not present; using defaults)"
    console.print(str(shown), markup=False, soft_wrap=True)


@config_app.command("check")
def check(ctx: typer.Context) -> None:
    """Validate the configuration; exit 0 and print "ok" if it is valid."""
    loaded = settings(ctx)
    console.print(f"ok: {loaded.source_path or 'defaults and environment'}", markup=False)


def register(app: typer.Typer) -> None:
    """Add ``soulsync config`` to the root app."""
    app.add_typer(config_app, name="config")
