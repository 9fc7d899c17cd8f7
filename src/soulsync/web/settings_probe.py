"""Test connection with what is typed in the Settings form, not the running config.

The form's values (unsaved) are laid over the saved settings, a temporary
client is built from them, asked once, and closed. Secrets left empty in the
form keep their stored value (the fields are write-only).
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from soulsync.config import Settings
from soulsync.providers.base import ConnectionStatus, ProviderError
from soulsync.providers.folder import FolderLibrary
from soulsync.providers.plex import PlexMediaServer
from soulsync.providers.slskd import SlskdClient
from soulsync.store import Store

# The sections tested with typed values (Spotify needs its login, Deezer has no
# settings but "enabled": both are tested as the running app has them).
TYPED = ("slskd", "plex", "folder_library")


def typed_settings(current: Settings, section: str, changes: dict[str, Any]) -> Settings:
    """``current`` with ``changes`` applied to ``section``; ``ValueError`` if invalid."""
    model = getattr(current, section)
    data = model.model_dump()
    data.update(changes)
    try:
        fresh = type(model).model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise ValueError(f"{where}: {first.get('msg', 'invalid value')}") from exc
    return current.model_copy(update={section: fresh})


async def probe(settings: Settings, store: Store, section: str) -> ConnectionStatus:
    """Test ``section``'s service as ``settings`` describe it, with a client of its own."""
    try:
        if section == "slskd":
            if not settings.slskd.api_key.get_secret_value():
                return ConnectionStatus("slskd", False, "no API key: type slskd's API key")
            slskd = SlskdClient.from_settings(settings)
            try:
                return await slskd.test_connection()
            finally:
                await slskd.aclose()
        if section == "plex":
            if not settings.plex.url or not settings.plex.token.get_secret_value():
                return ConnectionStatus("plex", False, "type the server's URL and a token")
            plex = PlexMediaServer.from_settings(settings.plex)
            try:
                return await plex.test_connection()
            finally:
                await plex.aclose()
        if section == "folder_library":
            if settings.folder_library.path is None:
                return ConnectionStatus("folder", False, "no folder: type the library's path")
            folder = FolderLibrary.from_settings(store, settings)
            return await folder.test_connection()
    except (ProviderError, ValueError, OSError) as exc:
        return ConnectionStatus(section, False, str(exc))
    raise ValueError(f"{section} is not tested with typed values")
