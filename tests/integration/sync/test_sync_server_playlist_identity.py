"""The media-server playlist is ours by its stored id: never adopted or clobbered by name."""

from __future__ import annotations

from soulsync.services.sync.models import RunState


async def test_found_by_stored_id_not_by_name(sandbox) -> None:  # type: ignore[no-untyped-def]
    plex = sandbox.plex
    library = await plex.all_tracks()
    # The user already has a hand-made playlist with the same name: it is not touched.
    decoy = await plex.create_playlist("Road Trip", [library[0].id, library[1].id])
    ref = sandbox.ref("road-trip")
    first = await sandbox.run(ref)
    assert first.state is RunState.COMPLETED and first.playlist_synced
    assert first.server_playlist_id != decoy.id
    still = await plex.get_playlist(decoy.id)
    assert still is not None and still.item_ids == decoy.item_ids

    # Later syncs update that same playlist (no duplicates), even after a change upstream.
    sandbox.spotify_sim.move_item(sandbox.spotify_sim.playlist_id("road-trip"), 0, 3)
    second = await sandbox.run(ref)
    assert second.server_playlist_id == first.server_playlist_id and second.playlist_synced
    titles = [p.title for p in await plex.list_playlists()]
    assert titles.count("Road Trip") == 2  # the user's and ours, nothing more

    # If the user deletes ours, the next sync makes a new one and remembers its id.
    assert await plex.delete_playlist(first.server_playlist_id)
    third = await sandbox.run(ref)
    assert third.playlist_synced and third.server_playlist_id not in (
        None,
        first.server_playlist_id,
    )
    record = sandbox.sync.find_playlist(ref)
    assert record.server_playlist_id == third.server_playlist_id and record.server_name == "plex"


async def test_playlist_we_created_is_found_by_its_marker_when_the_id_was_lost(sandbox) -> None:  # type: ignore[no-untyped-def]
    """Issue 18 item 3: without a stored id, SoulSync's summary marker finds its playlist."""
    plex = sandbox.plex
    ref = sandbox.ref("road-trip")
    first = await sandbox.run(ref)
    assert first.playlist_synced
    ours = [p for p in await plex.list_playlists() if p.id == first.server_playlist_id]
    assert ours and "Synced by SoulSync from spotify:" in ours[0].summary
    # The stored id is lost (e.g. the process died before writing it).
    record = sandbox.sync.find_playlist(ref)
    sandbox.sync.sync_store.update_playlist(record.id, server_playlist_id=None)
    second = await sandbox.run(ref)
    assert second.playlist_synced and second.server_playlist_id == first.server_playlist_id
    titles = [p.title for p in await plex.list_playlists()]
    assert titles.count("Road Trip") == 1
