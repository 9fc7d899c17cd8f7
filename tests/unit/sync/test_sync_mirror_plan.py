from __future__ import annotations

import pytest

from soulsync.domain import LibraryTrack, Track
from soulsync.services.sync.analysis import TrackVerdict
from soulsync.services.sync.mirror import MirrorResult, plan_mirror
from soulsync.services.sync.models import SyncMode, TrackStatus


def verdicts(spec: str) -> list[TrackVerdict]:
    """'a b - c' -> owned a, owned b, a missing track, owned c."""
    out = []
    for i, item in enumerate(spec.split()):
        track = Track(f"T{i}", ("Art",))
        if item == "-":
            out.append(TrackVerdict(i, track, TrackStatus.MISSING, reason="missing: no file"))
        else:
            lib = LibraryTrack(id=item, title=f"T{i}", artist="Art")
            out.append(TrackVerdict(i, track, TrackStatus.OWNED, library=lib, reason="owned"))
    return out


@pytest.mark.parametrize(
    ("existing", "spec", "mode", "wanted", "added", "removed", "moved"),
    [
        ("", "a b c", SyncMode.MIRROR, "a b c", 3, 0, 0),
        ("a b c", "a b c", SyncMode.MIRROR, "a b c", 0, 0, 0),
        ("a b c", "c a b", SyncMode.MIRROR, "c a b", 0, 0, 1),
        ("a b c", "a c", SyncMode.MIRROR, "a c", 0, 1, 0),
        ("a b c", "a b d c", SyncMode.MIRROR, "a b d c", 1, 0, 0),
        ("a x c", "a - c", SyncMode.MIRROR, "a c", 0, 1, 0),
        ("b a", "a b d", SyncMode.APPEND, "b a d", 1, 0, 0),
        ("a x", "a b", SyncMode.APPEND, "a x b", 1, 0, 0),
        ("a a", "a a b", SyncMode.MIRROR, "a a b", 1, 0, 0),
    ],
)
def test_plan(
    existing: str, spec: str, mode: SyncMode, wanted: str, added: int, removed: int, moved: int
) -> None:
    plan = plan_mirror(verdicts(spec), existing.split(), mode)
    assert list(plan.wanted) == wanted.split()
    assert (plan.added, plan.removed, plan.moved) == (added, removed, moved)
    assert plan.changes is bool(added or removed or moved)


def test_left_out_tracks_are_listed_with_reason() -> None:
    plan = plan_mirror(verdicts("a - b -"), [])
    assert [lo.position for lo in plan.left_out] == [1, 3]
    assert plan.left_out[0].reason == "missing: no file"
    assert plan.left_out[0].line() == "#2 Art - T1: missing: no file"


def test_summary_names_the_count_and_lists_the_missing() -> None:
    plan = plan_mirror(verdicts("a - b c"), [])
    result = MirrorResult(
        server="Plex",
        title="Road Trip",
        playlist_id="9",
        created=True,
        placed=3,
        total=4,
        left_out=plan.left_out,
        written=True,
        verified=True,
    )
    lines = result.lines()
    assert lines[0].startswith(
        '3 of 4 tracks in the Plex playlist "Road Trip" (created); this 1 is'
    )
    assert lines[1] == "  #2 Art - T1: missing: no file"
    unverified = MirrorResult("Plex", "R", "9", False, 2, 2, (), written=True, verified=False)
    assert "NOT verified" in unverified.summary()
    assert (
        MirrorResult("Plex", "R", None, False, 0, 2, (), error="timed out")
        .summary()
        .endswith("timed out")
    )
