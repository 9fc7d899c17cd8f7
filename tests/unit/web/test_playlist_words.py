"""The words the playlist modal shows: reasons without server paths, the run's
summary sentence, and what to do when Spotify refuses a playlist."""

from __future__ import annotations

import pytest

from soulsync.web.formatting import plain_reason
from soulsync.web.refusals import refusal_hint
from soulsync.web.routes_playlists import summary


@pytest.mark.parametrize(
    ("reason", "shown"),
    [
        (
            "owned: /srv/music/Daft Punk/Daft Punk - Discovery (2001)/03 Digital Love.flac "
            "(97%: same title; 42 s longer)",
            "owned: 03 Digital Love.flac (97%: same title; 42 s longer)",
        ),
        (
            r"downloaded earlier to C:\Music\Kino\01 Кукушка.mp3; waiting for the library",
            "downloaded earlier to 01 Кукушка.mp3; waiting for the library",
        ),
        ("missing: best library candidate AC/DC - Thunderstruck scored 0.41", None),
        ("", ""),
        (None, ""),
    ],
)
def test_plain_reason_drops_absolute_paths(reason: str | None, shown: str | None) -> None:
    assert plain_reason(reason) == (reason if shown is None else shown)


@pytest.mark.parametrize(
    ("counts", "total", "sentence"),
    [
        (
            {"owned": 8, "uncertain": 1, "missing": 1},
            10,
            "8 of 10 tracks owned; 1 uncertain, 1 missing",
        ),
        ({"owned": 1}, 1, "1 of 1 track owned"),
        (
            {"owned": 2, "downloaded": 1, "wishlisted": 2},
            5,
            "3 of 5 tracks owned; 2 on the wishlist",
        ),
        ({}, 0, ""),
    ],
)
def test_summary_sentence(counts: dict[str, int], total: int, sentence: str) -> None:
    assert summary(counts, total) == sentence


@pytest.mark.parametrize(
    ("error", "advice"),
    [
        (
            "playlist 37i9dQZF1DX is made by Spotify (editorial or algorithmic); ...",
            "new playlist of your own",
        ),
        ("Spotify refuses this app: ... needs an active Premium subscription", "Renew Premium"),
        (
            'cannot read the tracks of "X": not readable in Development Mode: Spotify only lets '
            "apps read playlists you own or collaborate on",
            "collaborator",
        ),
        ("spotify: cooling down for 12 more min (rate limited 5 times)", "quota"),
        ("spotify: not logged in; run `soulsync spotify login`", "Log in to Spotify again"),
    ],
)
def test_refusals_say_what_to_do(error: str, advice: str) -> None:
    hint = refusal_hint(error)
    assert hint is not None and advice in hint


@pytest.mark.parametrize("error", [None, "", "the folder library cannot be read: disk gone"])
def test_no_advice_for_other_errors(error: str | None) -> None:
    assert refusal_hint(error) is None


def test_uncertain_row_offers_its_decisions_and_candidates_hide_folders() -> None:
    import json
    import re
    import time

    from soulsync.web.templating import make_templates

    templates = make_templates()
    track = {
        "position": 3,
        "title": "Here Comes The Sun",
        "artist": "The Beatles",
        "album": "Abbey Road",
        "status": "uncertain",
        "reason": "uncertain: /srv/music/The Beatles/Abbey Road/07 Here Comes The Sun.flac (64%: …)",
    }
    record = type("R", (), {"name": "Road Trip"})()
    body = templates.get_template("partials/playlist_body.html").render(
        record=record,
        ref="spotify:x",
        tracks=[track],
        run=None,
        running_id=None,
        analysing=False,
        counts={"uncertain": 1},
        total=1,
        owned=0,
        done=1,
        pct=0,
        downloads_ok=True,
        server_ok=True,
        image=None,
        now=time.time(),
        summary="",
        hint=None,
    )
    for label in ("Mark as owned", "Pick the file…", "Download anyway", "Correct"):
        assert label in body
    assert "/srv/music" not in body and "07 Here Comes The Sun.flac" in body

    cands = templates.get_template("partials/playlist_track_candidates.html").render(
        ref="spotify:x",
        position=3,
        candidates=[
            {
                "library_id": "lib'1",
                "title": "Something",
                "artist": "The Beatles",
                "album": "Abbey Road",
                "path": "/srv/music/B/02 Something.flac",
                "score": 0.44,
                "reasons": [],
                "current": True,
            }
        ],
    )
    assert "/srv/music" not in cands and "44%" in cands
    vals = re.search(r"hx-vals='([^']+)'", cands)
    assert vals is not None
    assert json.loads(vals.group(1)) == {
        "ref": "spotify:x",
        "position": "3",
        "action": "pick",
        "library_id": "lib'1",
    }
