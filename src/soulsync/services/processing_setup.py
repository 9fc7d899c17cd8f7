"""Building the processing step from the app configuration (imports the audio stack lazily)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from soulsync.config import Settings
from soulsync.store import Store

if TYPE_CHECKING:
    from soulsync.services.processing import ProcessingStep

__all__ = ["processing_cache_dir", "processing_step"]


def processing_cache_dir(settings: Settings) -> str:
    """Where processing outputs and analyses are cached."""
    return str(settings.paths.data_dir / "cache" / "processing")


def processing_step(settings: Settings, store: Store | None) -> ProcessingStep:
    """The download pipeline's processing step for ``settings.processing``."""
    from soulsync.library.process.cache import ProcessCache
    from soulsync.services.processing import ProcessingStep
    from soulsync.store.processing_log import ProcessingLog

    conf = settings.processing
    return ProcessingStep(
        conf.profile(),
        staging_root=settings.slskd_downloads_dir,
        library_root=settings.transfer_dir,
        cache=ProcessCache(settings.paths.data_dir / "cache" / "processing")
        if conf.cache
        else None,
        records=ProcessingLog(store) if store is not None else None,
    )
