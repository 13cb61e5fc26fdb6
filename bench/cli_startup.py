"""Wall time of `python -m monitor ARGS` for one or more checkouts, runs interleaved.

python -m bench.cli_startup --checkout /path/to/old --checkout . --runs 15 -- --help
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path


def time_once(checkout: Path, args: list[str]) -> float:
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "monitor", *args],
        env=env,
        cwd=checkout,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=True,
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkout", action="append", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("args", nargs="*", default=["--help"])
    options = parser.parse_args()
    checkouts = [path.resolve() for path in options.checkout]
    times: dict[Path, list[float]] = {path: [] for path in checkouts}
    for path in checkouts:  # one warm-up run each: file caches, not the figure
        time_once(path, options.args)
    for _ in range(options.runs):
        for path in checkouts:
            times[path].append(time_once(path, options.args))
    print(f"polmon {' '.join(options.args)}: {options.runs} runs each, interleaved")
    for path, runs in times.items():
        print(
            f"  {path}: median {statistics.median(runs):.3f} s, "
            f"min {min(runs):.3f} s, max {max(runs):.3f} s"
        )


if __name__ == "__main__":
    main()
