"""Copying files into the library: whole files, byte ranges, FLAC header and audio apart.

Why split a FLAC: tagging a copy usually grows its metadata (a cover of a
few hundred KB never fits the padding a peer's file carries), and mutagen
then rewrites the whole file, 30 MB for a CD-quality album track. Copying
only the metadata blocks first, tagging that small file, then appending the
audio frames writes every byte once. The result is the same kind of file
mutagen would have written: the tagged metadata, then the untouched frames.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import BinaryIO

__all__ = ["append_range", "copy_file", "flac_audio_offset"]

_CHUNK = 1 << 30  # copy_file_range is called in pieces of at most 1 GiB
_FALLBACK_ERRNOS = (errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP)
_MAX_BLOCKS = 1024  # a FLAC with more metadata blocks than this is not one we split


def _copy_range(src: BinaryIO, dst: BinaryIO, offset: int, count: int) -> None:
    """Copy ``count`` bytes of ``src`` from ``offset`` to ``dst``'s current end.

    Uses ``copy_file_range``, which clones instantly on CoW filesystems
    (btrfs, XFS reflink) and copies server-side on NFS; falls back to a plain
    read/write copy where the kernel call is unsupported. Stops early if the
    source shrinks underneath it (the caller's size check reports that).
    """
    start = dst.seek(0, os.SEEK_END)
    done_total = 0
    try:
        while done_total < count:
            done = os.copy_file_range(
                src.fileno(),
                dst.fileno(),
                min(count - done_total, _CHUNK),
                offset + done_total,
                start + done_total,
            )
            if done == 0:
                return
            done_total += done
    except OSError as exc:
        if exc.errno not in _FALLBACK_ERRNOS:
            raise
        dst.seek(start)
        dst.truncate()
        src.seek(offset)
        remaining = count
        while remaining > 0:
            block = src.read(min(remaining, 1 << 20))
            if not block:
                return
            dst.write(block)
            remaining -= len(block)


def copy_file(source: Path, target: Path, *, length: int | None = None) -> None:
    """Copy ``source`` (or its first ``length`` bytes) to a new file ``target``.

    ``target`` must not exist yet (it is never overwritten).
    """
    with source.open("rb") as src, open(target, "xb") as dst:
        size = os.fstat(src.fileno()).st_size
        _copy_range(src, dst, 0, size if length is None else min(length, size))


def append_range(source: Path, target: Path, offset: int) -> int:
    """Append ``source[offset:]`` to the existing file ``target``; return the bytes expected.

    The return value is how many bytes should have been appended (the
    source's size minus ``offset`` when the copy started); compare it with
    the target's size to catch a source that shrank meanwhile.
    """
    with source.open("rb") as src, open(target, "r+b") as dst:
        count = max(0, os.fstat(src.fileno()).st_size - offset)
        _copy_range(src, dst, offset, count)
    return count


def flac_audio_offset(path: Path) -> int | None:
    """Where the audio frames of a plain FLAC file start, or None.

    None unless the file starts with ``fLaC``, its metadata blocks end
    inside the file and a frame sync code follows them; then the caller
    copies the file whole instead (ID3-prefixed FLAC, damaged headers).
    """
    try:
        with path.open("rb") as fh:
            if fh.read(4) != b"fLaC":
                return None
            size = os.fstat(fh.fileno()).st_size
            pos = 4
            for _ in range(_MAX_BLOCKS):
                header = fh.read(4)
                if len(header) < 4:
                    return None
                pos += 4 + int.from_bytes(header[1:4], "big")
                if pos >= size:
                    return None
                if header[0] & 0x80:  # last-metadata-block flag
                    fh.seek(pos)
                    sync = fh.read(2)
                    # FLAC frame header: 14-bit sync code 0b11111111111110, then a 0 bit.
                    if len(sync) == 2 and sync[0] == 0xFF and sync[1] & 0xFE == 0xF8:
                        return pos
                    return None
                fh.seek(pos)
    except OSError:
        return None
    return None
