"""MusicBrainz web service client (ws/2, JSON): release-group types.

Used to tell what kind of release a Soulseek folder holds: the release
group's ``primary-type`` (Album, Single, EP, Broadcast, Other) and
``secondary-types`` (Live, Compilation, Soundtrack, Remix, DJ-mix, Demo, ...),
see https://musicbrainz.org/doc/Release_Group/Type.

Rules of the public service (reference §4.1,
https://musicbrainz.org/doc/MusicBrainz_API/Rate_Limiting):

* **At most one request per second** per IP; past that the service answers
  HTTP 503 (sometimes 429). A :class:`~soulsync.providers.http.Pacer` keeps
  requests 1.1 s apart; a 503/429 is retried after a backoff, then raised as
  :class:`RateLimited`.
* **A descriptive User-Agent** ("App/version ( contact )") is mandatory;
  generic library agents risk an IP block, so the constructor refuses one
  without a contact in parentheses.

Search answers (``GET /ws/2/release-group?query=...&fmt=json``) are cached in
the store for weeks; the release-type service caches its decisions too.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from typing import Any

import httpx

from soulsync.providers.base import ProviderError, RateLimited, ServiceUnavailable
from soulsync.providers.http import WEEK, JsonCache, Pacer, backoff_delay, cache_key
from soulsync.store import Store

__all__ = ["DEFAULT_USER_AGENT", "MusicBrainzClient", "ReleaseGroup", "lucene_phrase"]

SERVICE = "musicbrainz"
Json = dict[str, Any]
DEFAULT_USER_AGENT = "SoulSync/0.1 ( https://github.com/soulsync/soulsync )"
_UA_RE = re.compile(r"^\S+/\S+ \(.+\)$")
_LUCENE_SPECIAL = re.compile(r'([+\-&|!(){}\[\]^"~*?:\\/])')


def lucene_phrase(text: str) -> str:
    """``text`` as a quoted Lucene phrase with special characters escaped."""
    return '"' + _LUCENE_SPECIAL.sub(r"\\\1", text.strip()) + '"'


@dataclass(frozen=True, slots=True)
class ReleaseGroup:
    """One release group from a search: enough to tell its type."""

    id: str
    title: str
    artist: str  # the artist credit as one string
    primary_type: str | None
    secondary_types: tuple[str, ...]
    score: int
    first_release_date: str | None = None

    @property
    def types(self) -> tuple[str, ...]:
        """Primary then secondary types, MusicBrainz wording ("Album", "Live")."""
        head = (self.primary_type,) if self.primary_type else ()
        return (*head, *self.secondary_types)


def _credit(entry: Json) -> str:
    parts = []
    for credit in entry.get("artist-credit") or []:
        if isinstance(credit, dict):
            parts.append(str(credit.get("name") or (credit.get("artist") or {}).get("name", "")))
            parts.append(str(credit.get("joinphrase") or ""))
    return "".join(parts).strip()


def _release_group(entry: Json) -> ReleaseGroup:
    return ReleaseGroup(
        id=str(entry.get("id", "")),
        title=str(entry.get("title", "")),
        artist=_credit(entry),
        primary_type=entry.get("primary-type"),
        secondary_types=tuple(str(t) for t in entry.get("secondary-types") or ()),
        score=int(entry.get("score") or 0),
        first_release_date=entry.get("first-release-date"),
    )


class MusicBrainzClient:
    """Paced, cached MusicBrainz searches."""

    def __init__(
        self,
        store: Store,
        *,
        api_base: str = "https://musicbrainz.org/ws/2",
        user_agent: str = DEFAULT_USER_AGENT,
        min_gap_s: float = 1.1,
        tries: int = 3,
        timeout_s: float = 15.0,
        ttl_s: float = 8 * WEEK,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        if not _UA_RE.match(user_agent.strip()):
            raise ValueError(
                "MusicBrainz needs a descriptive User-Agent such as "
                "'SoulSync/0.1 ( you@example.org )'"
            )
        self.store = store
        self.api_base = api_base.rstrip("/")
        self.user_agent = user_agent.strip()
        self.pacer = Pacer(min_gap_s)
        self.tries = max(1, tries)
        self.ttl_s = ttl_s
        self.cache = JsonCache(store, SERVICE)
        self.requests_sent = 0
        self._http = http or httpx.AsyncClient(timeout=timeout_s)
        self._owns_http = http is None

    async def aclose(self) -> None:
        """Close the HTTP client if this object created it."""
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> MusicBrainzClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def search_release_groups(
        self, artist: str, title: str, limit: int = 5
    ) -> list[ReleaseGroup]:
        """Release groups titled ``title`` by ``artist``, best search score first."""
        query = f"releasegroup:{lucene_phrase(title)}"
        if artist.strip():
            query += f" AND artist:{lucene_phrase(artist)}"
        params = {"query": query, "fmt": "json", "limit": str(limit)}
        body = await self._get("/release-group", params)
        groups = body.get("release-groups")
        if not isinstance(groups, list):
            raise ProviderError(SERVICE, "unexpected answer: no 'release-groups' list")
        found = [_release_group(g) for g in groups if isinstance(g, dict)]
        return sorted(found, key=lambda g: -g.score)

    async def _get(self, path: str, params: dict[str, str]) -> Json:
        key = cache_key(path, params)
        hit = await self.cache.get(key)
        if hit is not None:
            return dict(hit)
        body = await self._request(path, params)
        await self.cache.put(key, body, self.ttl_s)
        return body

    async def _request(self, path: str, params: dict[str, str]) -> Json:
        url = f"{self.api_base}{path}"
        headers = {"User-Agent": self.user_agent, "Accept": "application/json"}
        attempt = 0
        while True:
            async with self.pacer:
                self.requests_sent += 1
                try:
                    response = await self._http.get(url, params=params, headers=headers)
                except httpx.TransportError as exc:
                    response = None
                    error: Exception = exc
            if response is None:
                attempt += 1
                if attempt >= self.tries:
                    raise ServiceUnavailable(SERVICE, f"unreachable: {error}") from error
                await asyncio.sleep(backoff_delay(attempt - 1))
                continue
            if response.status_code in (429, 503):
                # Over the rate limit: wait (outside the pacer) and try again.
                attempt += 1
                if attempt >= self.tries:
                    raise RateLimited(SERVICE, "MusicBrainz rate limit (HTTP 503)", 1.0)
                await asyncio.sleep(max(1.0, backoff_delay(attempt - 1)))
                continue
            if response.status_code >= 500:
                attempt += 1
                if attempt >= self.tries:
                    raise ServiceUnavailable(SERVICE, f"HTTP {response.status_code}")
                await asyncio.sleep(backoff_delay(attempt - 1))
                continue
            try:
                body = response.json()
            except ValueError as exc:
                raise ProviderError(SERVICE, f"HTTP {response.status_code}: not JSON") from exc
            if response.status_code >= 400:
                message = body.get("error") if isinstance(body, dict) else None
                raise ProviderError(SERVICE, f"HTTP {response.status_code}: {message}")
            if not isinstance(body, dict):
                raise ProviderError(SERVICE, "unexpected answer: not a JSON object")
            return body
