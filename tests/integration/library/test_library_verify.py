"""safe_move's audio check: a file whose end does not decode is refused, the original kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from soulsync.library.audio import generate_tone
from soulsync.library.safe_move import MoveError, MoveReason, safe_move
from soulsync.library.tags import TagSet


def _scramble_tail(path: Path, keep: float = 0.8) -> None:
    """Keep every MP3 frame header but scramble the payload of the last frames."""
    data = bytearray(path.read_bytes())
    frame_len = 627  # 192 kbit/s at 44.1 kHz
    tail_from = int(len(data) * keep)
    starts = [i for i in range(tail_from, len(data) - 1) if data[i : i + 2] == b"\xff\xfb"]
    assert len(starts) > 20
    for start in starts:
        for k in range(start + 4, min(start + frame_len - 27, len(data))):
            data[k] = (k * 37) & 0xFF
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("tags", [None, TagSet(title="Song")])
def test_undecodable_end_is_corrupt_audio(roots: tuple[Path, Path], tags: TagSet | None) -> None:
    downloads, library = roots
    source = downloads / "peer" / "01.mp3"
    source.parent.mkdir()
    generate_tone(source, "mp3", 10.0, noise=True)
    _scramble_tail(source)
    before = source.read_bytes()
    with pytest.raises(MoveError) as err:
        safe_move(source, "A/01.mp3", library_root=library, downloads_root=downloads, tags=tags)
    assert err.value.reason is MoveReason.CORRUPT_AUDIO
    assert "no audio decodes at the end" in err.value.message
    assert source.read_bytes() == before
    assert list(library.rglob("*")) == []
