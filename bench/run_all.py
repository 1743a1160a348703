"""Every benchmark, one after the other in one run on this machine, so the figures are
comparable: point check (single and 100,000 in process), the CLI's one-point check, index
rebuild and preparation (before/after), batch (1,000,000 points), routes, HTTP load (bare
endpoint / in-memory index / one PostGIS query per request), geometry intake,
checkpoint-area surveys (upload to report, publish swap under checks), 1 vs 2 workers, and
the map layers against tipg.

`make bench` (after `make data`). Prints figures; asserts nothing.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ORDER = ("point_check.py", "cli_check.py", "index_build.py", "batch.py", "routes.py",
         "http_load.py", "intake_bench.py", "surveys_bench.py", "workers.py",
         "layers_bench.py")


def main() -> None:
    for script in ORDER:
        print(f"== {script}", flush=True)
        subprocess.run([sys.executable, str(HERE / script)], check=True)


if __name__ == "__main__":
    main()
