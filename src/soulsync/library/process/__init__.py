"""Audio processing in-process through PyAV: loudness, ReplayGain tags, conversion, trimming.

No subprocess anywhere: PyAV's bundled FFmpeg decodes and encodes, numpy and
scipy do the signal work (BS.1770 loudness, peaks, silence), mutagen writes
tags. Every function here blocks; async callers run them in a thread.
"""

from __future__ import annotations

from soulsync.library.process.errors import ProcessError

__all__ = ["ProcessError"]
