"""Soulseek search results grouped for the search page: single tracks and album folders.

Pure: takes slskd's responses, returns :class:`ResultGroup` objects with the
numbers the page sorts and filters on (relevance, quality rank, size, speed,
queue). Text comparisons go through :mod:`soulsync.matching`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from soulsync.domain import SearchResponse, SoulseekFile
from soulsync.library.audio import AUDIO_EXTENSIONS
from soulsync.matching import ascii_key, parse_path
from soulsync.matching.normalize import whole_word_in
from soulsync.matching.settings import QualityProfile

# A folder with at least this many audio files from one peer is shown as an album.
ALBUM_MIN_FILES = 3


@dataclass(frozen=True, slots=True)
class ResultFile:
    """One audio file of a result, with its index in the search's flat file list."""

    index: int
    file: SoulseekFile
    title: str
    track: int | None


@dataclass(frozen=True, slots=True)
class ResultGroup:
    """A single track or an album folder from one peer."""

    index: int
    kind: str  # "album" | "track"
    username: str
    directory: str
    title: str
    artist: str | None
    files: tuple[ResultFile, ...]
    relevance: int  # 0-100: share of the query's words found in the path
    quality_rank: int  # lower is better (the profile's tier of the best file)
    quality: str  # the tier's name
    formats: tuple[str, ...]
    size: int
    speed: int
    queue: int
    free_slot: bool

    @property
    def folder_name(self) -> str:
        """The last folder of the remote path."""
        return self.directory.rsplit("\\", 1)[-1] if self.directory else ""


def relevance(query: str, path: str) -> int:
    """Share (0-100) of the query's words that appear as whole words in ``path``."""
    words = [w for w in ascii_key(query).split() if w]
    if not words:
        return 0
    key = parse_path(path).path_key
    found = sum(1 for w in words if whole_word_in(w, key))
    return round(100 * found / len(words))


def flat_files(responses: Sequence[SearchResponse]) -> list[SoulseekFile]:
    """Every unlocked audio file, in response order (the index space the page uses)."""
    out: list[SoulseekFile] = []
    for response in responses:
        for file in response.files:
            if not file.is_locked and file.extension in AUDIO_EXTENSIONS:
                out.append(file)
    return out


def group_results(
    query: str, files: Sequence[SoulseekFile], profile: QualityProfile
) -> list[ResultGroup]:
    """Group ``files`` (see :func:`flat_files`) by peer folder; best relevance first."""
    folders: dict[tuple[str, str], list[int]] = {}
    for i, f in enumerate(files):
        folders.setdefault((f.username, f.directory), []).append(i)
    groups: list[ResultGroup] = []
    for indexes in folders.values():
        members = [files[i] for i in indexes]
        is_album = len(members) >= ALBUM_MIN_FILES
        chunks = [indexes] if is_album else [[i] for i in indexes]
        for chunk in chunks:
            groups.append(_group(len(groups), query, files, chunk, is_album, profile))
    groups.sort(key=lambda g: (-g.relevance, g.quality_rank, g.queue, -g.speed))
    return [_renumber(g, n) for n, g in enumerate(groups)]


def _renumber(group: ResultGroup, index: int) -> ResultGroup:
    return ResultGroup(**{**{s: getattr(group, s) for s in ResultGroup.__slots__}, "index": index})


def _group(
    index: int,
    query: str,
    files: Sequence[SoulseekFile],
    chunk: list[int],
    is_album: bool,
    profile: QualityProfile,
) -> ResultGroup:
    members = [files[i] for i in chunk]
    first = members[0]
    anatomies = [parse_path(f.filename) for f in members]
    rfiles = tuple(
        ResultFile(index=i, file=f, title=a.title, track=a.track)
        for i, f, a in zip(chunk, members, anatomies, strict=True)
    )
    if is_album:
        rfiles = tuple(sorted(rfiles, key=lambda r: (r.track or 999, r.file.filename)))
    tiers = [profile.tier_of(f) for f in members]
    best = min(tiers)
    anatomy = anatomies[0]
    title = (anatomy.album or first.directory.rsplit("\\", 1)[-1]) if is_album else anatomy.title
    artist = anatomy.artist or (anatomy.readings[0].artist if anatomy.readings else None)
    path = first.directory if is_album else first.filename
    return ResultGroup(
        index=index,
        kind="album" if is_album else "track",
        username=first.username,
        directory=first.directory,
        title=title,
        artist=artist,
        files=rfiles,
        relevance=relevance(query, path),
        quality_rank=best[0],
        quality=best[1],
        formats=tuple(sorted({f.extension for f in members})),
        size=sum(f.size for f in members),
        speed=first.upload_speed,
        queue=first.queue_length,
        free_slot=first.has_free_upload_slot,
    )
