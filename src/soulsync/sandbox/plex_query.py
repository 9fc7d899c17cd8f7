"""Query-string handling of the Plex simulator: paging, filters, sorting. Pure helpers."""

from __future__ import annotations

from collections.abc import Callable

from starlette.datastructures import QueryParams
from starlette.requests import Request

from soulsync.sandbox.plex_http import HttpError
from soulsync.sandbox.plex_library import SimTrack


def paging(request: Request) -> tuple[int, int | None]:
    """``X-Plex-Container-Start/Size`` from the headers (plexapi) or the query string."""

    def value(name: str) -> str | None:
        return request.headers.get(name) or request.query_params.get(name)

    try:
        start = int(value("X-Plex-Container-Start") or 0)
        raw_size = value("X-Plex-Container-Size")
        size = int(raw_size) if raw_size is not None else None
    except ValueError:
        raise HttpError(400, "Bad Request") from None
    if start < 0 or (size is not None and size < 0):
        raise HttpError(400, "Bad Request")
    return start, size


def end(start: int, size: int | None) -> int | None:
    return None if size is None else start + size


def limit(tracks: list[SimTrack], params: QueryParams) -> list[SimTrack]:
    raw = params.get("limit")
    if raw and raw.isdigit():
        return tracks[: int(raw)]
    return tracks


_TEXT_FIELDS: dict[str, Callable[[SimTrack], str]] = {
    "title": lambda t: t.title,
    "track.title": lambda t: t.title,
    "artist.title": lambda t: t.album_artist,
    "album.title": lambda t: t.album,
}
_INT_FIELDS: dict[str, Callable[[SimTrack], int | None]] = {
    "year": lambda t: t.year,
    "album.year": lambda t: t.year,
    "index": lambda t: t.index,
    "track.index": lambda t: t.index,
}


def filter_tracks(tracks: list[SimTrack], params: QueryParams) -> list[SimTrack]:
    """Apply Plex-style filters: ``title=x`` contains, ``title==x`` is, ``!`` negates, etc."""
    result = tracks
    for raw_name, raw_value in params.multi_items():
        name = raw_name.rstrip("=!<>")
        op = raw_name[len(name) :]
        value = str(raw_value)
        if name in _TEXT_FIELDS:
            get_text = _TEXT_FIELDS[name]
            wanted = [v.casefold() for v in value.split(",")]
            result = [t for t in result if _text_match(get_text(t).casefold(), op, wanted)]
        elif name in _INT_FIELDS:
            get_int = _INT_FIELDS[name]
            try:
                numbers = [int(v) for v in value.split(",")]
            except ValueError:
                raise HttpError(400, "Bad Request") from None
            result = [t for t in result if _int_match(get_int(t), op, numbers)]
    return result


def _text_match(text: str, op: str, wanted: list[str]) -> bool:
    if op == "":
        return any(w in text for w in wanted)
    if op == "!":
        return all(w not in text for w in wanted)
    if op == "=":
        return text in wanted
    if op == "!=":
        return text not in wanted
    if op == "<":
        return any(text.startswith(w) for w in wanted)
    if op == ">":
        return any(text.endswith(w) for w in wanted)
    raise HttpError(400, "Bad Request")


def _int_match(value: int | None, op: str, wanted: list[int]) -> bool:
    if value is None:
        return op == "!"
    if op == "":
        return value in wanted
    if op == "!":
        return value not in wanted
    if op == ">>":
        return value > wanted[0]
    if op == "<<":
        return value < wanted[0]
    raise HttpError(400, "Bad Request")


_SORT_KEYS: dict[str, Callable[[SimTrack], object]] = {
    "titleSort": lambda t: t.title.casefold(),
    "title": lambda t: t.title.casefold(),
    "artist.titleSort": lambda t: t.album_artist.casefold(),
    "album.titleSort": lambda t: t.album.casefold(),
    "addedAt": lambda t: t.added_at,
    "updatedAt": lambda t: t.updated_at,
    "year": lambda t: t.year or 0,
    "duration": lambda t: t.duration_ms or 0,
    "index": lambda t: t.index or 0,
    "id": lambda t: t.rating_key,
}


def sort_tracks(tracks: list[SimTrack], sort: str | None) -> list[SimTrack]:
    """Stable multi-key sort for ``sort=a:desc,b``; unknown keys are ignored."""
    if not sort:
        return tracks
    result = list(tracks)
    for part in reversed([p for p in sort.split(",") if p]):
        field, _, direction = part.partition(":")
        key = _SORT_KEYS.get(field)
        if key is not None:
            result.sort(key=key, reverse=direction == "desc")  # type: ignore[arg-type]
    return result
