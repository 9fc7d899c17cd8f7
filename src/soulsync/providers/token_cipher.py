"""Encryption at rest for OAuth tokens (Spotify's refresh token) with a key kept outside the database.

The refresh token is a long-lived credential: whoever has it can read the
user's Spotify account until it is revoked. The database is the file most
likely to travel (backups, bug reports), so tokens are stored there encrypted
with Fernet (AES-128-CBC + HMAC-SHA256, from ``cryptography``:
https://cryptography.io/en/latest/fernet/), and the key lives in its own file,
``soulsync-token.key`` (mode 0600), next to the config file, or in the data
folder when SoulSync runs without one. The key file is created on the first
save. A database without its key file holds nothing usable; losing the key
file only means logging in to Spotify again.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from soulsync.config import Settings

log = logging.getLogger(__name__)

KEY_FILENAME = "soulsync-token.key"
PREFIX = "fernet:"


class TokenCipherError(ValueError):
    """A stored token cannot be decrypted (key file missing or replaced)."""


class TokenCipher:
    """Encrypts and decrypts short secrets with the key in ``key_path``."""

    def __init__(self, key_path: Path) -> None:
        self.key_path = key_path
        self._fernet: Fernet | None = None

    def _key(self, *, create: bool) -> Fernet | None:
        if self._fernet is not None:
            return self._fernet
        try:
            raw = self.key_path.read_bytes().strip()
        except FileNotFoundError:
            if not create:
                return None
            raw = self._create()
        self._fernet = Fernet(raw)
        return self._fernet

    def _create(self) -> bytes:
        key = Fernet.generate_key()
        self.key_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            fd = os.open(self.key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return self.key_path.read_bytes().strip()  # another process won the race
        with os.fdopen(fd, "wb") as handle:
            handle.write(key + b"\n")
        log.info("created the token key %s (mode 0600)", self.key_path)
        return key

    def encrypt(self, value: str) -> str:
        """``fernet:<token>`` for ``value`` (the key file is created if needed)."""
        fernet = self._key(create=True)
        assert fernet is not None
        return PREFIX + fernet.encrypt(value.encode("utf-8")).decode("ascii")

    def decrypt(self, stored: str) -> str:
        """The plain value of ``stored``; a value without the prefix is returned as it is.

        Raises:
            TokenCipherError: encrypted, but the key is missing or not the one used.
        """
        if not stored.startswith(PREFIX):
            return stored  # stored before encryption existed
        fernet = self._key(create=False)
        if fernet is None:
            raise TokenCipherError(f"the token key {self.key_path} is missing")
        try:
            return fernet.decrypt(stored.removeprefix(PREFIX).encode("ascii")).decode("utf-8")
        except (InvalidToken, ValueError) as exc:
            raise TokenCipherError(f"the token key {self.key_path} does not fit") from exc

    @staticmethod
    def is_encrypted(stored: str | None) -> bool:
        """True for a value written by :meth:`encrypt`."""
        return bool(stored) and str(stored).startswith(PREFIX)


def token_key_path(config_file: Path | None, data_dir: Path) -> Path:
    """Where the key lives: next to the config file, else in the data folder."""
    return (config_file.parent if config_file is not None else data_dir) / KEY_FILENAME


def cipher_for(settings: Settings) -> TokenCipher:
    """The token cipher of a configuration (its key file as in :func:`token_key_path`)."""
    return TokenCipher(token_key_path(settings.source_path, settings.paths.data_dir))
