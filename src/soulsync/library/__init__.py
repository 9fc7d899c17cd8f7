"""The files on disk: where they go, their tags, their audio, moving them safely.

* :mod:`~soulsync.library.layout` - pure: library paths from metadata, portable
  sanitising, checks that a relative path cannot escape its root.
* :mod:`~soulsync.library.tags` - mutagen: write/read tags and embedded covers
  (data model in ``tag_model``, per-container mapping in ``tag_formats``).
* :mod:`~soulsync.library.audio` - PyAV, in-process: probe and integrity check,
  test-audio generation.
* :mod:`~soulsync.library.safe_move` - copy, tag, verify, place, delete original;
  crash recovery.
* :mod:`~soulsync.library.cover` - ``cover.jpg`` in album folders.

Everything but ``layout`` blocks on I/O; async callers use ``asyncio.to_thread``.
"""
