"""``python -m soulsync``: the same as the ``soulsync`` command."""

from __future__ import annotations

from soulsync.cli.app import app

app(prog_name="soulsync")
