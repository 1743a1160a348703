"""`borderzone check LON LAT` wall time: the whole command in a fresh process (interpreter
start, imports, the query of the layers around the point, the answer), several runs per
point, median and worst; and the CPU time, which a busy machine does not inflate.

Run with `make bench` (or `.venv/bin/python bench/cli_check.py`) after `make data`.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

RUNS = 7
#: Lũng Cú (border area), Lạng Sơn city, Hạ Long Bay (sea), Paris (abroad, far)
POINTS = {"Lũng Cú": ("105.3208", "23.3590"), "Lạng Sơn": ("106.7615", "21.8537"),
          "Hạ Long Bay": ("107.3", "20.75"), "Paris": ("2.35", "48.85")}
ROOT = Path(__file__).resolve().parents[1]


def _cli() -> list[str]:
    script = Path(sys.executable).with_name("borderzone")
    return [str(script)] if script.exists() else [sys.executable, "-m", "api.cli.commands"]


def _run(argv: list[str]) -> tuple[float, float]:
    """(wall s, CPU s of the child) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True, cwd=ROOT, env=os.environ)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    cli = _cli()
    _run([*cli, "check", *POINTS["Lũng Cú"]])  # warm: embedded cluster up, caches filled
    print(f"borderzone check LON LAT, {RUNS} runs each (load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    for name, (lon, lat) in POINTS.items():
        runs = [_run([*cli, "check", lon, lat]) for _ in range(RUNS)]
        walls, cpus = [w for w, _ in runs], [c for _, c in runs]
        print(f"  {name:<12} wall median {statistics.median(walls):.2f} s  "
              f"max {max(walls):.2f} s   CPU median {statistics.median(cpus):.2f} s")


if __name__ == "__main__":
    main()
