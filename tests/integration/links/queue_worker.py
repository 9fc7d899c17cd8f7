"""The download queue in its own process (for the kill-and-resume test).

Run as ``python queue_worker.py CONFIG.toml``: it builds every service from the
config, works the queue until nothing is left unfinished, and exits 0.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from soulsync.config import load_config
from soulsync.services.container import build_services
from soulsync.store import Store


async def main(config: Path) -> None:
    settings = load_config(config)
    store = Store(settings.database_path)
    services = build_services(settings, store)
    assert services.downloads is not None
    await services.downloads.start()
    print("worker started", flush=True)
    try:
        await services.downloads.wait_idle(within_s=300)
    finally:
        await services.aclose()
        store.close()


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1])))
