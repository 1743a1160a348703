"""HTTP load, side by side in one run: a bare FastAPI endpoint, borderzone's point check
(in-memory index), and the same check as one PostGIS query per request.

wrk, loopback, 32 connections, one uvicorn worker per server, random points over the
northern border provinces. Run after `make data`: `.venv/bin/python bench/http_load.py`.
Prints figures; asserts nothing. Needs `wrk` (Debian package `wrk`).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
DURATION_S = 15


def _wait(port: int, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v1/check/point",
                         params={"lon": 106.76, "lat": 21.85}, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"server on {port} did not become ready")


def _wrk(port: int, seconds: int) -> dict:
    out = subprocess.run(["wrk", "-t1", "-c32", f"-d{seconds}s", "--latency", "-s",
                          str(HERE / "points.lua"), f"http://127.0.0.1:{port}"],
                         capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", out, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p50": lat.get("50"), "p99": lat.get("99"),
            "non_2xx": int(errors.group(1)) if errors else 0}


def _wait_prepared(port: int, timeout_s: float = 120.0) -> None:
    """borderzone builds route tiles and the batch grid beside serving: measure after."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).json().get("prepared"):
            return
        time.sleep(0.5)
    raise RuntimeError("the index was not prepared in time")


def run(kind: str, port: int) -> dict:
    server = subprocess.Popen([sys.executable, str(HERE / "serve.py"), kind, str(port)])
    try:
        _wait(port)
        if kind == "index":
            _wait_prepared(port)
        _wrk(port, 3)  # warm-up
        return _wrk(port, DURATION_S)
    finally:
        server.terminate()
        server.wait(timeout=20)


def main() -> None:
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install -y wrk")
    results = {kind: run(kind, 18700 + i) for i, kind in enumerate(("bare", "index",
                                                                     "postgis"))}
    for kind, r in results.items():
        print(f"{kind:<8} {r['rps']:>9,.0f} req/s   p50 {r['p50']:>8}   p99 {r['p99']:>8}"
              f"   non-2xx {r['non_2xx']}")
    bare, index, postgis = (results[k]["rps"] for k in ("bare", "index", "postgis"))
    print(f"index / bare = {index / bare:.0%}   index / postgis = {index / postgis:.1f}x")


if __name__ == "__main__":
    main()
