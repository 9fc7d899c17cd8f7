"""Matched download: find the clean metadata of a downloaded file, then file it.

Two halves, used by the queue (:mod:`soulsync.services.downloads.service`):

* :class:`MetadataResolver` (async, network): which track of which release a
  Soulseek file is. For a file with a chosen artist it searches the metadata
  facade for that artist's tracks with the titles the file name suggests and
  lets the matching engine pick; for an album folder it pairs the folder's
  files with the album's tracklist one-to-one (``matching.folders``) and
  resolves the files left over on their own, under their own artist; a
  playlist track brings its own metadata. The full release (disc count, track
  count, cover, type) is fetched once per album and cached.
* :class:`Organiser` (blocking, disk): destination from the layout templates,
  tags (remix policy applied), the front cover embedded and ``cover.jpg`` in
  the folder once, then :func:`soulsync.library.safe_move.safe_move` (copy,
  tag, verify, place without overwriting, delete the original and its empty
  folders). Any failure leaves the original where it was.

No match is not an error: the resolver returns None and the queue completes
the job as a plain download that stays in the downloads folder.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Protocol

from soulsync.domain import Album, AlbumType, Artist, SoulseekFile, Track
from soulsync.library.cover import CoverError, write_folder_cover
from soulsync.library.layout import LayoutTemplates, ResolvedTrack, destination_for
from soulsync.library.process import ProcessError
from soulsync.library.safe_move import (
    MoveError,
    MoveReason,
    MoveResult,
    finish_replacement,
    prune_empty_dirs,
    replacing_name,
    safe_move,
)
from soulsync.library.tags import Picture, TagError, TagSet, tagset_for
from soulsync.matching.credits import compare_artists, is_various
from soulsync.matching.filename import parse_path
from soulsync.matching.folders import assign_files
from soulsync.matching.normalize import ascii_key
from soulsync.matching.remix import RemixArtistPolicy, remix_credit
from soulsync.matching.score import score_track
from soulsync.matching.settings import DEFAULT_SETTINGS, MatchSettings
from soulsync.providers.metadata import MetadataService, qualified_id

if TYPE_CHECKING:
    # Only for types: the processing stack (PyAV, numpy) loads when a step is built.
    from soulsync.services.processing import ProcessingStep, Staged

__all__ = [
    "FacadeLookup",
    "MetadataLookup",
    "MetadataResolver",
    "OrganiseResult",
    "Organiser",
    "Resolution",
    "apply_remix_policy",
]

log = logging.getLogger(__name__)

_SOURCE_ORDER = ("spotify", "deezer")
# Processing failures as move failures (the job shows them the same way).
_PROCESS_REASONS = {
    "disk_full": MoveReason.NO_SPACE,
    "read_only": MoveReason.PERMISSION,
    "tags": MoveReason.TAG_ERROR,
    "verify_failed": MoveReason.VERIFY_FAILED,
    "io": MoveReason.IO_ERROR,
}


class MetadataLookup(Protocol):
    """The metadata facade calls the resolver makes."""

    async def search_tracks(self, query: str, limit: int = 10) -> list[Track]:
        """Tracks for a free-text query, best first."""
        ...

    async def search_albums(self, query: str, limit: int = 10) -> list[Album]:
        """Releases for a free-text query, best first."""
        ...

    async def get_album(self, album_id: str) -> Album:
        """One release with its full tracklist."""
        ...


class FacadeLookup:
    """The metadata facade (:class:`soulsync.providers.metadata.MetadataService`) seen as
    the plain lookups the resolver makes: unwraps ``Sourced`` results.

    Album ids go through the facade's id routing, so a Deezer album (found while
    Spotify cools down) is fetched from Deezer.
    """

    def __init__(self, facade: MetadataService) -> None:
        self.facade = facade

    async def search_tracks(self, query: str, limit: int = 10) -> list[Track]:
        """Tracks for a free-text query (Spotify, else Deezer)."""
        return list((await self.facade.search_tracks(query, limit)).value)

    async def search_albums(self, query: str, limit: int = 10) -> list[Album]:
        """Releases for a free-text query (Spotify, else Deezer)."""
        return list((await self.facade.search_albums(query, limit)).value)

    async def get_album(self, album_id: str) -> Album:
        """One release with its tracklist; ``album_id`` may be qualified (``deezer:123``)."""
        return (await self.facade.get_album(album_id)).value

    def album_ref(self, album: Album) -> str | None:
        """The facade's qualified id for ``album``."""
        return qualified_id(album)


@dataclass(frozen=True, slots=True)
class Resolution:
    """What a file is: the track, its release, and whose folder it goes in."""

    track: Track
    album: Album | None
    folder_artist: str | None
    score: float
    how: str


@dataclass(frozen=True, slots=True)
class OrganiseResult:
    """What :meth:`Organiser.organise` did."""

    destination: Path
    status: str  # "moved" | "already_present"
    cover: str | None  # cover.jpg: "written" | "already_present" | "kept_existing" | None
    timings_ms: dict[str, float]


def duration_tolerance_s(expected_s: float | None) -> float:
    """How far a file's length may be from the metadata's: 5 s or 5 %, whichever is more.

    Files and services routinely differ by a few seconds (silence, encoder
    padding); a different recording (live, edit) differs by much more.
    """
    return max(5.0, (expected_s or 0.0) * 0.05)


def durations_agree(metadata_ms: int | None, file_ms: int | None) -> bool:
    """True when either length is unknown or they are within the tolerance."""
    if not metadata_ms or not file_ms:
        return True
    return abs(metadata_ms - file_ms) / 1000 <= duration_tolerance_s(metadata_ms / 1000)


def _pick_id(ids: dict[str, str]) -> str | None:
    for source in _SOURCE_ORDER:
        if ids.get(source):
            return ids[source]
    return next(iter(ids.values()), None)


def _key(text: str | None) -> str:
    return ascii_key(text or "", drop_the=True)


class MetadataResolver:
    """Finds full metadata for downloaded files through the metadata facade."""

    def __init__(
        self,
        metadata: MetadataLookup,
        settings: MatchSettings = DEFAULT_SETTINGS,
        *,
        min_score: float | None = None,
    ) -> None:
        self.metadata = metadata
        self.settings = settings
        self.min_score = settings.accept_threshold if min_score is None else min_score
        self._albums: dict[str, Album] = {}
        self._album_locks: dict[str, asyncio.Lock] = {}
        self._assignments: dict[tuple[str, tuple[str, ...]], dict[str, tuple[Track, float]]] = {}

    # -- albums -------------------------------------------------------------------------

    async def full_album(self, album: Album) -> Album:
        """``album`` with its tracklist and totals, fetched once per album id."""
        ref = getattr(self.metadata, "album_ref", None)
        album_id = ref(album) if callable(ref) else _pick_id(album.ids)
        if album_id is None:
            return album
        if album_id in self._albums:
            return self._albums[album_id]
        lock = self._album_locks.setdefault(album_id, asyncio.Lock())
        async with lock:
            if album_id not in self._albums:
                full = await self.metadata.get_album(album_id)
                self._albums[album_id] = full
        return self._albums[album_id]

    async def album_of(self, track: Track) -> Album | None:
        """The release ``track`` is on, with its tracklist, or None if not found."""
        if not track.album:
            return None
        owner = (track.album_artists or track.artists or ("",))[0]
        query = f"{owner} {track.album}".strip()
        candidates = await self.metadata.search_albums(query, limit=10)
        want_title = _key(track.album)
        for album in candidates:
            if _key(album.title) != want_title:
                continue
            if (
                owner
                and not is_various(owner)
                and compare_artists([owner], album.artists).similarity < 0.8
            ):
                continue
            full = await self.full_album(album)
            hit = _same_track_in(full, track)
            if hit is not None or not full.tracks:
                return full
        return None

    # -- single files -------------------------------------------------------------------

    async def resolve_file(self, file: SoulseekFile, artist: Artist | None) -> Resolution | None:
        """The track ``file`` is, by ``artist`` if given (else by the artist its path names)."""
        anatomy = parse_path(file.filename)
        artist_names = [artist.name] if artist is not None else []
        if not artist_names:
            artist_names = [r.artist for r in anatomy.readings if r.artist]
            if anatomy.artist:
                artist_names.append(anatomy.artist)
        titles = list(dict.fromkeys(r.title for r in anatomy.readings if r.title))[:3]
        queries = list(
            dict.fromkeys(
                f"{name} {title}".strip() for title in titles for name in (artist_names[:2] or [""])
            )
        )[:4]
        seen: dict[str, Track] = {}
        for query in queries:
            for track in await self.metadata.search_tracks(query, limit=10):
                key = _pick_id(track.ids) or f"{track.display_artist}|{track.title}|{track.album}"
                seen.setdefault(key, track)
        best: tuple[float, Track] | None = None
        for track in seen.values():
            if artist is not None:
                credit = compare_artists([artist.name], [*track.artists, *track.album_artists])
                if credit.similarity < 0.8:
                    continue
            if not durations_agree(track.duration_ms, file.duration_ms):
                # A studio name on a live recording: the length gives it away.
                continue
            value = score_track(track, file, self.settings).value
            if best is None or value > best[0]:
                best = (value, track)
        if best is None or best[0] < self.min_score:
            return None
        value, track = best
        album = await self.album_of(track)
        if album is not None:
            track = _enrich(track, album)
        folder = artist.name if artist is not None else None
        return Resolution(track, album, _folder_artist(folder, album, track), value, "search")

    # -- album folders ------------------------------------------------------------------

    async def resolve_in_album(
        self,
        file: SoulseekFile,
        batch_files: Sequence[SoulseekFile],
        album: Album,
        artist: Artist | None,
    ) -> Resolution | None:
        """The track of ``album`` that ``file`` is, by one-to-one assignment of the folder.

        A file the assignment leaves over is resolved on its own (it belongs
        to another release: a favourites folder, a bonus track).
        """
        full = await self.full_album(album)
        names = tuple(sorted(f.filename for f in batch_files))
        key = (_pick_id(full.ids) or full.title, names)
        if key not in self._assignments:
            ordered = sorted(batch_files, key=lambda f: f.filename)
            assignment = assign_files(full.tracks, ordered, self.settings)
            self._assignments[key] = {
                f.filename: (full.tracks[i], sim) for i, f, sim in assignment.pairs
            }
        hit = self._assignments[key].get(file.filename)
        if hit is not None:
            track, sim = hit
            track = _enrich(track, full)
            folder = artist.name if artist is not None else None
            return Resolution(track, full, _folder_artist(folder, full, track), sim, "tracklist")
        # Not on this album: file it under its own artist.
        return await self.resolve_file(file, None)

    # -- playlist tracks ----------------------------------------------------------------

    async def resolve_wanted(self, wanted: Track) -> Resolution:
        """A playlist track brings its metadata; the release adds disc count and cover."""
        album: Album | None = None
        try:
            album = await self.album_of(wanted)
        except Exception as exc:  # noqa: BLE001 - the playlist's own metadata is enough
            log.warning("album lookup for %r failed: %s", wanted.title, exc)
        track = _enrich(_same_track_in(album, wanted) or wanted, album) if album else wanted
        if album is not None:
            # Keep the playlist's ids and ISRC: they are what the sync compares with.
            track = replace(track, ids={**track.ids, **wanted.ids}, isrc=wanted.isrc or track.isrc)
        return Resolution(track, album, _folder_artist(None, album, track), 1.0, "playlist")


def _same_track_in(album: Album | None, track: Track) -> Track | None:
    if album is None:
        return None
    if track.isrc:
        for t in album.tracks:
            if t.isrc == track.isrc:
                return t
    want = _key(track.title)
    for t in album.tracks:
        if _key(t.title) == want:
            return t
    return None


def _enrich(track: Track, album: Album) -> Track:
    """Fill release-level fields the track lacks from its album."""
    return replace(
        track,
        album=track.album or album.title,
        album_artists=track.album_artists or album.artists,
        total_tracks=album.total_tracks or track.total_tracks or len(album.tracks) or None,
        total_discs=album.total_discs or track.total_discs,
        release_date=album.release_date or track.release_date,
        album_type=album.album_type,
        cover_url=track.cover_url or album.cover_url,
    )


def _folder_artist(chosen: str | None, album: Album | None, track: Track) -> str | None:
    """Whose folder the file goes in: the chosen artist, except on a VA compilation."""
    if album is not None and album.album_type is AlbumType.COMPILATION:
        return album.artist or chosen
    if chosen:
        return chosen
    if album is not None and album.artist:
        return album.artist
    return (track.album_artists or track.artists or (None,))[0]


def apply_remix_policy(
    tags: TagSet, track: Track, policy: RemixArtistPolicy = RemixArtistPolicy.REMIXER
) -> TagSet:
    """For a remix: remixer as artist, original artist(s) as contributing artists."""
    credit = remix_credit(track, policy)
    if not credit.is_remix:
        return tags
    names = tuple(dict.fromkeys([*credit.artists, *credit.contributing]))
    # ARTIST shows who goes first under the policy; ARTISTS lists everyone credited.
    display = ", ".join(credit.artists) if credit.artists else tags.artist
    return replace(
        tags,
        artist=display,
        artists=names,
        remixers=credit.remixers,
        original_artist=", ".join(credit.original_artists) or None,
    )


class Organiser:
    """Files a downloaded file into the Transfer tree (blocking; run in a thread)."""

    def __init__(
        self,
        *,
        transfer_dir: Path,
        downloads_dir: Path,
        templates: LayoutTemplates | None = None,
        id3v23: bool = False,
        remix_policy: RemixArtistPolicy = RemixArtistPolicy.REMIXER,
        processing: ProcessingStep | None = None,
    ) -> None:
        self.transfer_dir = Path(transfer_dir)
        self.downloads_dir = Path(downloads_dir)
        self.templates = templates or LayoutTemplates()
        self.id3v23 = id3v23
        self.remix_policy = remix_policy
        self.processing = processing

    def destination(self, source: Path, resolution: Resolution) -> Path:
        """The absolute path the file will get (before collision handling).

        With a processing step that converts, the extension is the target's.
        """
        resolved = ResolvedTrack(resolution.track, resolution.album, resolution.folder_artist)
        ext = (
            self.processing.output_extension(source)
            if self.processing is not None
            else source.suffix.lstrip(".")
        )
        rel = destination_for(resolved, ext, self.templates)
        return self.transfer_dir / rel

    def tags(self, resolution: Resolution, cover: bytes | None, genres: Sequence[str]) -> TagSet:
        """The tags to write, remix policy applied, cover embedded when valid."""
        picture: Picture | None = None
        if cover:
            with contextlib.suppress(TagError):
                picture = Picture.from_bytes(cover)
        tags = tagset_for(resolution.track, resolution.album, cover=picture, genres=genres)
        return apply_remix_policy(tags, resolution.track, self.remix_policy)

    def organise(
        self,
        source: Path,
        resolution: Resolution,
        *,
        cover: bytes | None = None,
        genres: Sequence[str] = (),
        replaces: Path | None = None,
        job_id: int | None = None,
    ) -> OrganiseResult:
        """Tag, verify and move ``source``; write ``cover.jpg`` beside it once.

        ``replaces`` names a worse file of the same recording: it is replaced
        (atomically when it has the destination's name), never kept beside
        the new one as a numbered copy.

        Raises:
            soulsync.library.safe_move.MoveError: the original is untouched.
        """
        self.transfer_dir.mkdir(parents=True, exist_ok=True)
        staged: Staged | None = None
        if self.processing is not None:
            try:
                staged = self.processing.prepare(source, job_id=job_id)
            except ProcessError as exc:
                raise MoveError(
                    _PROCESS_REASONS.get(exc.reason, MoveReason.CORRUPT_AUDIO),
                    f"processing failed: {exc}",
                    source,
                ) from exc
        moving = staged.path if staged is not None else source
        resolved = ResolvedTrack(resolution.track, resolution.album, resolution.folder_artist)
        rel = PurePosixPath(
            destination_for(resolved, moving.suffix.lstrip("."), self.templates).as_posix()
        )
        swap = replaces is not None and Path(replaces) == self.transfer_dir / rel
        if swap:
            # A better copy of the recording already filed under this name: place it
            # beside, verified, then swap it in atomically (never a "(2)" copy).
            rel = rel.with_name(replacing_name(rel.name))
        tags = self.tags(resolution, cover, genres)
        expected = (resolution.track.duration_ms or 0) / 1000 or None
        try:
            result: MoveResult = safe_move(
                moving,
                rel,
                library_root=self.transfer_dir,
                downloads_root=self.downloads_dir,
                tags=tags,
                id3v23=self.id3v23,
                # Service durations and files differ by a few seconds routinely.
                expected_duration_s=expected,
                duration_tolerance_s=duration_tolerance_s(expected),
                after_tag=staged.add_gain if staged is not None else None,
            )
        except MoveError:
            if staged is not None and self.processing is not None:
                self.processing.discard(staged, job_id=job_id)
            raise
        final = result.destination
        if swap:
            final = finish_replacement(result.destination)
        elif replaces is not None and Path(replaces) != final:
            # The worse copy had another name (another format): the better one is in place.
            with contextlib.suppress(FileNotFoundError):
                Path(replaces).unlink()
        result = replace(result, destination=final)
        if staged is not None and self.processing is not None:
            if staged.rewritten:
                # The processed copy is filed; now the download it came from can go.
                with contextlib.suppress(FileNotFoundError):
                    source.unlink()
                prune_empty_dirs(source.parent, self.downloads_dir)
            self.processing.filed(staged, result.destination, resolution.album, job_id=job_id)
        cover_status: str | None = None
        if cover:
            try:
                cover_status = write_folder_cover(result.destination.parent, cover).status
            except CoverError as exc:
                log.warning("cover.jpg not written in %s: %s", result.destination.parent, exc)
        return OrganiseResult(result.destination, result.status, cover_status, result.timings_ms)


def genres_for(resolution: Resolution, extra: Any = None) -> tuple[str, ...]:
    """Genres for the tags: the release's, when the source has them."""
    if resolution.album is not None and resolution.album.genres:
        return tuple(resolution.album.genres)
    return tuple(extra or ())
