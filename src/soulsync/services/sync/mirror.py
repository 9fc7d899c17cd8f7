"""Mirror a playlist on the media server, in source order, and verify it.

The server playlist is found by the id stored from the previous sync, never by
its name alone (a renamed or duplicated playlist must not be mistaken for
ours). It is created when absent, otherwise brought to exactly the wanted
items (mirror mode) or extended at the end (append-only mode), then read back
and compared item by item. Tracks that cannot be placed (missing, uncertain,
unavailable, still downloading) are never dropped silently: every one is
listed in :attr:`MirrorResult.left_out` with its reason, and
:meth:`MirrorResult.summary` says "156 of 160 ...: these 4 are missing".
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from soulsync.providers.base import MediaServer, ProviderError, RemotePlaylist, ServiceUnavailable
from soulsync.services.sync.analysis import TrackVerdict
from soulsync.services.sync.models import SyncMode

__all__ = [
    "INTENT_SLACK_S",
    "LeftOut",
    "MirrorPlan",
    "MirrorResult",
    "find_own_playlist",
    "mirror_playlist",
    "not_mirrored",
    "plan_mirror",
    "playlist_marker",
]


@dataclass(frozen=True, slots=True)
class LeftOut:
    """A playlist position that is not in the server playlist, and why."""

    position: int
    title: str
    artist: str
    status: str
    reason: str

    def line(self) -> str:
        """``#12 Artist - Title: reason`` for reports."""
        return f"#{self.position + 1} {self.artist} - {self.title}: {self.reason}"


@dataclass(frozen=True, slots=True)
class MirrorPlan:
    """What the server playlist should hold, and how it differs from what it holds."""

    wanted: tuple[str, ...]
    left_out: tuple[LeftOut, ...]
    added: int
    removed: int
    moved: int

    @property
    def changes(self) -> bool:
        """True when the server playlist must be written."""
        return bool(self.added or self.removed or self.moved)


@dataclass(frozen=True, slots=True)
class MirrorResult:
    """The outcome of one mirroring."""

    server: str
    title: str
    playlist_id: str | None
    created: bool
    placed: int  # items in the server playlist after the sync
    total: int  # positions in the source playlist
    left_out: tuple[LeftOut, ...]
    added: int = 0
    removed: int = 0
    moved: int = 0
    written: bool = False  # False when the server already matched (nothing sent)
    verified: bool = False  # read back and equal to the wanted items, in order
    error: str | None = None
    mismatch: tuple[str, ...] = field(default_factory=tuple)

    def summary(self) -> str:
        """One or two sentences for the UI and the CLI."""
        if self.error:
            return f"{self.server} playlist not updated: {self.error}"
        head = f'{self.placed} of {self.total} tracks in the {self.server} playlist "{self.title}"'
        if self.created:
            head += " (created)"
        elif self.written:
            head += f" (+{self.added} -{self.removed}, {self.moved} moved)"
        else:
            head += " (already up to date)"
        if not self.verified:
            head += "; NOT verified: the server's order differs from the wanted order"
        if not self.left_out:
            return head + "."
        n = len(self.left_out)
        verb = "is" if n == 1 else "are"
        return f"{head}; {'this' if n == 1 else 'these'} {n} {verb} not in it:"

    def lines(self) -> list[str]:
        """The summary followed by one line per left-out track."""
        return [self.summary(), *(f"  {lo.line()}" for lo in self.left_out)]


def _left_out(verdict: TrackVerdict) -> LeftOut:
    track = verdict.track
    return LeftOut(
        position=verdict.position,
        title=track.title if track else "(unavailable)",
        artist=track.display_artist if track else "",
        status=verdict.status.value,
        reason=verdict.reason or verdict.status.value,
    )


def _moved(existing: Sequence[str], wanted: Sequence[str]) -> int:
    """How many kept items change their relative order (kept - longest in-order run)."""
    slots: dict[str, list[int]] = {}
    for i, item in enumerate(wanted):
        slots.setdefault(item, []).append(i)
    sequence: list[int] = []
    for item in existing:
        free = slots.get(item)
        if free:
            sequence.append(free.pop(0))
    # Longest increasing subsequence = items that can stay where they are.
    tails: list[int] = []
    for value in sequence:
        k = bisect.bisect_left(tails, value)
        if k == len(tails):
            tails.append(value)
        else:
            tails[k] = value
    return len(sequence) - len(tails)


def plan_mirror(
    verdicts: Sequence[TrackVerdict],
    existing: Sequence[str],
    mode: SyncMode = SyncMode.MIRROR,
    *,
    unique: bool = False,
) -> MirrorPlan:
    """The wanted server items for ``verdicts`` given the server's ``existing`` items.

    Mirror: owned tracks in source order, nothing else. Append-only: the
    existing items untouched, then the owned tracks not yet present, in
    source order. ``unique`` is for servers whose playlists hold a track
    once (Jellyfin): a repeat is left out, with that reason, not dropped silently.
    """
    owned_ids: list[str] = []
    left_out: list[LeftOut] = []
    seen: set[str] = set()
    for verdict in verdicts:
        if verdict.status.is_owned and verdict.library is not None:
            if unique and verdict.library.id in seen:
                left_out.append(
                    replace(
                        _left_out(verdict),
                        reason="already earlier in the playlist; this server holds a track once",
                    )
                )
                continue
            seen.add(verdict.library.id)
            owned_ids.append(verdict.library.id)
        else:
            left_out.append(_left_out(verdict))
    if mode is SyncMode.APPEND:
        present = Counter(existing)
        extra: list[str] = []
        for item in owned_ids:
            if present[item] > 0:
                present[item] -= 1
            else:
                extra.append(item)
        wanted = [*existing, *extra]
    else:
        wanted = owned_ids
    have, want = Counter(existing), Counter(wanted)
    return MirrorPlan(
        wanted=tuple(wanted),
        left_out=tuple(left_out),
        added=sum((want - have).values()),
        removed=sum((have - want).values()),
        moved=_moved(existing, wanted),
    )


# Server clocks and ours differ a little; a create is never older than its intent.
INTENT_SLACK_S = 2.0


def playlist_marker(source: str, source_id: str) -> str:
    """The text SoulSync puts in the summary of a server playlist it created."""
    return f"Synced by SoulSync from {source}:{source_id}"


async def find_own_playlist(
    server: MediaServer, title: str, marker: str, intent_at: float | None
) -> RemotePlaylist | None:
    """The server playlist an earlier (maybe interrupted) run created, if any."""
    playlists = await server.list_playlists()
    marked = [p for p in playlists if marker in (p.summary or "")]
    if marked:
        return min(marked, key=lambda p: (p.added_at or 0.0, p.id))
    if intent_at is None:
        return None
    recent = [
        p
        for p in playlists
        if p.title == title
        and not p.summary
        and p.added_at is not None
        and p.added_at >= intent_at - INTENT_SLACK_S
    ]
    return min(recent, key=lambda p: (p.added_at or 0.0, p.id)) if recent else None


async def mirror_playlist(
    server: MediaServer,
    title: str,
    verdicts: Sequence[TrackVerdict],
    *,
    stored_id: str | None,
    mode: SyncMode = SyncMode.MIRROR,
    marker: str | None = None,
    intent_at: float | None = None,
) -> MirrorResult:
    """Create or update the server playlist for ``verdicts`` and verify it.

    ``stored_id`` is the server playlist id saved by the previous sync; when
    it no longer exists on the server a new playlist is created (and its id
    is in the result for the caller to store). Provider errors are returned in
    :attr:`MirrorResult.error`, so a sync can report them; only an unreachable
    server (``ServiceUnavailable``) is raised, for the run to wait for it.

    Creating is idempotent across crashes: the caller records its intent
    (``intent_at``) before this is called, and a playlist SoulSync created
    carries ``marker`` in its summary. Without a stored id, the playlist with
    the marker is used; failing that, one of the same title created after the
    recorded intent (a create that a kill interrupted before the summary was
    set). Only then is a new one created.
    """
    total = len(verdicts)
    try:
        current: RemotePlaylist | None = None
        if stored_id:
            current = await server.get_playlist(stored_id)
        if current is None and marker:
            found = await find_own_playlist(server, title, marker, intent_at)
            current = await server.get_playlist(found.id) if found is not None else None
        existing = current.item_ids if current is not None else ()
        unique = bool(getattr(server, "unique_items", False))
        plan = plan_mirror(verdicts, existing, mode, unique=unique)
        base = MirrorResult(
            server=server.name,
            title=title,
            playlist_id=None,
            created=False,
            placed=0,
            total=total,
            left_out=plan.left_out,
            added=plan.added,
            removed=plan.removed,
            moved=plan.moved,
        )
        if current is None:
            if not plan.wanted:
                # Media servers refuse empty playlists; nothing is owned yet.
                return replace(base, verified=True)
            after = await server.create_playlist(title, list(plan.wanted), summary=marker)
            created, written = True, True
        elif plan.changes:
            after = await server.replace_playlist_items(current.id, list(plan.wanted))
            created, written = False, True
        else:
            after, created, written = current, False, False
        if written:
            # Read back independently of what the write call returned.
            check = await server.get_playlist(after.id)
            after = check if check is not None else after
        verified = tuple(after.item_ids) == plan.wanted
        mismatch: tuple[str, ...] = ()
        if not verified:
            mismatch = (
                f"wanted {len(plan.wanted)} items, server has {len(after.item_ids)}",
                *(
                    f"position {i + 1}: wanted {w}, server has {h}"
                    for i, (w, h) in enumerate(zip(plan.wanted, after.item_ids, strict=False))
                    if w != h
                ),
            )[:6]
        return replace(
            base,
            playlist_id=after.id,
            created=created,
            placed=len(after.item_ids),
            written=written,
            verified=verified,
            mismatch=mismatch,
        )
    except ServiceUnavailable:
        raise  # the run waits for the server and mirrors again
    except ProviderError as exc:
        return not_mirrored(server.name, title, verdicts, stored_id, exc.message)


def not_mirrored(
    server: str,
    title: str,
    verdicts: Sequence[TrackVerdict],
    stored_id: str | None,
    error: str,
) -> MirrorResult:
    """The result of a mirror that could not be done (``error`` says why)."""
    return MirrorResult(
        server=server,
        title=title,
        playlist_id=stored_id,
        created=False,
        placed=0,
        total=len(verdicts),
        left_out=tuple(_left_out(v) for v in verdicts if not v.status.is_owned),
        error=error,
    )
