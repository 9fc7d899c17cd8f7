"""Planning the edits that turn a server playlist into a wanted order. Pure, no I/O.

Media servers address playlist positions by their own item ids (Plex's
``playlistItemID``), so a playlist may hold the same track twice. Mirroring a
new order is done in three steps, each planned here:

1. :func:`plan_membership` - which positions to remove and which tracks to append
   so that every track occurs exactly as often as wanted;
2. :func:`assign_items` - which server item stands for which wanted position;
3. :func:`plan_moves` - the fewest "move X after Y" steps to reach that order
   (every item outside a longest increasing subsequence moves once).
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

ItemId = str  # the server's id of one playlist position
TrackId = str  # the library track id at that position


@dataclass(frozen=True, slots=True)
class MembershipPlan:
    """Positions to delete (by item id) and tracks to append (in wanted order)."""

    remove: tuple[ItemId, ...]
    add: tuple[TrackId, ...]


def plan_membership(
    current: Sequence[tuple[ItemId, TrackId]], wanted: Sequence[TrackId]
) -> MembershipPlan:
    """Keep the first *k* occurrences of each track (k = wanted count), drop the rest, add what is missing."""
    need = Counter(wanted)
    kept: Counter[TrackId] = Counter()
    remove: list[ItemId] = []
    for item_id, track_id in current:
        if kept[track_id] < need[track_id]:
            kept[track_id] += 1
        else:
            remove.append(item_id)
    missing = need - kept
    add: list[TrackId] = []
    for track_id in wanted:
        if missing[track_id] > 0:
            add.append(track_id)
            missing[track_id] -= 1
    return MembershipPlan(tuple(remove), tuple(add))


def assign_items(
    current: Sequence[tuple[ItemId, TrackId]], wanted: Sequence[TrackId]
) -> list[ItemId]:
    """The item id for each wanted position: the j-th wanted copy of a track is its j-th copy on the server.

    Raises:
        ValueError: ``current`` does not hold exactly the wanted tracks (as a multiset).
    """
    queues: dict[TrackId, list[ItemId]] = defaultdict(list)
    for item_id, track_id in current:
        queues[track_id].append(item_id)
    if Counter({k: len(v) for k, v in queues.items()}) != Counter(wanted):
        raise ValueError("the playlist does not hold exactly the wanted tracks")
    taken: Counter[TrackId] = Counter()
    result: list[ItemId] = []
    for track_id in wanted:
        result.append(queues[track_id][taken[track_id]])
        taken[track_id] += 1
    return result


def plan_moves(
    current: Sequence[ItemId], wanted: Sequence[ItemId]
) -> list[tuple[ItemId, ItemId | None]]:
    """Moves ``(item, after)`` (``after`` None = to the top) turning ``current`` into ``wanted``.

    Both must hold the same item ids. Items on a longest increasing
    subsequence (in wanted order) stay put; each other item is moved right
    after its wanted predecessor, visiting wanted positions left to right, so
    every move lands in its final place relative to everything placed before.
    """
    if sorted(current) != sorted(wanted) or len(set(wanted)) != len(wanted):
        raise ValueError("current and wanted must be the same distinct item ids")
    position = {item: n for n, item in enumerate(current)}
    stay = _lis_members([position[item] for item in wanted])
    moves: list[tuple[ItemId, ItemId | None]] = []
    for n, item in enumerate(wanted):
        if n not in stay:
            moves.append((item, wanted[n - 1] if n > 0 else None))
    return moves


def apply_moves(
    order: Sequence[ItemId], moves: Sequence[tuple[ItemId, ItemId | None]]
) -> list[ItemId]:
    """The order after ``moves`` (what the server does); used to check plans."""
    result = list(order)
    for item, after in moves:
        result.remove(item)
        result.insert(0 if after is None else result.index(after) + 1, item)
    return result


def _lis_members(values: Sequence[int]) -> set[int]:
    """Indexes into ``values`` of one longest strictly increasing subsequence (O(n log n))."""
    tails: list[int] = []  # smallest tail value of an increasing run of each length
    tail_index: list[int] = []
    parent: list[int] = [-1] * len(values)
    for i, value in enumerate(values):
        at = bisect.bisect_left(tails, value)
        if at == len(tails):
            tails.append(value)
            tail_index.append(i)
        else:
            tails[at] = value
            tail_index[at] = i
        parent[i] = tail_index[at - 1] if at > 0 else -1
    members: set[int] = set()
    i = tail_index[-1] if tail_index else -1
    while i >= 0:
        members.add(i)
        i = parent[i]
    return members
