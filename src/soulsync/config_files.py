"""Where SoulSync's files live and which files it wants.

The platform's default config and data folders, the ``[paths]`` section (with
the check of its path templates) and the ``[quality]`` section with the
formats a file may have. :mod:`soulsync.config` assembles these into
``Settings``; its other sections are there and in the other ``config_*`` modules.
"""

from __future__ import annotations

from pathlib import Path

import platformdirs
from pydantic import Field, field_validator

from soulsync.config_checks import check_not_system_folder
from soulsync.config_services import Section
from soulsync.domain import Track
from soulsync.library.layout import (
    DEFAULT_ALBUM_TEMPLATE,
    DEFAULT_SINGLE_TEMPLATE,
    ResolvedTrack,
    TemplateError,
    render,
    template_fields,
)

APP_NAME = "soulsync"


def default_config_path() -> Path:
    """Where ``--config`` points when it is not given (the platform's user config dir)."""
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def default_data_dir() -> Path:
    """The platform's user data dir for SoulSync (database, web secret, downloads)."""
    return Path(platformdirs.user_data_dir(APP_NAME))


def check_template(template: str) -> str:
    """Validate a library path template; return it unchanged or raise ValueError saying why.

    The syntax and the fields belong to ``soulsync.library.layout`` (Python
    format-string syntax: ``{field}`` or ``{field:spec}`` such as ``{track:02d}``;
    ``/`` separates folders; the template ends with ``.{ext}``). Checking it
    here, by rendering a sample track, turns a bad template into a config error
    at start instead of a failed download later.
    """
    sample = ResolvedTrack(
        Track(
            title="Title",
            artists=("Artist",),
            album="Album",
            track_number=1,
            disc_number=1,
            release_date="2020-01-01",
            total_discs=2,
            total_tracks=10,
        )
    )
    try:
        render(template, template_fields(sample, "flac"))
    except TemplateError as exc:
        raise ValueError(str(exc)) from exc
    return template


class PathSettings(Section):
    """Folders SoulSync reads and writes, and how organised files are named."""

    data_dir: Path = Field(default_factory=default_data_dir)
    downloads_dir: Path | None = None  # empty: <data_dir>/downloads
    transfer_dir: Path | None = None  # empty: <data_dir>/Transfer
    # Syntax and fields: soulsync.library.layout (README "Path templates").
    album_template: str = DEFAULT_ALBUM_TEMPLATE
    single_template: str = DEFAULT_SINGLE_TEMPLATE

    @field_validator("album_template", "single_template")
    @classmethod
    def _template(cls, value: str) -> str:
        return check_template(value)

    @field_validator("data_dir", "downloads_dir", "transfer_dir")
    @classmethod
    def _not_system(cls, value: Path | None) -> Path | None:
        return check_not_system_folder(value)


# Formats a file may have (extensions, lower case, no dot).
KNOWN_FORMATS: tuple[str, ...] = (
    "flac",
    "alac",
    "wav",
    "aiff",
    "aif",
    "ape",
    "wv",
    "dsf",
    "mp3",
    "m4a",
    "aac",
    "ogg",
    "opus",
)


class QualitySettings(Section):
    """Which files are wanted, best first (entries parsed by the matching engine)."""

    # Entries: "flac 24" (24-bit), "flac 24/96", "flac", "mp3 320", "mp3 v0",
    # "mp3 v2", "mp3 256", or a bare format ("opus"). Files that fit no entry
    # rank after all of them but still pass (unless strict).
    profile: list[str] = Field(
        default_factory=lambda: ["flac 24", "flac", "mp3 320", "mp3 v0", "mp3 256"]
    )
    allowed_formats: list[str] = Field(
        default_factory=lambda: [
            "flac",
            "mp3",
            "m4a",
            "ogg",
            "opus",
            "wav",
            "aac",
            "alac",
            "aiff",
            "aif",
        ]
    )
    # Lossy files below this bitrate (kbps) are never downloaded.
    min_bitrate: int = Field(default=128, ge=0)
    # strict: a file must prove its quality (unknown bitrate/length fails).
    strict: bool = False

    @field_validator("profile")
    @classmethod
    def _parseable_profile(cls, value: list[str]) -> list[str]:
        # The matching engine owns the grammar; parsing here makes a typo a
        # config error at start. Imported lazily: the engine is heavy to load.
        from soulsync.matching.settings import QualityProfile

        cleaned = [" ".join(v.lower().split()) for v in value]
        if any("," in v for v in cleaned):
            raise ValueError("give one entry per list item, without commas")
        QualityProfile.parse(", ".join(cleaned))  # raises ValueError naming the entry
        return cleaned

    @field_validator("allowed_formats")
    @classmethod
    def _known_formats(cls, value: list[str]) -> list[str]:
        cleaned = [v.strip().lower().lstrip(".") for v in value]
        if not cleaned:
            raise ValueError("allowed_formats must list at least one format")
        unknown = [v for v in cleaned if v not in KNOWN_FORMATS]
        if unknown:
            raise ValueError(f"unknown format {unknown[0]!r}; known: {', '.join(KNOWN_FORMATS)}")
        return cleaned
