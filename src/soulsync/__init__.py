"""SoulSync: keep a personal music library complete from the playlists you follow."""

from __future__ import annotations

__version__ = "0.1.0"
