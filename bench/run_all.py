"""Run every benchmark in bench/, even after a miss, then print one summary table.

``make bench`` calls this. Each script runs in its own process; a script that
crashes, or exits non-zero without recording a miss, shows as ERROR. The exit
code is 1 when any figure missed its target or any script failed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _report import RESULTS_ENV

HERE = Path(__file__).resolve().parent


def scripts() -> list[Path]:
    """Every benchmark script: ``bench/*.py`` but this runner and ``_`` helpers."""
    return sorted(
        p for p in HERE.glob("*.py") if not p.name.startswith("_") and p != Path(__file__).resolve()
    )


def run_script(script: Path) -> tuple[int, float, list[dict[str, object]]]:
    """Run one script; its exit code, wall seconds and the figures it recorded."""
    with tempfile.TemporaryDirectory() as tmp:
        results = Path(tmp) / "results.jsonl"
        env = {**os.environ, RESULTS_ENV: str(results)}
        started = time.perf_counter()
        done = subprocess.run([sys.executable, str(script)], env=env, check=False)
        wall = time.perf_counter() - started
        rows = (
            [json.loads(line) for line in results.read_text().splitlines()]
            if results.exists()
            else []
        )
    return done.returncode, wall, rows


def main(argv: list[str] | None = None) -> int:
    """Run them all (or the ``--only`` ones); print the table; 1 if anything missed or failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=None, help="script names, e.g. cli_startup")
    args = parser.parse_args(argv)
    chosen = [s for s in scripts() if args.only is None or s.stem in args.only]
    table: list[tuple[str, str, str, str, str]] = []
    failed = False
    for script in chosen:
        print(f"== {script.name}", flush=True)
        code, wall, rows = run_script(script)
        for row in rows:
            verdict = "PASS" if row["met"] else "MISS"
            failed |= not row["met"]
            table.append(
                (
                    script.name,
                    str(row["measure"]),
                    str(row["target"]),
                    str(row["measured"]),
                    verdict,
                )
            )
        if code != 0 and all(row["met"] for row in rows):
            failed = True
            table.append(
                (script.name, f"script exited {code} after {wall:.0f} s", "-", "-", "ERROR")
            )
    headers = ("script", "measure", "target", "measured", "result")
    widths = (
        [max(len(h), *(len(r[i]) for r in table)) for i, h in enumerate(headers)]
        if table
        else [len(h) for h in headers]
    )
    print()
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in table:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
    misses = sum(1 for r in table if r[4] != "PASS")
    print(f"\n{len(table) - misses} passed, {misses} missed or failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
