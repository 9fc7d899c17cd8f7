from __future__ import annotations

import dataclasses
import threading

from soulsync.domain import Playlist, Source, Track
from soulsync.services.sync.models import RunState, SyncMode, TrackStatus
from soulsync.services.sync.store import DecisionKind, SyncStore
from soulsync.store import Store


def test_upsert_playlist_keeps_one_row_and_caches_entries(store: Store, make_playlist) -> None:  # type: ignore[no-untyped-def]
    ss = SyncStore(store)
    pl: Playlist = make_playlist("road-trip")
    first = ss.upsert_playlist(pl, selected=True)
    again = ss.upsert_playlist(dataclasses.replace(pl, name="Road Trip 2"))
    assert first.id == again.id
    assert again.selected is True  # not reset by a refresh
    assert again.name == "Road Trip 2"
    assert again.track_count == 30
    cached = ss.cached_playlist(first.id)
    assert cached is not None
    assert [e.track for e in cached.entries] == [e.track for e in pl.entries]
    assert ss.find_by_name("road trip 2")[0].id == first.id
    assert ss.find_playlist(Source.SPOTIFY, pl.id) == again
    assert [p.id for p in ss.list_playlists(selected_only=True)] == [first.id]


def test_two_processes_adding_one_new_playlist_at_once_make_one_row(
    store: Store,
    make_playlist,  # type: ignore[no-untyped-def]
) -> None:
    """Issue 18 item 2: two CLI syncs of a playlist never seen before both "insert or
    refresh" its row. Read-then-insert must be one step across processes (a second
    ``Store`` on the same file stands for the second process): no unique-key error."""
    other = Store(store.path)
    try:
        sides = [SyncStore(store), SyncStore(other)]
        pl: Playlist = make_playlist("road-trip")
        errors: list[BaseException] = []
        for round_no in range(25):
            fresh = dataclasses.replace(pl, id=f"race{round_no}")
            gate = threading.Barrier(2)

            def add(
                ss: SyncStore, playlist: Playlist = fresh, gate: threading.Barrier = gate
            ) -> None:
                gate.wait()
                try:
                    ss.upsert_playlist(playlist)
                except BaseException as exc:  # the test reports any error below
                    errors.append(exc)

            threads = [threading.Thread(target=add, args=(ss,)) for ss in sides]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        assert errors == []
        assert (
            len({r.source_id for r in sides[0].list_playlists()} & {f"race{n}" for n in range(25)})
            == 25
        )
    finally:
        other.close()


def test_run_and_track_rows(store: Store, make_track) -> None:  # type: ignore[no-untyped-def]
    ss = SyncStore(store)
    run_id = ss.create_run(
        playlist_row_id=None,
        playlist_name="P",
        source="spotify",
        source_id="x",
        mode=SyncMode.MIRROR,
        download_missing=True,
        dry_run=False,
        media_server="plex",
    )
    assert [r.id for r in ss.unfinished_runs()] == [run_id]
    t = make_track("25/Hello")
    ss.write_tracks(
        run_id,
        [
            {
                "position": 0,
                "track": t,
                "status": TrackStatus.OWNED,
                "confidence": 1.0,
                "library_id": "7",
            },
            {"position": 1, "track": None, "status": TrackStatus.UNAVAILABLE, "title": "local.mp3"},
        ],
    )
    ss.update_track(run_id, 0, status=TrackStatus.DOWNLOADED, job_id=None)
    rows = ss.run_tracks(run_id)
    assert [r.status for r in rows] == [TrackStatus.DOWNLOADED, TrackStatus.UNAVAILABLE]
    assert rows[0].track == t and rows[0].artist == "Adele" and rows[1].title == "local.mp3"
    ss.update_run(run_id, state=RunState.COMPLETED, owned=1, total=2)
    run = ss.get_run(run_id)
    assert run is not None and run.state is RunState.COMPLETED and run.total == 2
    assert ss.unfinished_runs() == []


def test_user_decision_beats_automatic_memory(store: Store) -> None:
    ss = SyncStore(store)
    t = Track("Song", ("A",), isrc="QZAA00000001", ids={"spotify": "s1"})
    ss.remember(t, DecisionKind.OWNED, library_id="auto", library_path="a.flac")
    ss.remember(t, DecisionKind.CORRECTED, library_id="user", decided_by="user")
    ss.remember(t, DecisionKind.OWNED, library_id="auto2")  # must not override the user
    found = ss.decisions_for([t])["spotify:s1"]
    assert [(d.kind, d.library_id) for d in found] == [(DecisionKind.CORRECTED, "user")]


def test_decisions_found_by_isrc_when_ids_and_title_changed(store: Store) -> None:
    ss = SyncStore(store)
    old = Track("Song", ("A",), isrc="QZAA00000002", ids={"spotify": "s2"})
    ss.remember(old, DecisionKind.OWNED, library_id="L1")
    renamed = Track("Song (2021 Remaster)", ("A",), isrc="qzaa00000002", ids={"deezer": "d9"})
    found = ss.decisions_for([renamed])
    assert [d.library_id for d in found["deezer:d9"]] == ["L1"]


def test_rejection_removes_matching_positive_and_correction_lifts_rejection(store: Store) -> None:
    ss = SyncStore(store)
    t = Track("Song", ("A",), ids={"spotify": "s3"})
    ss.remember(t, DecisionKind.OWNED, library_id="L1")
    ss.remember(t, DecisionKind.REJECTED, library_id="L1", decided_by="user")
    assert [d.kind for d in ss.decisions_for([t])["spotify:s3"]] == [DecisionKind.REJECTED]
    ss.remember(t, DecisionKind.CORRECTED, library_id="L1", decided_by="user")
    assert [d.kind for d in ss.decisions_for([t])["spotify:s3"]] == [DecisionKind.CORRECTED]
    assert ss.forget(t) == 1
    assert ss.decisions_for([t]) == {}


def test_prune_keeps_the_newest_runs_track_rows(store: Store, make_playlist) -> None:  # type: ignore[no-untyped-def]
    ss = SyncStore(store)
    row = ss.upsert_playlist(make_playlist("road-trip"))
    run_ids = []
    for n in range(4):
        run_id = ss.create_run(
            playlist_row_id=row.id,
            playlist_name="P",
            source="spotify",
            source_id=row.source_id,
            mode=SyncMode.MIRROR,
            download_missing=False,
            dry_run=False,
            media_server=None,
        )
        ss.update_run(run_id, started_at=1000.0 + n)
        ss.write_tracks(run_id, [{"position": 0, "track": None, "status": TrackStatus.UNAVAILABLE}])
        run_ids.append(run_id)
    assert ss.prune_track_rows(row.id, keep_runs=2) == 2
    assert [len(ss.run_tracks(r)) for r in run_ids] == [0, 0, 1, 1]
    assert ss.get_run(run_ids[0]) is not None  # the run itself (totals) stays
    assert ss.prune_track_rows(row.id, keep_runs=2) == 0
