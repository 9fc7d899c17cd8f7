"""Settings: each service with Test connection, secrets write-only, quality profile,
thresholds, schedule, API keys, and the Spotify login (PKCE).

Edits are saved to the config file the app was started with (see
:mod:`soulsync.web.settings_file`) and applied at once: the services are
rebuilt from them (:mod:`soulsync.services.reconfigure`).
"""

from __future__ import annotations

import asyncio
import logging
import types
import typing
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import SecretStr

from soulsync.config import Settings
from soulsync.config_files import KNOWN_FORMATS
from soulsync.providers.base import ConnectionStatus, ProviderError
from soulsync.providers.spotify_auth import SpotifyAuth
from soulsync.providers.token_cipher import cipher_for
from soulsync.services.container import AppServices
from soulsync.services.reconfigure import AppliedSettings, apply_settings
from soulsync.web.apikeys import create_api_key, list_api_keys, revoke_api_key
from soulsync.web.middleware import content_security_policy, image_origins
from soulsync.web.routes_dashboard import forget_statuses
from soulsync.web.settings_file import SettingsSaveError, apply_changes, config_path
from soulsync.web.settings_probe import TYPED, probe, typed_settings
from soulsync.web.templating import render
from soulsync.web.ui import error_response, error_text, services_of, with_toast

log = logging.getLogger(__name__)
router = APIRouter()

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
TESTABLE = {
    "slskd": "slskd",
    "plex": "plex",
    "jellyfin": "jellyfin",
    "navidrome": "navidrome",
    "folder_library": "folder",
    "spotify": "spotify",
    "deezer": "deezer",
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


def _section_context(request: Request, section: str, **extra: Any) -> dict[str, Any]:
    settings: Settings = request.app.state.settings
    current: Settings = getattr(request.app.state, "saved_settings", None) or settings
    ctx = {
        "section": section,
        "title": TITLES[section],
        "fields": fields(current, section),
        "testable": section in TESTABLE,
        "formats": KNOWN_FORMATS,
        "saved": None,
        "error": None,
        "path": config_path(settings),
        "spotify": _spotify(request) if section == "spotify" else None,
        "callback_url": str(request.url_for("spotify_callback")),
    }
    ctx.update(extra)
    return ctx


def _spotify(request: Request) -> dict[str, Any]:
    services = services_of(request)
    settings: Settings = request.app.state.settings
    info: dict[str, Any] = {
        "configured": bool(settings.spotify.client_id),
        "logged_in": False,
        "cooldown": None,
    }
    if services is not None and services.spotify is not None:
        _usable, why = services.metadata.spotify_usable()
        info["logged_in"] = bool(services.spotify.configured)
        info["why"] = why
        cooldown = services.spotify.cooldown.current()
        if cooldown is not None:
            info["cooldown"] = {
                "minutes": int(cooldown.remaining_s // 60) + 1,
                "reason": cooldown.reason,
            }
    return info


@router.get("/settings", include_in_schema=False)
async def settings_page(
    request: Request, spotify: str | None = None, why: str | None = None
) -> Response:
    """The settings page (``spotify=ok|failed`` after the login's callback, with ``why``)."""
    sections = [_section_context(request, s) for s in EDITABLE]
    login = None
    if spotify == "ok":
        login = {"ok": True, "text": "Logged in to Spotify."}
    elif spotify == "failed":
        login = {
            "ok": False,
            "text": f"The Spotify login did not finish: {(why or 'no reason given')[:300]}. Try again.",
        }
    return render(
        request,
        "settings.html",
        {
            "sections": sections,
            "path": config_path(request.app.state.settings),
            "keys": list_api_keys(request.app.state.store),
            "spotify": _spotify(request),
            "login": login,
            "new_key": None,
        },
    )


@router.post("/settings/section/{section}", include_in_schema=False)
async def save_section(request: Request, section: str) -> Response:
    """Save one section to the config file."""
    if section not in EDITABLE:
        return Response("unknown settings section", status_code=404)
    settings: Settings = request.app.state.settings
    path = config_path(settings)
    form = await request.form()
    if path is None:
        ctx = _section_context(
            request,
            section,
            error="SoulSync was started without a config file, so there is nowhere to save. Start it with --config FILE.",
        )
        return render(request, "partials/settings_section.html", ctx)
    try:
        changes = parse_form(settings, section, form)
        saved = await asyncio.to_thread(apply_changes, path, {section: changes})
    except SettingsSaveError as exc:
        # 200 on purpose: htmx swaps it in, so the message shows next to the form.
        ctx = _section_context(request, section, error=f"Not saved: {exc}")
        return render(request, "partials/settings_section.html", ctx)
    request.app.state.saved_settings = saved
    log.info("settings [%s] saved to %s", section, path)
    outcome = await _apply(request, saved)
    if outcome.applied:
        text = f"Saved and {outcome.message}."
        toast, kind = f"{TITLES[section]} saved and applied", "ok"
    else:
        text = f"Saved to {path}, but {outcome.message}."
        toast, kind = f"{TITLES[section]} saved, not applied", "error"
    ctx = _section_context(request, section, saved=text)
    return with_toast(render(request, "partials/settings_section.html", ctx), toast, kind)


async def _apply(request: Request, saved: Settings) -> AppliedSettings:
    """Rebuild the running services from the saved settings (no restart).

    A running sync finishes with the clients it started with; downloads under
    way finish with the old slskd client, the next ones use the new one (see
    :mod:`soulsync.services.reconfigure`).
    """
    services = services_of(request)
    if not isinstance(services, AppServices):
        return AppliedSettings(
            False,
            "not applied: the services are not running in this process "
            "(they read the file when they start)",
        )
    outcome = await apply_settings(services, saved)
    if outcome.applied:
        request.app.state.settings = saved
        # Cover images may now come from another server (e.g. a new Plex URL).
        request.app.state.auth.csp = content_security_policy(image_origins(saved))
        forget_statuses(request)  # the dashboard tests the new services, not the old answers
    return outcome


@router.post("/settings/test/{section}", include_in_schema=False)
async def test_connection(request: Request, section: str) -> Response:
    """Test one service's connection with the values typed in its form (unsaved).

    slskd, Plex and the folder library get a temporary client built from the
    form laid over the saved settings; Spotify and Deezer are tested as the
    running app has them (a login / nothing to type).
    """
    services = services_of(request)
    name = TESTABLE.get(section)
    if name is None:
        return Response("nothing to test here", status_code=404)
    if section in TYPED:
        current: Settings = getattr(request.app.state, "saved_settings", None) or (
            request.app.state.settings
        )
        try:
            typed = typed_settings(
                current, section, parse_form(current, section, await request.form())
            )
        except (ValueError, SettingsSaveError) as exc:
            status = ConnectionStatus(name, False, str(exc))
        else:
            status = await probe(typed, request.app.state.store, section)
    elif services is None:
        status = ConnectionStatus(name, False, "the services are not running in this process")
    else:
        status = await _test_one(services, name)
    return render(request, "partials/settings_test.html", {"status": status})


# Test-connection names of the media servers, and the adapter class each one uses.
_SERVER_CLASSES = {
    "plex": "PlexMediaServer",
    "jellyfin": "JellyfinMediaServer",
    "navidrome": "SubsonicMediaServer",
    "folder": "FolderLibrary",
}
_SERVER_NAMES = {
    "PlexMediaServer": "Plex",
    "JellyfinMediaServer": "Jellyfin",
    "SubsonicMediaServer": "Navidrome/Subsonic",
    "FolderLibrary": "the folder library",
}


async def _test_one(services: Any, name: str) -> ConnectionStatus:
    server = services.media_server
    server_kind = type(server).__name__ if server is not None else None
    try:
        if name == "slskd":
            if services.slskd is None:
                return ConnectionStatus(name, False, services.notes.get("slskd", "not configured"))
            result: ConnectionStatus = await services.slskd.test_connection()
            return result
        if name in _SERVER_CLASSES:
            if server is None:
                return ConnectionStatus(
                    name, False, services.notes.get("library", "not configured")
                )
            if server_kind != _SERVER_CLASSES[name]:
                other = _SERVER_NAMES.get(server_kind or "", "another server")
                return ConnectionStatus(name, False, f"not in use: {other} is the library")
            result = await server.test_connection()
            return result
        for status in await services.test_connections():
            if status.service == name:
                return status
    except ProviderError as exc:
        return ConnectionStatus(name, False, error_text(exc))
    return ConnectionStatus(name, False, services.notes.get(name, "not configured"))


@router.get("/settings/plex/sections", include_in_schema=False)
async def plex_sections(request: Request) -> Response:
    """The Plex server's music libraries, to pick one."""
    settings: Settings = request.app.state.settings
    if not settings.plex.url:
        return render(
            request,
            "partials/plex_sections.html",
            {"error": "Set the Plex URL and token first.", "names": []},
        )
    try:
        names = await asyncio.to_thread(
            _music_sections, settings.plex.url, settings.plex.token.get_secret_value()
        )
    except Exception as exc:  # noqa: BLE001 - plexapi raises many kinds; shown as a message
        return render(
            request,
            "partials/plex_sections.html",
            {"error": f"Plex did not answer: {error_text(exc)}", "names": []},
        )
    return render(
        request,
        "partials/plex_sections.html",
        {"error": None, "names": names, "current": settings.plex.music_section},
    )


def _music_sections(url: str, token: str) -> list[str]:
    from plexapi.server import PlexServer  # imported late: plexapi is slow to load

    server = PlexServer(url, token, timeout=10)
    return [s.title for s in server.library.sections() if s.type == "artist"]


# -- Spotify login --------------------------------------------------------------------------------


def _auth(request: Request) -> SpotifyAuth:
    settings: Settings = request.app.state.settings
    saved: Settings = getattr(request.app.state, "saved_settings", None) or settings
    return SpotifyAuth(
        request.app.state.store,
        client_id=settings.spotify.client_id,
        # A redirect URI just saved counts at once: the login is its only user
        # (the running client keeps its client id, which its tokens belong to).
        redirect_uri=saved.spotify.redirect_uri,
        accounts_base=settings.spotify.accounts_base,
        scopes=tuple(settings.spotify.scopes),
        cipher=cipher_for(settings),
    )


@router.post("/settings/spotify/login", include_in_schema=False)
async def spotify_login(request: Request) -> Response:
    """Start the PKCE login; answers Spotify's authorize address for the page to open.

    A POST (with the CSRF token), not a GET: starting a login replaces the
    pending one, which another site must not be able to do with a link.
    """
    settings: Settings = request.app.state.settings
    if not settings.spotify.client_id:
        return error_response(
            request, "Set the Spotify client id first (Settings → Spotify, then Save).", 409
        )
    auth = _auth(request)
    try:
        login = auth.begin_login()
    finally:
        await auth.aclose()
    return JSONResponse({"url": login.url})


@router.post("/settings/spotify/complete", include_in_schema=False)
async def spotify_complete(request: Request) -> Response:
    """Finish the login with the address Spotify sent the browser back to."""
    form = await request.form()
    url = form.get("url")
    auth = _auth(request)
    try:
        if not isinstance(url, str) or "code=" not in url:
            raise ValueError("paste the whole address you landed on (it contains ?code=…)")
        await auth.complete_login(url.strip())
    except (ValueError, ProviderError) as exc:
        return with_toast(
            Response(status_code=204), f"Spotify login failed: {error_text(exc)}", "error"
        )
    finally:
        await auth.aclose()
    return with_toast(
        Response(status_code=204), "Logged in to Spotify", "ok", **{"refresh-page": True}
    )


@router.post("/settings/spotify/logout", include_in_schema=False)
async def spotify_logout(request: Request) -> Response:
    """Forget the Spotify tokens."""
    auth = _auth(request)
    try:
        auth.logout()
    finally:
        await auth.aclose()
    return with_toast(
        Response(status_code=204), "Logged out of Spotify", "ok", **{"refresh-page": True}
    )


# -- API keys ------------------------------------------------------------------------------------------


@router.post("/settings/api-keys", include_in_schema=False)
async def create_key(request: Request) -> Response:
    """Create an API key; it is shown once."""
    form = await request.form()
    name = form.get("name")
    scope = form.get("scope")
    store = request.app.state.store
    try:
        info, key = create_api_key(
            store,
            name if isinstance(name, str) else "",
            scope if isinstance(scope, str) and scope else "read",
        )
    except ValueError as exc:
        return render(
            request,
            "partials/api_keys.html",
            {"keys": list_api_keys(store), "error": str(exc)},
            status_code=400,
        )
    return render(
        request,
        "partials/api_keys.html",
        {"keys": list_api_keys(store), "new_key": key, "new_name": info.name},
    )


@router.post("/settings/api-keys/{key_id}/revoke", include_in_schema=False)
async def revoke_key(request: Request, key_id: str) -> Response:
    """Revoke an API key."""
    store = request.app.state.store
    revoke_api_key(store, key_id)
    return with_toast(
        render(request, "partials/api_keys.html", {"keys": list_api_keys(store)}),
        "API key revoked",
        "ok",
    )


@router.get("/settings/spotify/callback", include_in_schema=False)
async def spotify_callback(request: Request) -> Response:
    """Spotify's redirect, when the redirect URI points at this web UI."""
    auth = _auth(request)
    try:
        await auth.complete_login(str(request.url))
    except (ValueError, ProviderError) as exc:
        why = error_text(exc)
        log.warning("Spotify login failed: %s", why)
        query = urlencode({"spotify": "failed", "why": why})
        return RedirectResponse(f"/settings?{query}#spotify", status_code=303)
    finally:
        await auth.aclose()
    return RedirectResponse("/settings?spotify=ok#spotify", status_code=303)
