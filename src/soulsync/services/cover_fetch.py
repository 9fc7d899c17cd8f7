"""Downloading album covers from the metadata providers' image hosts, and nowhere else.

A cover URL comes from a metadata answer, so the server must not fetch just
anything with it (server-side request forgery). Each URL, and each redirect
target again, must

* be ``http``/``https`` on a host matching ``allowed_hosts`` (default: the
  Spotify and Deezer image CDNs; ``downloads.cover_hosts`` adds more), or be
  one of ``trusted_hosts`` (the hosts of the services the operator configured,
  e.g. a simulator or Plex on the LAN), and
* resolve only to public addresses: loopback, private, link-local, multicast
  and reserved addresses are refused unless the host is trusted.

Redirects are followed by hand (at most ``MAX_REDIRECTS``) so every hop is
checked. The body is streamed and abandoned past ``max_bytes``. Results are
kept in a small LRU cache (``max_cached`` entries) so albums share one fetch
without the process growing forever.

Known limit: the address check and the connection resolve the name
separately, so a DNS answer that changes in between (DNS rebinding) is not
caught; allowed hosts are CDNs we name, which keeps that window narrow.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from fnmatch import fnmatch
from urllib.parse import urljoin, urlsplit

import httpx

from soulsync.config import Settings

log = logging.getLogger(__name__)

# Spotify serves images from i.scdn.co / mosaic.scdn.co and *.spotifycdn.com;
# Deezer from cdn-images.dzcdn.net / e-cdns-images.dzcdn.net (their API answers).
DEFAULT_COVER_HOSTS: tuple[str, ...] = ("*.scdn.co", "*.spotifycdn.com", "*.dzcdn.net")
MAX_REDIRECTS = 3
_CHUNK = 64 * 1024

Resolver = Callable[[str, int], Awaitable[list[str]]]


class CoverRefused(ValueError):
    """The URL (or a redirect) points somewhere covers may not come from."""


async def _system_resolve(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


class CoverFetcher:
    """Downloads each cover URL once (bounded cache), under the rules in the module docstring."""

    def __init__(
        self,
        client: httpx.AsyncClient | None = None,
        max_bytes: int = 10_000_000,
        *,
        allowed_hosts: Iterable[str] = DEFAULT_COVER_HOSTS,
        trusted_hosts: Iterable[str] = (),
        max_cached: int = 128,
        resolve: Resolver | None = None,
    ) -> None:
        self._client = client
        self._own = client is None
        self._cache: OrderedDict[str, bytes | None] = OrderedDict()
        self._locks: dict[str, asyncio.Lock] = {}
        self.max_bytes = max_bytes
        self.max_cached = max_cached
        self.allowed_hosts = tuple(h.lower() for h in allowed_hosts)
        self.trusted_hosts = frozenset(h.lower() for h in trusted_hosts if h)
        self._resolve = resolve or _system_resolve
        self.fetches = 0

    async def get(self, url: str | None) -> bytes | None:
        """The image bytes at ``url``, or None (no URL, refused, or the fetch failed)."""
        if not url:
            return None
        lock = self._locks.setdefault(url, asyncio.Lock())
        try:
            async with lock:
                if url in self._cache:
                    self._cache.move_to_end(url)
                    return self._cache[url]
                data = await self._fetch(url)
                self._cache[url] = data
                while len(self._cache) > self.max_cached:
                    self._cache.popitem(last=False)
                return data
        finally:
            if not lock.locked():
                self._locks.pop(url, None)

    async def check(self, url: str) -> None:
        """Raise CoverRefused unless ``url`` may be fetched (scheme, host, addresses)."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if parts.scheme not in ("http", "https") or not host:
            raise CoverRefused("not an http(s) URL")
        if host in self.trusted_hosts:
            return
        if not any(fnmatch(host, pattern) for pattern in self.allowed_hosts):
            raise CoverRefused(f"{host} is not an allowed cover host")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            addresses = await self._resolve(host, port)
        except OSError as exc:
            raise CoverRefused(f"{host} does not resolve ({exc})") from exc
        if not addresses or not all(_public(a) for a in addresses):
            raise CoverRefused(f"{host} resolves to a private or loopback address")

    async def _fetch(self, url: str) -> bytes | None:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=20, follow_redirects=False)
        self.fetches += 1
        current = url
        try:
            for _hop in range(MAX_REDIRECTS + 1):
                await self.check(current)
                async with self._client.stream("GET", current, follow_redirects=False) as response:
                    if response.is_redirect and "location" in response.headers:
                        current = urljoin(current, response.headers["location"])
                        continue
                    response.raise_for_status()
                    return await self._read_capped(response, url)
            log.warning("cover at %s: too many redirects", url)
        except CoverRefused as exc:
            log.warning("cover not fetched from %s: %s", url, exc)
        except httpx.HTTPError as exc:
            log.warning("cover download failed (%s): %s", url, exc)
        return None

    async def _read_capped(self, response: httpx.Response, url: str) -> bytes | None:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            log.warning("cover at %s is larger than %d bytes; skipped", url, self.max_bytes)
            return None
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes(_CHUNK):
            size += len(chunk)
            if size > self.max_bytes:
                log.warning("cover at %s is larger than %d bytes; skipped", url, self.max_bytes)
                return None
            chunks.append(chunk)
        return b"".join(chunks)

    async def close(self) -> None:
        """Close the HTTP client if this fetcher created it."""
        if self._own and self._client is not None:
            await self._client.aclose()
            self._client = None


def service_hosts(settings: Settings) -> tuple[str, ...]:
    """The hosts of the services the operator configured (trusted for covers, even on the LAN)."""
    urls = (
        settings.spotify.api_base,
        settings.spotify.accounts_base,
        settings.deezer.api_base,
        settings.plex.url,
    )
    return tuple(h for h in {(urlsplit(u or "").hostname or "").lower() for u in urls} if h)
