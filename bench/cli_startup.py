"""How long the CLI takes to answer light commands (target: < 0.5 s each on 2 cores).

Runs ``soulsync --help`` and ``soulsync config show`` in fresh interpreters
(``python -m soulsync``, as the console script does) several times each and
prints the median and fastest wall times. Heavy libraries (FastAPI,
SQLAlchemy, PyAV, SciPy) must load only in the commands that use them: see
``COMMANDS`` in ``src/soulsync/cli/app.py``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _report import target

TARGET_S = 0.5
CASES: dict[str, list[str]] = {
    "soulsync --help": ["--help"],
    "soulsync config show": ["config", "show"],
}


def time_command(args: list[str], env: dict[str, str], runs: int) -> list[float]:
    """Wall seconds of ``runs`` fresh runs of ``python -m soulsync ARGS``."""
    walls = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "soulsync", *args],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        walls.append(time.perf_counter() - started)
    return walls


def main() -> int:
    """Print the figures; 1 if a median misses the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; {args.runs} runs each")
    results = []
    with tempfile.TemporaryDirectory(prefix="soulsync-bench-cli-") as tmp:
        config = Path(tmp) / "config.toml"
        config.write_text(f'[paths]\ndata_dir = "{Path(tmp) / "data"}"\n', encoding="utf-8")
        env = {**os.environ, "SOULSYNC_CONFIG": str(config)}
        for label, cli_args in CASES.items():
            time_command(cli_args, env, 1)  # warm the page cache and .pyc files
            walls = time_command(cli_args, env, args.runs)
            median = statistics.median(walls)
            print(f"{label}: median {median:.3f} s, fastest {min(walls):.3f} s")
            results.append(target(label, f"< {TARGET_S} s", f"{median:.3f} s", median < TARGET_S))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
