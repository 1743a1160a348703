"""`borderzone check LON LAT` wall time: the whole command in a fresh process (interpreter
start, imports, the query of the layers around the point, the answer), several runs per
point, median and worst; and the CPU time, which a busy machine does not inflate. Twice:
with no service running (checked in the process), and with one (asked over loopback).

Run with `make bench` (or `.venv/bin/python bench/cli_check.py`) after `make data`.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
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


def _report(cli: list[str], extra: list[str]) -> None:
    for name, (lon, lat) in POINTS.items():
        runs = [_run([*cli, "check", lon, lat, *extra]) for _ in range(RUNS)]
        walls, cpus = [w for w, _ in runs], [c for _, c in runs]
        print(f"  {name:<12} wall median {statistics.median(walls):.2f} s  "
              f"max {max(walls):.2f} s   CPU median {statistics.median(cpus):.2f} s")


def _serve() -> tuple[subprocess.Popen, str]:
    """A borderzone service on a free loopback port, on this checkout's database."""
    from api.database import start_database
    from api.settings import Settings

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": start_database(Settings(), log=lambda _: None)}
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", "api.app:create_app",
                             "--port", str(port), "--log-level", "warning"], cwd=ROOT, env=env)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            with urllib.request.urlopen(url + "/health", timeout=1) as r:
                if json.loads(r.read()).get("prepared"):
                    return proc, url
        except OSError:
            pass
        time.sleep(0.5)
    proc.kill()
    raise SystemExit("the service did not start")


def main() -> None:
    cli = _cli()
    os.environ["BORDERZONE_SERVER_URL"] = "http://127.0.0.1:9"  # nothing there
    _run([*cli, "check", *POINTS["Lũng Cú"]])  # warm: embedded cluster up, caches filled
    print(f"borderzone check LON LAT, {RUNS} runs each (load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    print(" no service running: the layers around the point, checked in the process")
    _report(cli, [])
    proc, url = _serve()
    try:
        os.environ["BORDERZONE_SERVER_URL"] = url
        print(f" a service running ({url}): asked over loopback")
        _report(cli, [])
    finally:
        proc.terminate()
        proc.wait()


if __name__ == "__main__":
    main()
