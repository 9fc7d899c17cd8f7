"""A MusicBrainz ws/2 simulator: release-group search in the JSON shape of the real service.

``GET /ws/2/release-group?query=<lucene>&fmt=json&limit=N`` answers
``{"created", "count", "offset", "release-groups": [{"id", "type-id",
"score", "primary-type-id", "count", "title", "first-release-date",
"primary-type", "secondary-types"?, "secondary-type-ids"?, "artist-credit":
[{"name", "artist": {"id", "name", "sort-name"}}]}]}`` (reference §4.1 and
https://musicbrainz.org/doc/MusicBrainz_API/Search). Only the two query
fields the client uses are understood: ``releasegroup:"..."`` and
``artist:"..."``; scores are 100 for an exact title and lower for looser
ones, and results under 50 are left out, as the real search ranks them.

Service rules imitated: more than one request per second from a client gets
HTTP 503 with MusicBrainz's JSON error body; a request whose User-Agent has no
"( contact )" part gets HTTP 403 (the real service may block such agents).
Knobs: ``requests`` (count), ``rate_limit`` (False to turn pacing checks
off), ``fail_next(n)``, and ``release_groups`` (the catalogue, editable).
"""

from __future__ import annotations

import re
import threading
import time
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from soulsync.sandbox.server import BackgroundServer

__all__ = ["DEFAULT_RELEASE_GROUPS", "MusicBrainzSimulator", "SimReleaseGroup"]

Json = dict[str, Any]

# Type ids are MusicBrainz's own (https://musicbrainz.org/doc/Release_Group/Type).
_PRIMARY_IDS = {
    "Album": "f529b476-6e62-324f-b0aa-1f3e33d313fc",
    "Single": "d6038452-8ee0-3f68-affc-2de9a1ede0b9",
    "EP": "6d0c5bf6-7a33-3420-a519-44fc63eedebf",
}
_SECONDARY_IDS = {
    "Compilation": "dd2a21e1-0c00-3729-a7a0-de60b84eb5d1",
    "Soundtrack": "22a628ad-c082-3c4f-b1b6-d41665107b88",
    "Live": "6fd474e2-6b58-3102-9d17-d6f7eb7da0a0",
    "Remix": "0c60f497-ff81-3818-befd-abfc84a4858b",
    "DJ-mix": "0d47f47a-3fe5-3d44-8b4d-a7e8d8f5a9cb",
    "Demo": "81598c00-f3f7-3b36-9f32-c0cf2ad1f2b8",
}
_RATE_LIMIT_BODY = {
    "error": "Your requests are exceeding the allowable rate limit. Please see "
    "http://wiki.musicbrainz.org/XMLWebService for more information."
}


@dataclass(frozen=True, slots=True)
class SimReleaseGroup:
    """A release group the simulator knows."""

    title: str
    artist: str
    primary_type: str
    secondary_types: tuple[str, ...] = ()
    first_release_date: str = ""


DEFAULT_RELEASE_GROUPS: tuple[SimReleaseGroup, ...] = (
    SimReleaseGroup("At Folsom Prison", "Johnny Cash", "Album", ("Live",), "1968-05-01"),
    SimReleaseGroup("With His Hot and Blue Guitar", "Johnny Cash", "Album", (), "1957-10-11"),
    SimReleaseGroup("Get Yer Ya-Ya's Out!", "The Rolling Stones", "Album", ("Live",), "1970-09-04"),
    SimReleaseGroup("Let It Bleed", "The Rolling Stones", "Album", (), "1969-12-05"),
    SimReleaseGroup("Kick Out the Jams", "MC5", "Album", ("Live",), "1969-02"),
    SimReleaseGroup("Waiting for Columbus", "Little Feat", "Album", ("Live",), "1978-02-10"),
    SimReleaseGroup("Cheap Trick at Budokan", "Cheap Trick", "Album", ("Live",), "1978-10-08"),
    SimReleaseGroup("In Color", "Cheap Trick", "Album", (), "1977-09"),
    SimReleaseGroup("Made in Japan", "Deep Purple", "Album", ("Live",), "1972-12-08"),
    SimReleaseGroup("Machine Head", "Deep Purple", "Album", (), "1972-03-25"),
    SimReleaseGroup(
        "Stop Making Sense", "Talking Heads", "Album", ("Live", "Soundtrack"), "1984-09"
    ),
    SimReleaseGroup("Alive!", "KISS", "Album", ("Live",), "1975-09-10"),
    SimReleaseGroup("Hell Freezes Over", "Eagles", "Album", ("Live",), "1994-11-08"),
    SimReleaseGroup("Hotel California", "Eagles", "Album", (), "1976-12-08"),
    SimReleaseGroup("Alchemy: Dire Straits Live", "Dire Straits", "Album", ("Live",), "1984-03-16"),
    SimReleaseGroup("Legend", "Bob Marley & The Wailers", "Album", ("Compilation",), "1984-05-08"),
    SimReleaseGroup("Live Through This", "Hole", "Album", (), "1994-04-12"),
    SimReleaseGroup("Substance 1987", "New Order", "Album", ("Compilation",), "1987-08-17"),
)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w]+", " ", plain).split())


_FIELD_RE = re.compile(r'(\w+):"((?:[^"\\]|\\.)*)"')


def _query_fields(query: str) -> dict[str, str]:
    """The quoted ``field:"phrase"`` terms of a Lucene query, unescaped."""
    return {m.group(1): re.sub(r"\\(.)", r"\1", m.group(2)) for m in _FIELD_RE.finditer(query)}


def _title_score(wanted: str, title: str) -> int:
    a, b = _fold(wanted), _fold(title)
    if not a:
        return 0
    if a == b:
        return 100
    wa, wb = set(a.split()), set(b.split())
    if not wa or not wb:
        return 0
    overlap = len(wa & wb) / max(len(wa), len(wb))
    return int(40 + 55 * overlap) if overlap else 0


class MusicBrainzSimulator:
    """The simulated ``musicbrainz.org/ws/2`` on one local port."""

    def __init__(
        self,
        release_groups: tuple[SimReleaseGroup, ...] = DEFAULT_RELEASE_GROUPS,
        *,
        min_gap_s: float = 1.0,
    ) -> None:
        self.release_groups = list(release_groups)
        self.min_gap_s = min_gap_s
        self.rate_limit = True
        self.requests = 0
        self.rejected = 0
        self._last: dict[str, float] = {}
        self._failures = 0
        self._lock = threading.Lock()
        self._ids = {
            (g.title, g.artist): str(uuid.uuid5(uuid.NAMESPACE_URL, f"rg:{g.artist}:{g.title}"))
            for g in self.release_groups
        }
        self.app = Starlette(routes=[Route("/ws/2/release-group", self._release_group)])
        self._server = BackgroundServer(self.app, name="musicbrainz")

    # -- lifecycle -------------------------------------------------------------------

    def start(self) -> MusicBrainzSimulator:
        """Start serving on a free 127.0.0.1 port."""
        self._server.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self._server.stop()

    @property
    def url(self) -> str:
        """Base URL standing in for ``https://musicbrainz.org/ws/2``."""
        return f"{self._server.url}/ws/2"

    def __enter__(self) -> MusicBrainzSimulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def fail_next(self, count: int = 1) -> None:
        """Answer the next ``count`` requests with HTTP 503 (as when overloaded)."""
        with self._lock:
            self._failures += count

    # -- app ---------------------------------------------------------------------------

    async def _release_group(self, request: Request) -> JSONResponse:
        agent = request.headers.get("user-agent", "")
        client = request.client.host if request.client else "?"
        with self._lock:
            self.requests += 1
            if not re.search(r"\S+/\S+ \(.+\)", agent):
                self.rejected += 1
                return JSONResponse(
                    {"error": "Please provide a meaningful User-Agent ( app/version ( contact ) )"},
                    status_code=403,
                )
            now = time.monotonic()
            too_soon = self.rate_limit and now - self._last.get(client, -1e9) < self.min_gap_s
            self._last[client] = now
            if self._failures or too_soon:
                self._failures = max(0, self._failures - 1)
                self.rejected += 1
                return JSONResponse(_RATE_LIMIT_BODY, status_code=503)
        if request.query_params.get("fmt") != "json":
            return JSONResponse({"error": "this simulator speaks fmt=json only"}, status_code=400)
        fields = _query_fields(request.query_params.get("query", ""))
        try:
            limit = max(1, min(100, int(request.query_params.get("limit", "25"))))
            offset = max(0, int(request.query_params.get("offset", "0")))
        except ValueError:
            return JSONResponse({"error": "limit and offset must be numbers"}, status_code=400)
        scored: list[tuple[int, SimReleaseGroup]] = []
        for group in self.release_groups:
            score = _title_score(fields.get("releasegroup", ""), group.title)
            wanted_artist = fields.get("artist")
            if wanted_artist and _fold(wanted_artist) not in _fold(group.artist):
                score = min(score, 45)
            if score >= 50:
                scored.append((score, group))
        scored.sort(key=lambda pair: -pair[0])
        page = scored[offset : offset + limit]
        return JSONResponse(
            {
                "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "count": len(scored),
                "offset": offset,
                "release-groups": [self._json(score, group) for score, group in page],
            }
        )

    def _json(self, score: int, group: SimReleaseGroup) -> Json:
        artist_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"artist:{group.artist}"))
        body: Json = {
            "id": self._ids.get((group.title, group.artist))
            or str(uuid.uuid5(uuid.NAMESPACE_URL, f"rg:{group.artist}:{group.title}")),
            "type-id": _PRIMARY_IDS.get(group.primary_type),
            "score": score,
            "primary-type-id": _PRIMARY_IDS.get(group.primary_type),
            "count": 1,
            "title": group.title,
            "first-release-date": group.first_release_date,
            "primary-type": group.primary_type,
            "artist-credit": [
                {
                    "name": group.artist,
                    "artist": {"id": artist_id, "name": group.artist, "sort-name": group.artist},
                }
            ],
        }
        if group.secondary_types:
            body["secondary-types"] = list(group.secondary_types)
            body["secondary-type-ids"] = [
                _SECONDARY_IDS[t] for t in group.secondary_types if t in _SECONDARY_IDS
            ]
        return body
