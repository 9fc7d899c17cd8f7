"""One way for every benchmark to state a target and what it measured.

Each ``bench/*.py`` script calls :func:`target` once per figure with a target.
The line printed reads the same in every script; when ``run_all.py`` runs the
scripts it sets ``SOULSYNC_BENCH_RESULTS`` to a file, and each call appends
one JSON line there so the runner can print a single summary table.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

RESULTS_ENV = "SOULSYNC_BENCH_RESULTS"


def target(measure: str, target: str, measured: str, met: bool) -> bool:
    """Print ``PASS``/``MISS`` for one figure and record it for the summary; returns ``met``."""
    print(f"  {'PASS' if met else 'MISS'}  {measure}: {measured} (target {target})", flush=True)
    path = os.environ.get(RESULTS_ENV)
    if path:
        row = {"measure": measure, "target": target, "measured": measured, "met": met}
        with Path(path).open("a", encoding="utf-8") as out:
            out.write(json.dumps(row) + "\n")
    return met
