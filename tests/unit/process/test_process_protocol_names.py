"""File names that look like FFmpeg protocols are plain files to the processor too."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from soulsync.library.audio import generate_tone
from soulsync.library.process.decode import open_audio


@pytest.mark.parametrize("name", ["pipe:1.flac", "concat:a|b.flac", "http:x.flac", "-i.flac"])
def test_a_relative_protocol_like_name_is_read_as_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    source = generate_tone(tmp_path / "tone.flac", "flac", 1.0)
    shutil.copy(source, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    audio = open_audio(Path(name))
    assert audio.codec == "flac"
    assert abs((audio.duration_s or 0) - 1.0) < 0.1
    assert os.listdir(tmp_path)  # nothing was consumed or replaced
