"""Playlist sync: analysis against the library, runs and their records, the server mirror."""
