"""``soulsync demo`` and ``soulsync sandbox``: try SoulSync without any accounts."""

from __future__ import annotations

import json
import tempfile
import threading
from pathlib import Path
from typing import Annotated

import typer

from soulsync.cli.common import CliError, console
from soulsync.web.server import ServeError, bind_socket, make_server


def demo(
    port: Annotated[
        int, typer.Option(min=0, max=65535, help="Web UI port (0: any free one).")
    ] = 8008,
    directory: Annotated[
        Path | None,
        typer.Option("--dir", help="Keep the demo world here (default: a temporary folder)."),
    ] = None,
    smoke: Annotated[
        bool,
        typer.Option("--smoke", help="Run the pipeline headless end to end, report, and exit."),
    ] = False,
    time_scale: Annotated[
        float, typer.Option(min=1, help="How much faster simulated Soulseek time runs.")
    ] = 20.0,
) -> None:
    """Start the sandbox services and SoulSync against them (no accounts needed)."""
    from soulsync.demo import DEMO_PASSWORD, DEMO_USER, build_demo_app, prepare_demo
    from soulsync.sandbox.server import ServerStartError
    from soulsync.smoke import run_smoke

    temp = None if directory else tempfile.TemporaryDirectory(prefix="soulsync-demo-")
    root = directory or Path(temp.name)  # type: ignore[union-attr]
    sock = None
    if not smoke:
        try:
            sock = bind_socket("127.0.0.1", port)  # fail fast if the port is taken
        except ServeError as exc:
            raise CliError(str(exc)) from exc
    try:
        console.print(f"Starting the sandbox in {root} …")
        try:
            demo_world = prepare_demo(root, web_port=port, time_scale=time_scale)
        except ServerStartError as exc:
            raise CliError(str(exc)) from exc
        try:
            if smoke:
                result = run_smoke(demo_world)
                for line in result.lines:
                    console.print(line, soft_wrap=True)
                for problem in result.problems:
                    console.print(f"[red]problem:[/] {problem}", soft_wrap=True)
                console.print("[green]smoke OK[/]" if result.ok else "[red]smoke FAILED[/]")
                typer.echo(json.dumps(result.as_json()))
                if not result.ok:
                    raise typer.Exit(1)
                return
            app, _services = build_demo_app(demo_world)
            assert sock is not None
            actual_port = sock.getsockname()[1]
            console.print(
                f"\n[bold]SoulSync demo[/] on http://127.0.0.1:{actual_port}/  "
                f"login [bold]{DEMO_USER}[/] / [bold]{DEMO_PASSWORD}[/]"
            )
            for name, url in demo_world.sandbox.urls().items():
                console.print(f"  sandbox {name:<8} {url}")
            console.print(f"  config          {demo_world.config_path}")
            console.print("Ctrl-C stops everything.")
            make_server(app).run(sockets=[sock])
        finally:
            demo_world.close()
    finally:
        if sock is not None:
            sock.close()
        if temp is not None:
            temp.cleanup()


SANDBOX_CONFIG_NAME = "sandbox-config.toml"


def sandbox(
    directory: Annotated[
        Path | None, typer.Option("--dir", help="Folder for the sandbox (default: temporary).")
    ] = None,
) -> None:
    """Start only the simulated services and print their URLs and a matching config.

    The config is written to ``sandbox-config.toml`` in the sandbox folder (its
    path is printed), ready for ``soulsync --config PATH …``.
    """
    from soulsync.config_render import toml_text
    from soulsync.sandbox.runner import start_sandbox
    from soulsync.sandbox.server import ServerStartError

    temp = None if directory else tempfile.TemporaryDirectory(prefix="soulsync-sandbox-")
    root = directory or Path(temp.name)  # type: ignore[union-attr]
    try:
        try:
            world = start_sandbox(root)
        except ServerStartError as exc:
            raise CliError(str(exc)) from exc
        try:
            for name, url in world.urls().items():
                console.print(f"{name:<8} {url}")
            config_file = root / SANDBOX_CONFIG_NAME
            text = toml_text(world.config(), header="soulsync sandbox: settings for its services")
            # 0600 like every config SoulSync writes: it holds the simulators' keys.
            config_file.touch(mode=0o600)
            config_file.write_text(text, encoding="utf-8")
            console.print(f"\nconfig for these services written to {config_file}", soft_wrap=True)
            console.print(f"try: soulsync --config {config_file} test-connections", soft_wrap=True)
            console.print("Ctrl-C stops the sandbox.")
            threading.Event().wait()
        except KeyboardInterrupt:
            console.print("stopping…")
        finally:
            world.stop()
    finally:
        if temp is not None:
            temp.cleanup()


def register(app: typer.Typer) -> None:
    """Add ``soulsync demo`` and ``soulsync sandbox`` to the root app."""
    app.command("demo")(demo)
    app.command("sandbox")(sandbox)
