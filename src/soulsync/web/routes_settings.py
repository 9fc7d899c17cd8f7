"""Settings: each service with Test connection, secrets write-only, quality profile,
thresholds, schedule, API keys, and the Spotify login (PKCE).

Edits are saved to the config file the app was started with (see
:mod:`soulsync.web.settings_file`) and applied at once: the services are
rebuilt from them (:mod:`soulsync.services.reconfigure`).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

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
from soulsync.web.settings_form import EDITABLE, TITLES, fields, parse_form
from soulsync.web.settings_probe import TYPED, probe, typed_settings
from soulsync.web.templating import render
from soulsync.web.ui import error_response, error_text, services_of, with_toast

log = logging.getLogger(__name__)
router = APIRouter()

# Sections with a Test connection button, and the service name each one tests.
TESTABLE = {
    "slskd": "slskd",
    "plex": "plex",
    "jellyfin": "jellyfin",
    "navidrome": "navidrome",
    "folder_library": "folder",
    "spotify": "spotify",
    "deezer": "deezer",
}


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
