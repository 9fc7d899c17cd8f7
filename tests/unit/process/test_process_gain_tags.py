"""ReplayGain 2.0 / R128 tags in each container's own fields, read back with mutagen."""

from __future__ import annotations

from pathlib import Path

import mutagen
import pytest
from mutagen.id3 import TXXX
from process_signals import music_like, sine, write_audio, write_ogg_vorbis

from soulsync.library.process import ProcessError
from soulsync.library.process.gain_tags import GainTags, read_gain, write_gain
from soulsync.library.process.loudness import analyse_file
from soulsync.library.process.replaygain import album_gains, analyse_tracks, tag_files
from soulsync.library.tags import TagSet, read_tags, write_tags

GAINS = GainTags(track_gain_db=-6.52, track_peak=0.988525, album_gain_db=-5.25, album_peak=1.0125)

FORMATS = [("flac", "flac"), ("mp3", "mp3"), ("aac", "m4a"), ("opus", "opus")]


def _raw(path: Path) -> dict[str, str]:
    """Every text field of the file as mutagen sees it, keys as stored."""
    audio = mutagen.File(path)
    out: dict[str, str] = {}
    for key, value in (audio.tags or {}).items():
        if isinstance(value, TXXX):
            out[f"TXXX:{value.desc}"] = str(value.text[0])
        elif isinstance(value, list) and value:
            first = value[0]
            out[key] = bytes(first).decode() if isinstance(first, bytes) else str(first)
    return out


@pytest.fixture()
def files(tmp_path: Path) -> dict[str, Path]:
    x = sine(48000, 3.0, channels=2)
    made = {fmt: write_audio(tmp_path / f"t.{ext}", x, 48000, fmt) for fmt, ext in FORMATS}
    made["vorbis"] = write_ogg_vorbis(tmp_path / "t.ogg", x, 48000)
    return made


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        (
            "mp3",
            {
                "TXXX:REPLAYGAIN_TRACK_GAIN": "-6.52 dB",
                "TXXX:REPLAYGAIN_TRACK_PEAK": "0.988525",
                "TXXX:REPLAYGAIN_ALBUM_GAIN": "-5.25 dB",
                "TXXX:REPLAYGAIN_ALBUM_PEAK": "1.012500",
            },
        ),
        (
            "flac",
            {
                "REPLAYGAIN_TRACK_GAIN": "-6.52 dB",
                "REPLAYGAIN_TRACK_PEAK": "0.988525",
                "REPLAYGAIN_ALBUM_GAIN": "-5.25 dB",
                "REPLAYGAIN_ALBUM_PEAK": "1.012500",
            },
        ),
        (
            "aac",
            {
                "----:com.apple.iTunes:replaygain_track_gain": "-6.52 dB",
                "----:com.apple.iTunes:replaygain_track_peak": "0.988525",
                "----:com.apple.iTunes:replaygain_album_gain": "-5.25 dB",
                "----:com.apple.iTunes:replaygain_album_peak": "1.012500",
            },
        ),
        (
            "vorbis",
            {
                "REPLAYGAIN_TRACK_GAIN": "-6.52 dB",
                "REPLAYGAIN_TRACK_PEAK": "0.988525",
                "REPLAYGAIN_ALBUM_GAIN": "-5.25 dB",
                "REPLAYGAIN_ALBUM_PEAK": "1.012500",
            },
        ),
        # Opus: Q7.8 towards -23 LUFS: (-6.52 - 5) * 256 = -2949.12 -> -2949.
        ("opus", {"R128_TRACK_GAIN": "-2949", "R128_ALBUM_GAIN": "-2624"}),
    ],
)
def test_fields_are_the_containers_own(
    files: dict[str, Path], fmt: str, expected: dict[str, str]
) -> None:
    write_gain(files[fmt], GAINS)
    raw = _raw(files[fmt])
    gain_keys = {k: v for k, v in raw.items() if "replaygain" in k.lower() or "r128" in k.lower()}
    if fmt in ("flac", "vorbis"):
        gain_keys = {k.upper(): v for k, v in gain_keys.items()}
    if fmt == "opus":
        gain_keys = {k.upper(): v for k, v in gain_keys.items()}
    assert gain_keys == expected
    back = read_gain(files[fmt])
    assert back.track_gain_db == pytest.approx(-6.52, abs=0.005)
    assert back.album_gain_db == pytest.approx(-5.25, abs=0.005)
    if fmt != "opus":
        assert back.track_peak == pytest.approx(0.988525)
        assert back.album_peak == pytest.approx(1.0125)


@pytest.mark.parametrize("fmt", [*(f for f, _ in FORMATS), "vorbis"])
def test_rewriting_replaces_old_values_and_keeps_other_tags(
    files: dict[str, Path], fmt: str
) -> None:
    path = files[fmt]
    write_tags(path, TagSet(title="Song", artist="Band", album="Record", track_number=3))
    write_gain(path, GAINS)
    write_gain(path, GainTags(track_gain_db=1.5, track_peak=0.5))
    back = read_gain(path)
    assert back.track_gain_db == pytest.approx(1.5, abs=0.005)
    assert back.album_gain_db is None
    tags = read_tags(path)
    assert (tags.title, tags.artist, tags.album, tags.track_number) == ("Song", "Band", "Record", 3)
    # keep_album leaves the album's gain alone when only the track is re-measured.
    write_gain(path, GAINS)
    write_gain(path, GainTags(track_gain_db=2.0, track_peak=0.4), keep_album=True)
    back = read_gain(path)
    assert back.track_gain_db == pytest.approx(2.0, abs=0.005)
    assert back.album_gain_db == pytest.approx(-5.25, abs=0.005)


def test_lower_case_fields_from_other_taggers_are_replaced(tmp_path: Path) -> None:
    path = write_audio(tmp_path / "t.flac", sine(44100, 2.0), 44100, "flac")
    audio = mutagen.File(path)
    audio["replaygain_track_gain"] = "+9.99 dB"
    audio.save()
    write_gain(path, GainTags(track_gain_db=-1.0, track_peak=0.1))
    values = mutagen.File(path).tags.as_dict()
    gains = [v for k, v in values.items() if k.lower() == "replaygain_track_gain"]
    assert gains == [["-1.00 dB"]]


def test_unsupported_file_type(tmp_path: Path) -> None:
    path = write_audio(tmp_path / "t.wav", sine(44100, 1.0), 44100, "wav")
    with pytest.raises(ProcessError) as info:
        write_gain(path, GAINS)
    assert info.value.reason == "unsupported"


def test_album_gain_is_shared_and_track_gain_is_each_tracks_own(tmp_path: Path) -> None:
    rate = 44100
    paths = [
        write_audio(
            tmp_path / "01.flac", sine(rate, 6.0, channels=2, peak_dbfs=-20.0), rate, "flac"
        ),
        write_audio(
            tmp_path / "02.mp3", sine(rate, 6.0, channels=2, peak_dbfs=-14.0), rate, "mp3", 320
        ),
        write_audio(tmp_path / "03.opus", music_like(rate, 6.0), rate, "opus", 128),
    ]
    analyses = analyse_tracks(paths, workers=2)
    gains = album_gains([a.loudness for a in analyses])
    tag_files(paths, gains, keep_album=False)
    back = [read_gain(p) for p in paths]
    # -20 dBFS stereo sine = -20 LUFS -> +2 dB to -18; -14 dBFS -> -4 dB.
    assert back[0].track_gain_db == pytest.approx(2.0, abs=0.2)
    assert back[1].track_gain_db == pytest.approx(-4.0, abs=0.2)
    album = {round(b.album_gain_db, 1) for b in back if b.album_gain_db is not None}
    assert len(album) == 1 and len([b for b in back if b.album_gain_db is not None]) == 3
    # The album is louder than its quietest track and quieter than its loudest.
    assert back[1].track_gain_db < back[0].album_gain_db < back[0].track_gain_db
    # Re-measuring a tagged file gives the same loudness: tags do not touch the audio.
    assert analyse_file(paths[0])[1].integrated_lufs == pytest.approx(-20.0, abs=0.2)
    # No temporary files left behind.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["01.flac", "02.mp3", "03.opus"]


def test_id3v23_files_stay_v23(tmp_path: Path) -> None:
    path = write_audio(tmp_path / "t.mp3", sine(44100, 2.0), 44100, "mp3", 128)
    write_tags(path, TagSet(title="Song", artist="Band", date="2020-05-01"), id3v23=True)
    assert mutagen.File(path).tags.version[:2] == (2, 3)
    write_gain(path, GAINS)
    audio = mutagen.File(path)
    assert audio.tags.version[:2] == (2, 3)
    assert read_gain(path).track_gain_db == pytest.approx(-6.52)
    assert read_tags(path).title == "Song"
