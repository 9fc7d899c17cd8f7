"""slskd's errors as SoulSync errors, and the API path segment for a peer's name.

Kept apart from :mod:`.slskd` (the client) so the client reads as the API it
calls; everything here is re-exported there.
"""

from __future__ import annotations

import json as json_module
from urllib.parse import quote

import httpx

from soulsync.providers.base import ProviderError, ServiceUnavailable

__all__ = [
    "LOGGED_OUT_WORDING",
    "SERVICE",
    "InvalidSearch",
    "NotLoggedIn",
    "PeerUnavailable",
    "UnusablePeerName",
    "brief_error",
    "peer_segment",
    "retry_after_s",
]

SERVICE = "slskd"


class PeerUnavailable(ProviderError):
    """The Soulseek user cannot be reached (offline, or refused the request)."""


class UnusablePeerName(PeerUnavailable):
    """A Soulseek user name that cannot be put in an slskd API path (see ``peer_segment``)."""


def peer_segment(username: str) -> str:
    """``username`` as one path segment of slskd's API, or UnusablePeerName.

    ``quote(..., safe='')`` leaves ``.`` alone, and both httpx and slskd's
    server remove dot segments, so ``/users/../directory`` would become
    ``/directory``; a ``/`` (even as ``%2F``) is not decoded back into the
    name by ASP.NET Core's routing, so slskd would look up another user. Such
    names are refused for that one peer (the caller moves on to the next).
    """
    if username in ("", ".", "..") or "/" in username or "\\" in username:
        raise UnusablePeerName(
            SERVICE,
            f"the Soulseek user name {username[:80]!r} cannot be used in slskd's API "
            "(it would change the request path); skipping this peer",
        )
    return quote(username, safe="")


class InvalidSearch(ProviderError):
    """slskd refused the search text itself (400), e.g. nothing but one-letter terms.

    Not worth retrying: the same text is refused again. ``SearchesController.Post``
    (https://github.com/slskd/slskd/blob/master/src/slskd/Search/API/Controllers/SearchesController.cs)
    turns Soulseek.NET's ``ArgumentException`` into this 400.
    """


class NotLoggedIn(ServiceUnavailable):
    """slskd runs but is not logged in to the Soulseek network.

    A search gets 409 (Soulseek.NET's ``InvalidOperationException`` "The server
    connection must be connected and logged in…", mapped to ``Conflict`` by
    ``SearchesController.Post``); an enqueue gets 500 with that same wording.
    Nobody's fault but the network connection's: never counted against a peer.
    """

    def __init__(self, detail: str = "") -> None:
        message = "slskd is not connected to the Soulseek network"
        super().__init__(SERVICE, f"{message} ({detail})" if detail else message)


LOGGED_OUT_WORDING = "must be connected and logged in"


def retry_after_s(response: httpx.Response) -> float | None:
    """A response's ``Retry-After`` in seconds, if it has a usable one."""
    value = response.headers.get("retry-after")
    try:
        return float(value) if value else None
    except ValueError:
        return None


def brief_error(response: httpx.Response) -> str:
    """slskd's error text; ASP.NET sends ``BadRequest("…")`` as a JSON string to JSON clients."""
    text = response.text.strip()
    if text.startswith('"'):
        try:
            decoded = json_module.loads(text)
        except ValueError:
            decoded = None
        if isinstance(decoded, str):
            text = decoded
    text = text.replace("\n", " ")
    return text[:200] if text else response.reason_phrase
