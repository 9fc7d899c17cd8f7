"""The pure planner behind "replace playlist items" (add, remove, move)."""

from __future__ import annotations

import random

import pytest

from soulsync.providers.playlist_plan import (
    apply_moves,
    assign_items,
    plan_membership,
    plan_moves,
)


def _server_apply(
    current: list[tuple[str, str]], wanted: list[str]
) -> tuple[list[tuple[str, str]], int]:
    """Run the whole plan the way an adapter does; returns the final items and the move count."""
    plan = plan_membership(current, wanted)
    items = [pair for pair in current if pair[0] not in set(plan.remove)]
    items += [(f"new{n}", track) for n, track in enumerate(plan.add)]
    by_id = dict(items)
    target_ids = assign_items(items, wanted)
    moves = plan_moves([i for i, _ in items], target_ids)
    final_ids = apply_moves([i for i, _ in items], moves)
    return [(i, by_id[i]) for i in final_ids], len(moves)


@pytest.mark.parametrize(
    ("current", "wanted", "removed", "added", "max_moves"),
    [
        ("abc", "abc", 0, 0, 0),
        ("abc", "cba", 0, 0, 2),
        ("abc", "abcd", 0, 1, 0),
        ("abcd", "abd", 1, 0, 0),
        ("abcd", "dab", 1, 0, 1),
        ("", "ab", 0, 2, 0),
        ("ab", "", 2, 0, 0),
        ("aab", "ab", 1, 0, 0),
        ("ab", "aba", 0, 1, 0),
        ("abca", "aacb", 0, 0, 2),
        ("xyz", "abc", 3, 3, 0),
    ],
)
def test_plan_reaches_the_wanted_order(
    current: str, wanted: str, removed: int, added: int, max_moves: int
) -> None:
    pairs = [(f"i{n}", t) for n, t in enumerate(current)]
    plan = plan_membership(pairs, list(wanted))
    assert len(plan.remove) == removed
    assert len(plan.add) == added
    final, moves = _server_apply(pairs, list(wanted))
    assert [t for _, t in final] == list(wanted)
    assert moves <= max_moves


def test_unchanged_items_keep_their_server_ids() -> None:
    pairs = [("1", "a"), ("2", "b"), ("3", "c")]
    final, moves = _server_apply(pairs, ["c", "a", "b"])
    assert final == [("3", "c"), ("1", "a"), ("2", "b")]
    assert moves == 1  # only "c" moves to the top


@pytest.mark.parametrize("seed", range(40))
def test_random_reorders_with_duplicates(seed: int) -> None:
    rng = random.Random(seed)
    alphabet = "abcdefghij"
    current = [(f"i{n}", rng.choice(alphabet)) for n in range(rng.randint(0, 25))]
    wanted = [rng.choice(alphabet) for _ in range(rng.randint(0, 25))]
    final, _ = _server_apply(current, wanted)
    assert [t for _, t in final] == wanted


@pytest.mark.parametrize("seed", range(20))
def test_pure_permutation_moves_are_minimal(seed: int) -> None:
    rng = random.Random(seed)
    ids = [str(n) for n in range(30)]
    wanted = ids[:]
    rng.shuffle(wanted)
    moves = plan_moves(ids, wanted)
    assert apply_moves(ids, moves) == wanted
    # n - LIS moves: recompute the LIS length the slow way to check the bound.
    pos = [ids.index(i) for i in wanted]
    best = [1] * len(pos)
    for j in range(len(pos)):
        for k in range(j):
            if pos[k] < pos[j]:
                best[j] = max(best[j], best[k] + 1)
    assert len(moves) == len(ids) - max(best)


def test_assign_refuses_a_mismatch() -> None:
    with pytest.raises(ValueError, match="exactly the wanted tracks"):
        assign_items([("1", "a")], ["a", "b"])


def test_plan_moves_refuses_different_items() -> None:
    with pytest.raises(ValueError, match="same distinct"):
        plan_moves(["1", "2"], ["1", "3"])
