"""Queue rows show the processing stage and its progress instead of the download's."""

from __future__ import annotations

from typing import Any

from soulsync.web.templating import make_templates


def _row(**extra: Any) -> dict[str, Any]:
    base = {
        "id": 7,
        "title": "Song",
        "artist": "Band",
        "album": "Record",
        "kind": "playlist track",
        "state": "processing",
        "art": None,
        "size": 1000,
        "percent": 100.0,
        "speed": 0.0,
        "bytes_done": 1000,
        "error": None,
        "path": None,
    }
    return {**base, **extra}


def _render(item: dict[str, Any]) -> str:
    env = make_templates().env
    return env.get_template("partials/queue_list.html").render(
        tab="active", active=[item], finished=[], eta=lambda *a: ""
    )


def test_stage_replaces_the_download_progress() -> None:
    html = _render(_row(stage="converting to mp3 192k", stage_percent=42.0))
    assert '<span class="state processing stage">converting to mp3 192k</span>' in html
    assert 'value="42.0"' in html and "42%" in html
    assert "100%" not in html


def test_without_a_stage_the_row_is_unchanged() -> None:
    html = _render(_row())
    assert '<span class="state processing">processing</span>' in html
    assert "100%" in html
