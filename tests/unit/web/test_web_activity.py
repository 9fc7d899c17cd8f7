"""Which events become lines in the dashboard's activity feed."""

from __future__ import annotations

import pytest

from soulsync.services.events import Event
from soulsync.web.activity import describe


@pytest.mark.parametrize(
    ("topic", "data", "expected"),
    [
        ("job.state", {"state": "completed", "title": "A - B"}, ("download", "Downloaded A - B")),
        (
            "job.state",
            {"state": "failed", "title": "A - B", "error": "peer offline"},
            ("download", "Download failed: A - B (peer offline)"),
        ),
        (
            "job.state",
            {"state": "cancelled", "title": "A - B"},
            ("download", "Download cancelled: A - B"),
        ),
        ("job.state", {"state": "downloading", "title": "A - B"}, None),
        ("sync.state", {"state": "running", "phase": "scanning"}, ("scan", "Library scan started")),
        ("sync.state", {"state": "completed", "phase": "done"}, None),  # the sync writes its own
        ("job.progress", {"id": 1, "percent": 50}, None),
    ],
)
def test_describe(topic: str, data: dict[str, object], expected: tuple[str, str] | None) -> None:
    assert describe(Event(topic, data, 1)) == expected
