"""The facade's id scheme: every accepted form parses to (service, id)."""

from __future__ import annotations

import pytest

from soulsync.domain import Album, Artist, Source, Track
from soulsync.providers.metadata import parse_ref, qualified_id

SID = "4uLU6hMCjMI75M1A2tKUQC"


@pytest.mark.parametrize(
    ("ref", "source", "id_", "kind"),
    [
        (f"spotify:{SID}", Source.SPOTIFY, SID, None),
        (f"spotify:album:{SID}", Source.SPOTIFY, SID, "album"),
        (f"https://open.spotify.com/track/{SID}?si=abc", Source.SPOTIFY, SID, "track"),
        (f"https://open.spotify.com/intl-de/artist/{SID}", Source.SPOTIFY, SID, "artist"),
        (SID, Source.SPOTIFY, SID, None),
        ("deezer:3135556", Source.DEEZER, "3135556", None),
        ("https://www.deezer.com/en/album/302127", Source.DEEZER, "302127", "album"),
        ("https://deezer.com/track/3135556", Source.DEEZER, "3135556", "track"),
        ("  3135556 ", Source.DEEZER, "3135556", None),
    ],
)
def test_parse_ref(ref: str, source: Source, id_: str, kind: str | None) -> None:
    parsed = parse_ref(ref)
    assert (parsed.source, parsed.id, parsed.kind) == (source, id_, kind)
    assert str(parsed) == f"{source}:{id_}"


@pytest.mark.parametrize("ref", ["", "hello", "youtube:abc", "spotify:", "deezer:"])
def test_parse_ref_rejects(ref: str) -> None:
    with pytest.raises(ValueError, match="not a Spotify or Deezer id"):
        parse_ref(ref)


@pytest.mark.parametrize(
    ("entity", "expected"),
    [
        (Track("T", ("A",), ids={"deezer": "1", "spotify": SID}), f"spotify:{SID}"),
        (Album("T", ("A",), ids={"deezer": "9"}), "deezer:9"),
        (Artist("A"), None),
    ],
)
def test_qualified_id(entity: Track | Album | Artist, expected: str | None) -> None:
    assert qualified_id(entity) == expected
