from __future__ import annotations

import dataclasses

from soulsync.domain import Playlist, PlaylistEntry, Source
from soulsync.services.sync.analysis import LibrarySnapshot, TrackVerdict, analyse_playlist
from soulsync.services.sync.models import TrackStatus
from soulsync.services.sync.store import DecisionKind, SyncStore
from soulsync.store import Store


def test_road_trip_has_ten_owned_twenty_missing(seeded_library, make_playlist) -> None:  # type: ignore[no-untyped-def]
    snap = LibrarySnapshot(seeded_library)
    seen: list[TrackVerdict] = []
    verdicts = analyse_playlist(make_playlist("road-trip"), snap, {}, on_verdict=seen.append)
    assert seen == verdicts
    statuses = [v.status for v in verdicts]
    assert statuses[:10] == [TrackStatus.OWNED] * 10
    assert statuses[10:] == [TrackStatus.MISSING] * 20
    owned = verdicts[0]
    assert owned.library is not None and owned.library.path and owned.library.path.endswith(".flac")
    assert owned.confidence is not None and owned.confidence >= 0.8
    assert "owned:" in owned.reason and owned.library.path in owned.reason
    assert all(v.reason.startswith("missing:") for v in verdicts[10:])


def test_versions_keep_remix_live_and_original_apart(seeded_library, make_playlist) -> None:  # type: ignore[no-untyped-def]
    verdicts = analyse_playlist(make_playlist("versions"), LibrarySnapshot(seeded_library), {})
    by_title = {v.track.title: v.status for v in verdicts if v.track}
    assert by_title["Blinding Lights"] is TrackStatus.OWNED
    assert by_title["Blinding Lights - Chromatics Remix"] is TrackStatus.MISSING
    assert by_title["Bohemian Rhapsody - Live"] is TrackStatus.MISSING
    assert by_title["Love Story (Taylor's Version)"] is TrackStatus.MISSING
    assert by_title["Love Story"] is TrackStatus.OWNED


def test_no_server_means_every_track_missing_with_reason(make_playlist) -> None:  # type: ignore[no-untyped-def]
    verdicts = analyse_playlist(
        make_playlist("road-trip"), None, {}, unreachable_reason="Plex is not reachable"
    )
    assert {v.status for v in verdicts} == {TrackStatus.MISSING}
    assert all("Plex is not reachable" in v.reason for v in verdicts)


def test_unavailable_entries_are_reported_not_matched(seeded_library, make_track) -> None:  # type: ignore[no-untyped-def]
    pl = Playlist(
        "p",
        "P",
        Source.SPOTIFY,
        entries=(
            PlaylistEntry(0, None, is_local=True),
            PlaylistEntry(1, None, unavailable_reason="removed by the label"),
            PlaylistEntry(2, make_track("25/Hello")),
        ),
    )
    verdicts = analyse_playlist(pl, LibrarySnapshot(seeded_library), {})
    assert [v.status for v in verdicts] == [
        TrackStatus.UNAVAILABLE,
        TrackStatus.UNAVAILABLE,
        TrackStatus.OWNED,
    ]
    assert "local file" in verdicts[0].reason and "removed by the label" in verdicts[1].reason


def test_owned_once_survives_an_upstream_title_change(
    store: Store, seeded_library, make_track
) -> None:  # type: ignore[no-untyped-def]
    ss = SyncStore(store)
    snap = LibrarySnapshot(seeded_library)
    original = make_track("25/Hello")
    first = analyse_playlist(
        Playlist("p", "P", Source.SPOTIFY, entries=(PlaylistEntry(0, original),)), snap, {}
    )
    lib = first[0].library
    assert lib is not None
    ss.remember(original, DecisionKind.OWNED, library_id=lib.id, library_path=lib.path)
    # Upstream renames it beyond recognition (same Spotify id).
    renamed = dataclasses.replace(original, title="Zzz Totally Different Words", album="Zzz")
    pl = Playlist("p", "P", Source.SPOTIFY, entries=(PlaylistEntry(0, renamed),))
    fresh = analyse_playlist(pl, snap, {})
    assert fresh[0].status is TrackStatus.MISSING  # the engine alone would re-download it
    remembered = analyse_playlist(pl, snap, ss.decisions_for([renamed]))
    assert remembered[0].status is TrackStatus.OWNED
    assert remembered[0].remembered and remembered[0].library == lib
    assert "owned before" in remembered[0].reason


def test_memory_of_a_deleted_file_is_not_trusted(store: Store, seeded_library, make_track) -> None:  # type: ignore[no-untyped-def]
    ss = SyncStore(store)
    t = make_track("25/Hello", title="Zzz Other")
    ss.remember(t, DecisionKind.OWNED, library_id="gone", library_path="gone.flac")
    v = analyse_playlist(
        Playlist("p", "P", Source.SPOTIFY, entries=(PlaylistEntry(0, t),)),
        LibrarySnapshot(seeded_library),
        ss.decisions_for([t]),
    )
    assert v[0].status is TrackStatus.MISSING


def test_correction_and_rejection(store: Store, seeded_library, make_track) -> None:  # type: ignore[no-untyped-def]
    ss = SyncStore(store)
    snap = LibrarySnapshot(seeded_library)
    hello = make_track("25/Hello")
    pl = Playlist("p", "P", Source.SPOTIFY, entries=(PlaylistEntry(0, hello),))
    engine_pick = analyse_playlist(pl, snap, {})[0].library
    assert engine_pick is not None
    # The user says the engine's pick is wrong: it is not used again.
    ss.remember(hello, DecisionKind.REJECTED, library_id=engine_pick.id, decided_by="user")
    after_reject = analyse_playlist(pl, snap, ss.decisions_for([hello]))[0]
    assert after_reject.library is None or after_reject.library.id != engine_pick.id
    assert after_reject.status is not TrackStatus.OWNED or after_reject.library != engine_pick
    # The user corrects it by hand to another library file: that one is used, remembered.
    other = next(t for t in seeded_library if t.id != engine_pick.id)
    ss.remember(
        hello,
        DecisionKind.CORRECTED,
        library_id=other.id,
        library_path=other.path,
        decided_by="user",
    )
    corrected = analyse_playlist(pl, snap, ss.decisions_for([hello]))[0]
    assert corrected.status is TrackStatus.OWNED and corrected.library == other
    assert "corrected by you" in corrected.reason
