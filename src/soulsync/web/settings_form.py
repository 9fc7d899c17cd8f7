"""The settings page's form model: which fields each section shows, as which control, and back.

:data:`EDITABLE` lists the sections the page edits and their fields in order;
:func:`fields` turns a section of the current settings into form fields
(secrets only as set / not set), and :func:`parse_form` turns a posted form
back into config values for :func:`soulsync.web.settings_file.apply_changes`
to check and save. The routes are in :mod:`soulsync.web.routes_settings`.
"""

from __future__ import annotations

import types
import typing
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from soulsync.config import Settings
from soulsync.web.settings_file import SettingsSaveError

# The sections the page edits, and which fields of each (in order).
EDITABLE: dict[str, tuple[str, ...]] = {
    "slskd": ("url", "api_key", "downloads_dir", "search_timeout_ms"),
    "media_server": ("type",),
    "plex": ("url", "token", "music_section"),
    "jellyfin": ("url", "api_key", "username", "password", "library"),
    "navidrome": ("url", "username", "password", "legacy_auth"),
    "folder_library": ("enabled", "path"),
    "spotify": ("client_id", "redirect_uri"),
    "deezer": ("enabled",),
    "paths": ("downloads_dir", "transfer_dir", "album_template", "single_template"),
    "quality": ("profile", "allowed_formats", "min_bitrate", "strict"),
    "matching": ("owned_threshold", "uncertain_threshold", "accept_threshold", "strong_threshold"),
    "sync": ("schedule_hours", "mode"),
    "automation": ("enabled", "jitter_s", "watch_interval_hours", "watch_live", "watch_action"),
    "notifications": ("webhook_url", "format", "retries"),
    "downloads": ("concurrency", "retries"),
    "processing": (
        "enabled",
        "convert",
        "bitrate_kbps",
        "mp3_vbr",
        "convert_lossless_only",
        "replaygain",
        "true_peak",
        "normalize",
        "normalize_lufs",
        "true_peak_db",
        "trim_silence",
        "trim_threshold_db",
        "trim_min_ms",
        "trim_max_ms",
        "lossy_copy",
        "lossy_copy_dir",
        "lossy_copy_format",
        "lossy_copy_bitrate_kbps",
        "workers",
    ),
}
TITLES = {
    "slskd": "Soulseek (slskd)",
    "media_server": "Media server",
    "plex": "Plex",
    "jellyfin": "Jellyfin",
    "navidrome": "Navidrome / Subsonic",
    "folder_library": "Folder library",
    "spotify": "Spotify",
    "deezer": "Deezer",
    "paths": "Paths",
    "quality": "Quality profile",
    "matching": "Matching thresholds",
    "sync": "Sync schedule",
    "automation": "Automation",
    "notifications": "Notifications",
    "downloads": "Downloads",
    "processing": "Audio processing",
}
HELP = {
    ("slskd", "api_key"): "slskd's API key (web.authentication.api_keys in slskd.yml).",
    ("slskd", "downloads_dir"): "slskd's downloads folder as SoulSync sees it.",
    ("plex", "token"): "Your X-Plex-Token.",
    ("plex", "music_section"): "The music library's name on the server.",
    ("media_server", "type"): "Which server holds the library and the mirrored playlists "
    "(auto: Plex if its URL is set, else the folder library).",
    ("jellyfin", "api_key"): "Dashboard → API Keys; or leave empty and give a user and password.",
    ("jellyfin", "username"): "The playlists' owner (with an API key: empty = first admin).",
    ("navidrome", "username"): "An admin user (scans need admin rights).",
    ("navidrome", "legacy_auth"): "Send the password instead of a token (detected anyway).",
    ("automation", "jitter_s"): "Spread scheduled runs by up to this many seconds.",
    ("automation", "watch_interval_hours"): "Check watched artists every N hours (0 = by hand).",
    ("notifications", "webhook_url"): "Discord, ntfy or any JSON receiver; empty = off.",
    ("spotify", "redirect_uri"): "Must match the redirect URI of your Spotify app.",
    ("paths", "album_template"): "Where album tracks are filed under the transfer folder.",
    ("quality", "allowed_formats"): "Formats that may be downloaded at all, comma separated.",
    ("sync", "schedule_hours"): "Wishlist retry and scheduled sync every N hours (0 = off).",
    ("matching", "owned_threshold"): "A library match at least this sure counts as owned.",
    ("matching", "accept_threshold"): "A Soulseek file below this score is never downloaded.",
    ("processing", "convert"): "keep leaves every file in its format; lossless stays lossless.",
    ("processing", "bitrate_kbps"): "Empty: 320 (mp3), 160 (opus), 256 (aac).",
    ("processing", "mp3_vbr"): "0-9 for LAME VBR (0 = V0) instead of a constant bit rate.",
    (
        "processing",
        "replaygain",
    ): "ReplayGain 2.0 tags (-18 LUFS); album gain once the album is complete.",
    ("processing", "normalize"): "Rewrites the audio to the target (one gain, never clipping).",
    ("processing", "trim_silence"): "Cuts silence at the very start and end only.",
    ("processing", "trim_max_ms"): "Never trims more than this at either end.",
    ("processing", "lossy_copy_dir"): "A second tree of lossy copies (e.g. for a phone).",
    ("processing", "workers"): "Files processed at once; 0 = number of cores.",
}


def _kind(annotation: Any) -> tuple[str, Any]:
    """The form control for a field type: text, secret, bool, int, float, list, path, select."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (types.UnionType, typing.Union):
        inner = [a for a in args if a is not type(None)]
        return _kind(inner[0]) if inner else ("text", None)
    if origin is typing.Literal:
        return "select", args
    if origin is list:
        return "list", None
    if annotation is SecretStr:
        return "secret", None
    if annotation is bool:
        return "bool", None
    if annotation is int:
        return "int", None
    if annotation is float:
        return "float", None
    if annotation is Path:
        return "path", None
    return "text", None


def fields(settings: Settings, section: str) -> list[dict[str, Any]]:
    """The form fields of a section with their current values (secrets only as set / not set)."""
    model = getattr(settings, section)
    out = []
    for name in EDITABLE[section]:
        info = type(model).model_fields[name]
        kind, options = _kind(info.annotation)
        value = getattr(model, name)
        shown: Any = value
        if kind == "secret":
            shown = ""
            is_set = bool(value.get_secret_value())
        else:
            is_set = value is not None
        if kind == "list":
            shown = ", ".join(value or [])
        if kind in ("path", "int", "float"):
            shown = str(value) if value is not None else ""
        out.append(
            {
                "name": name,
                "id": f"{section}-{name}",
                "label": name.replace("_", " ")
                .capitalize()
                .replace("Api key", "API key")
                .replace("Url", "URL"),
                "kind": kind,
                "value": shown,
                "is_set": is_set,
                "options": options,
                "help": HELP.get((section, name)),
            }
        )
    return out


def parse_form(settings: Settings, section: str, form: Any) -> dict[str, Any]:
    """Form values -> config values for ``section`` (checked by the save)."""
    model = getattr(settings, section)
    changes: dict[str, Any] = {}
    for name in EDITABLE[section]:
        info = type(model).model_fields[name]
        kind, _ = _kind(info.annotation)
        if kind == "bool":
            changes[name] = form.get(name) in ("on", "true", "1")
            continue
        if kind == "list" and name == "profile":
            values = [v.strip() for v in form.getlist(name) if isinstance(v, str) and v.strip()]
            if values:
                changes[name] = values
            continue
        raw = form.get(name)
        if not isinstance(raw, str):
            continue
        raw = raw.strip()
        if kind == "secret":
            if raw:
                changes[name] = raw  # empty: keep the stored secret
            continue
        if kind == "list":
            changes[name] = [v.strip() for v in raw.split(",") if v.strip()]
        elif kind == "path":
            changes[name] = raw or None
        elif kind in ("int", "float") and not raw and _optional(info.annotation):
            changes[name] = None  # an empty optional number: back to the default
        elif kind == "int":
            changes[name] = _number(raw, int, name)
        elif kind == "float":
            changes[name] = _number(raw, float, name)
        else:
            changes[name] = raw
    return changes


def _optional(annotation: Any) -> bool:
    """True for ``X | None`` annotations."""
    return type(None) in typing.get_args(annotation)


def _number(raw: str, kind: type, name: str) -> Any:
    try:
        return kind(raw)
    except ValueError as exc:
        raise SettingsSaveError(f"{name}: {raw!r} is not a number") from exc
