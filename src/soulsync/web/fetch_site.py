"""Where a browser request comes from, by the Fetch Metadata headers (``Sec-Fetch-*``).

Browsers label every request with ``Sec-Fetch-Site`` (``same-origin``,
``same-site``, ``cross-site`` or ``none`` for a typed address or bookmark)
and ``Sec-Fetch-Mode`` (``navigate`` for a top-level page load). See
https://www.w3.org/TR/fetch-metadata/ and https://web.dev/articles/fetch-metadata.

SoulSync's policy (a "resource isolation policy"):

* another site may only *navigate* to a page with GET (a link); it may not
  load our URLs as images, scripts or fetches, where a logged-in browser's
  cookie would ride along (the middleware answers 403);
* a page reached by such a cross-site link does nothing on its own: the
  search page does not start its search, the artist page does not query the
  metadata services (``is_cross_site``).

Clients that send no ``Sec-Fetch-Site`` (scripts, old browsers) fall back to
``Origin``/``Referer`` when present.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

_SAFE_SITES = frozenset({"same-origin", "none"})


def is_cross_site(headers: Mapping[str, str]) -> bool:
    """True when a browser says (or the Origin/Referer shows) the request came from another site."""
    site = headers.get("sec-fetch-site")
    if site is not None:
        return site.strip().lower() not in _SAFE_SITES
    origin = headers.get("origin") or headers.get("referer")
    if not origin or origin == "null":
        return origin == "null"
    return urlsplit(origin).netloc.lower() != headers.get("host", "").lower()


def cross_site_refusal(method: str, headers: Mapping[str, str]) -> str | None:
    """Why a cross-site request is refused (anything but a GET/HEAD navigation), or None."""
    if not is_cross_site(headers):
        return None
    mode = headers.get("sec-fetch-mode", "navigate").lower()
    if method in ("GET", "HEAD") and mode == "navigate":
        return None
    return "requests from other sites are refused"
