"""Processing one file: plan, (decode, trim, normalise, encode), tag, verify, place.

:func:`process_file` is the one entry point for the download pipeline and
the ``soulsync process`` command. The original is never modified until a
complete, verified result exists:

1. **plan** what the profile asks of this file (convert? trim? normalise?
   only tags?); lossless stays lossless unless the profile converts, and a
   lossy file is never transcoded to a higher rate of its own format;
2. **produce** the new audio into a temporary file beside its final place
   (or copy it from the cache), carrying the source's tags and cover over
   (read back and compared field by field);
3. **measure** the result: decoding it whole verifies it, and gives the
   loudness for the ReplayGain tags (so the gain describes the file as it
   is, after any lossy encoding);
4. **place**: atomically replace the original (same name), or link the
   new name and only then delete the original (new extension), or link into
   the output folder (never over an existing file).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from soulsync.library.process.cache import ProcessCache, file_hash
from soulsync.library.process.decode import AudioSource, decode_all, open_audio
from soulsync.library.process.encode import Target, encode, os_error_reason
from soulsync.library.process.errors import ProcessError
from soulsync.library.process.gain_tags import GainTags, read_gain, write_gain
from soulsync.library.process.levels import apply_gain, normalisation_gain_db
from soulsync.library.process.loudness import Loudness, analyse_file
from soulsync.library.process.profile import Profile, target_for
from soulsync.library.process.replaygain import track_gains
from soulsync.library.process.safe_write import place_new, temp_path_for
from soulsync.library.process.trim import find_trim
from soulsync.library.tags import TagError, TagSet, diff_tags, read_tags, write_tags

__all__ = ["ProcessResult", "plan_target", "process_file"]

# Decoder names -> the format that re-encodes them.
_FORMAT_OF_CODEC = {
    "mp3": "mp3",
    "mp3float": "mp3",
    "opus": "opus",
    "libopus": "opus",
    "aac": "aac",
    "flac": "flac",
    "alac": "alac",
}
# How far the output's length may be from the source's (minus trimming):
# encoder padding and resampling add a few ms.
_LENGTH_SLACK_S = 0.25
# A lossy source counts as "at the target rate" within this much (kbit/s).
_RATE_SLACK_KBPS = 8


@dataclass(frozen=True, slots=True)
class ProcessResult:
    """What processing one file did (the ``--json`` line and the ``processing`` record)."""

    path: str
    output: str
    input_format: str
    input_bitrate: int | None
    output_format: str
    output_bitrate: int | None
    integrated_lufs: float | None
    track_gain_db: float | None
    track_peak: float | None
    trimmed_ms: int
    normalized_db: float | None
    seconds: float
    input_bytes: int
    output_bytes: int
    converted: bool
    cached: bool
    lossy_copy: str | None = None
    loudness: Loudness | None = field(default=None, repr=False, compare=False)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready fields (without the block energies)."""
        data = asdict(self)
        data.pop("loudness", None)
        return data


def _source_format(source: AudioSource) -> str | None:
    if source.codec.startswith("pcm_"):
        return "wav"
    return _FORMAT_OF_CODEC.get(source.codec)


def _same_format_target(source: AudioSource) -> Target:
    fmt = _source_format(source)
    if fmt is None:
        raise ProcessError(
            "unsupported",
            f"cannot re-encode {source.codec}; choose a conversion target (mp3, opus, aac)",
            source.path,
        )
    if fmt in ("mp3", "opus", "aac"):
        kbps = round((source.bit_rate or 0) / 1000) or None
        kbps = min(max(kbps or 0, 32), 320 if fmt == "mp3" else 512) if kbps else None
        return target_for(fmt, kbps)
    return Target(fmt)


def plan_target(source: AudioSource, profile: Profile) -> Target | None:
    """The encoder target for ``source`` under ``profile``, or None (audio stays as it is)."""
    wanted = profile.target
    rewrite = profile.normalize is not None or profile.trim is not None
    if wanted is not None and not source.lossless:
        same = _source_format(source) == wanted.format
        kbps = (source.bit_rate or 0) / 1000
        no_gain = same and (
            wanted.bitrate_kbps is None or (kbps and kbps <= wanted.bitrate_kbps + _RATE_SLACK_KBPS)
        )
        if profile.convert_lossless_only or no_gain:
            wanted = None
    if wanted is None:
        return _same_format_target(source) if rewrite else None
    return wanted


def _read_source_tags(path: Path) -> TagSet | None:
    try:
        return read_tags(path)
    except TagError:
        return None  # WAV and other untaggable sources carry nothing over


def _copy_tags(tags: TagSet | None, dest: Path) -> None:
    if tags is None or dest.suffix.lower() == ".wav":
        return
    try:
        write_tags(dest, tags)
        diff = diff_tags(tags, read_tags(dest))
    except TagError as exc:
        raise ProcessError("tags", f"could not carry the tags over ({exc.reason})", dest) from exc
    if diff:
        raise ProcessError("verify_failed", f"tags differ after the copy: {', '.join(diff)}", dest)


def _produce(src: Path, target: Target, profile: Profile, temp: Path) -> tuple[int, float | None]:
    """Decode ``src``, trim and normalise as asked, encode into ``temp``.

    Returns the trimmed milliseconds and the normalisation gain (dB).
    """
    source, pcm = decode_all(src)
    trimmed_ms = 0
    if profile.trim is not None:
        span = find_trim(pcm, source.rate, profile.trim)
        pcm, trimmed_ms = span.apply(pcm), span.trimmed_ms
    gain: float | None = None
    if profile.normalize is not None:
        gain, _, _ = normalisation_gain_db(
            pcm, source.rate, source.channel_weights(), profile.normalize
        )
        pcm = apply_gain(pcm, gain)
    encode(pcm, source.rate, source.layout, temp, target)
    return trimmed_ms, gain


def _clip_guard(pcm_peak: float, temp: Path) -> None:
    if pcm_peak >= 1.0:
        raise ProcessError(
            "verify_failed", f"the normalised output clips (peak {pcm_peak:.3f})", temp
        )


def _check_length(source: AudioSource, loud: Loudness, trimmed_ms: int, temp: Path) -> None:
    if not source.duration_s:
        return
    want = source.duration_s - trimmed_ms / 1000
    if abs(loud.duration_s - want) > _LENGTH_SLACK_S + want * 0.01:
        raise ProcessError(
            "verify_failed",
            f"the output lasts {loud.duration_s:.2f} s, expected {want:.2f} s",
            temp,
        )


def _place(temp: Path, src: Path, final: Path, *, in_place: bool) -> Path:
    if in_place and final == src:
        try:
            with open(temp, "rb") as fh:
                os.fsync(fh.fileno())
            os.replace(temp, src)
        except OSError as exc:
            raise ProcessError(
                os_error_reason(exc), f"replacing the original failed ({exc})", src
            ) from exc
        return src
    placed = place_new(temp, final)
    if in_place:
        try:
            src.unlink()
        except OSError as exc:
            # Keep the state as before: the new file goes, the original stays.
            with contextlib.suppress(OSError):
                placed.unlink()
            raise ProcessError(
                os_error_reason(exc), f"could not remove the original ({exc})", src
            ) from exc
    return placed


def process_file(
    path: Path,
    profile: Profile,
    *,
    out_dir: Path | None = None,
    cache: ProcessCache | None = None,
    lossy_copy_rel: Path | None = None,
) -> ProcessResult:
    """Process one file as ``profile`` says; in place unless ``out_dir`` is given.

    ``lossy_copy_rel`` is the folder, relative to ``profile.lossy_copy_dir``,
    for the lossy copy (the library-relative folder of the file).

    Raises:
        ProcessError: with a clear reason; the original file is untouched.
    """
    started = time.perf_counter()
    src = Path(path)
    source = open_audio(src)
    in_bytes = src.stat().st_size
    target = plan_target(source, profile)
    final_dir = Path(out_dir) if out_dir is not None else src.parent
    if out_dir is not None:
        try:
            final_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ProcessError(
                os_error_reason(exc), f"cannot create the output folder ({exc})", final_dir
            ) from exc
    ext = target.extension if target is not None else src.suffix.lstrip(".")
    final = final_dir / f"{src.stem}.{ext}"
    if out_dir is None and final != src and final.exists():
        raise ProcessError("exists", "the converted file's name is taken", final)
    temp = temp_path_for(final)
    trimmed_ms, norm_gain, cached = 0, None, False
    try:
        src_hash = file_hash(src) if cache is not None else None
        if target is None:
            try:
                shutil.copy2(src, temp)
            except OSError as exc:
                raise ProcessError(os_error_reason(exc), f"copying failed ({exc})", temp) from exc
            loud = cache.get_analysis(src_hash) if cache is not None and src_hash else None
            if loud is None:
                _, loud = analyse_file(src, measure_true_peak=profile.true_peak)
        else:
            key = ProcessCache.output_key(src_hash, profile.audio_key()) if src_hash else None
            hit = cache.get_output(key, ext) if cache is not None and key else None
            meta_path = hit.with_suffix(".json") if hit is not None else None
            if hit is not None and meta_path is not None and meta_path.is_file():
                shutil.copyfile(hit, temp)
                meta = json.loads(meta_path.read_text(encoding="utf-8"))
                trimmed_ms, norm_gain, cached = int(meta["trimmed_ms"]), meta["normalized_db"], True
            else:
                trimmed_ms, norm_gain = _produce(src, target, profile, temp)
                _copy_tags(_read_source_tags(src), temp)
            _, loud = analyse_file(temp, measure_true_peak=profile.true_peak)
            _check_length(source, loud, trimmed_ms, temp)
            if profile.normalize is not None:
                _clip_guard(loud.sample_peak, temp)
            if cache is not None and key and not cached:
                cache.put_output(key, temp)
                with contextlib.suppress(OSError):
                    (cache.root / "outputs" / f"{key}.json").write_text(
                        json.dumps({"trimmed_ms": trimmed_ms, "normalized_db": norm_gain})
                    )
        gains: GainTags | None = None
        if profile.replaygain != "off":
            gains = track_gains(loud)
            # A file whose audio is unchanged keeps its album gain until the album is measured.
            write_gain(temp, gains, keep_album=target is None)
            back = read_gain(temp).track_gain_db
            want = gains.track_gain_db or 0.0
            if back is None or abs(back - want) > 0.01:
                raise ProcessError("verify_failed", "the gain tags did not read back", temp)
        placed = _place(temp, src, final, in_place=out_dir is None)
    finally:
        # Only ever a regular file this call made (never a device or a link).
        if temp.is_file() and not temp.is_symlink():
            with contextlib.suppress(OSError):
                temp.unlink()
    if cache is not None:
        cache.put_analysis(file_hash(placed), loud)
    out_info = open_audio(placed)
    lossy_copy: str | None = None
    if profile.lossy_copy_dir is not None:
        copy_profile = Profile(
            convert=profile.lossy_copy_format,
            bitrate_kbps=profile.lossy_copy_bitrate_kbps,
            replaygain=profile.replaygain,
            true_peak=profile.true_peak,
        )
        copy_dir = Path(profile.lossy_copy_dir) / (lossy_copy_rel or Path())
        copy = process_file(placed, copy_profile, out_dir=copy_dir, cache=cache)
        lossy_copy = copy.output
    return ProcessResult(
        path=str(src),
        output=str(placed),
        input_format=source.codec,
        input_bitrate=source.bit_rate,
        output_format=out_info.codec,
        output_bitrate=out_info.bit_rate,
        integrated_lufs=round(loud.integrated_lufs, 2),
        track_gain_db=round(gains.track_gain_db, 2)
        if gains and gains.track_gain_db is not None
        else None,
        track_peak=round(loud.peak, 6),
        trimmed_ms=trimmed_ms,
        normalized_db=round(norm_gain, 2) if norm_gain is not None else None,
        seconds=round(time.perf_counter() - started, 3),
        input_bytes=in_bytes,
        output_bytes=placed.stat().st_size,
        converted=target is not None,
        cached=cached,
        lossy_copy=lossy_copy,
        loudness=loud,
    )
