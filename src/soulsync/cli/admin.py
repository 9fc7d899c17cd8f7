"""``soulsync api-key create|list|revoke`` and ``soulsync admin reset-password``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer
from rich.table import Table

from soulsync.cli.common import CliError, console, open_store, settings
from soulsync.web.apikeys import (
    SCOPES,
    create_api_key,
    list_api_keys,
    revoke_all_api_keys,
    revoke_api_key,
)
from soulsync.web.auth import SetupError, change_admin_password
from soulsync.web.sessions import SessionRegistry

api_key_app = typer.Typer(
    help="Manage API keys for scripts and other programs.", no_args_is_help=True
)
admin_app = typer.Typer(help="Administrator account.", no_args_is_help=True)


def _when(ts: float | None) -> str:
    return datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M") if ts else "never"


@api_key_app.command("create")
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="What the key is for.")],
    scope: Annotated[
        str,
        typer.Option(help=f"One of {', '.join(SCOPES)}: read-only, or changes too."),
    ] = "read",
) -> None:
    """Create a key and print it once (only its hash is stored)."""
    store = open_store(settings(ctx))
    try:
        info, key = create_api_key(store, name, scope)
    except ValueError as exc:
        raise CliError(str(exc)) from exc
    finally:
        store.close()
    console.print(
        f"Created {info.scope} API key {info.name!r} (id {info.id}). "
        "Copy it now; it is not shown again:"
    )
    console.print(key, markup=False, soft_wrap=True)


@api_key_app.command("list")
def list_keys(ctx: typer.Context) -> None:
    """List keys (names, ids, dates; never the keys)."""
    store = open_store(settings(ctx))
    try:
        keys = list_api_keys(store)
    finally:
        store.close()
    if not keys:
        console.print("No API keys.")
        return
    table = Table("id")
    table.add_column("name", no_wrap=True)
    for title in ("scope", "starts with", "created", "last used"):
        table.add_column(title)
    for k in keys:
        table.add_row(
            k.id, k.name, k.scope, k.hint + "…", _when(k.created_at), _when(k.last_used_at)
        )
    console.print(table)


@api_key_app.command("revoke")
def revoke(
    ctx: typer.Context, key: Annotated[str, typer.Argument(help="The key's id or name.")]
) -> None:
    """Delete a key; requests using it fail from now on."""
    store = open_store(settings(ctx))
    try:
        found = revoke_api_key(store, key)
    finally:
        store.close()
    if not found:
        raise CliError(f"no API key with id or name {key!r}")
    console.print(f"Revoked {key!r}.")


@admin_app.command("reset-password")
def reset_password(
    ctx: typer.Context,
    password: Annotated[
        str,
        typer.Option(
            prompt=True, confirmation_prompt=True, hide_input=True, help="The new password."
        ),
    ],
) -> None:
    """Set a new admin password, log every browser out and revoke every API key."""
    config = settings(ctx)
    store = open_store(config)
    try:
        change_admin_password(store, password, password)
        SessionRegistry(store, config.web.session_max_age_s).revoke_all()
        # A reset usually means the password leaked; a key made with it may have too.
        revoked = revoke_all_api_keys(store)
    except SetupError as exc:
        raise CliError(str(exc)) from exc
    finally:
        store.close()
    console.print(
        f"Password changed; all sessions were logged out and {revoked} API key(s) revoked."
    )


def register(app: typer.Typer) -> None:
    """Add ``soulsync api-key`` and ``soulsync admin`` to the root app."""
    app.add_typer(api_key_app, name="api-key")
    app.add_typer(admin_app, name="admin")
