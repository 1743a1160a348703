"""Point checks over HTTP with 1 and 2 uvicorn workers side by side (`borderzone serve
--workers N`), and each worker's start-up time and memory.

wrk (Debian package `wrk`), loopback, 32 connections, random points over the northern
border provinces (points.lua). Start-up: from launching `serve` to each worker's
"Application startup complete" (its zone index is built by then; route tiles and the batch
grid are warmed beside serving); index build: each worker's own figure from `/health`
(distinct values sampled over fresh connections). Memory: resident set of each worker
process after the load. wrk takes part of a core: on a 2-core machine read the 2-worker
figure as a floor. Run after `make data`: `.venv/bin/python bench/workers.py`.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
from http_load import _wait_prepared, _wrk

ROOT = Path(__file__).resolve().parents[1]
DURATION_S = 15
READY = "Application startup complete"


class Serve:
    """`borderzone serve --workers N` in a child process, its log lines timestamped."""

    def __init__(self, workers: int, port: int):
        self.workers, self.port = workers, port
        self.ready_s: list[float] = []
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve", "--workers", str(workers), "--port",
             str(port), "--no-access-log"], cwd=ROOT, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            if READY in line:
                self.ready_s.append(time.monotonic() - self.started)

    def wait_ready(self, timeout_s: float = 300.0) -> None:
        deadline = time.monotonic() + timeout_s
        while len(self.ready_s) < self.workers:
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError(f"{self.workers} worker(s) not ready in {timeout_s} s")
            time.sleep(0.2)
        _wait_prepared(self.port)

    def worker_rss_mb(self) -> list[float]:
        """Resident memory of the worker processes (the supervisor's Python children)."""
        sizes = []
        for child in _children(self.proc.pid):
            status = Path(f"/proc/{child}/status").read_text()
            rss_kb = int(next(line.split()[1] for line in status.splitlines()
                              if line.startswith("VmRSS")))
            if rss_kb > 100_000:  # workers hold the index; skip the resource tracker
                sizes.append(rss_kb / 1024)
        return sizes or [_rss_mb(self.proc.pid)]

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(c) for c in path.read_text().split()] if path.exists() else []


def _rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines()
                    if line.startswith("VmRSS"))) / 1024


def _build_times(port: int, workers: int) -> list[float]:
    """Each worker's last index build (``/health``), sampled over fresh connections."""
    seen: set[float] = set()
    for _ in range(20 * workers):
        seen.add(httpx.get(f"http://127.0.0.1:{port}/health", timeout=5).json()["index_build_s"])
        if len(seen) == workers:
            break
    return sorted(seen)


def run(workers: int, port: int) -> dict:
    serve = Serve(workers, port)
    try:
        serve.wait_ready()
        _wrk(port, 3)  # warm-up: every worker's lazy structures are in use after this
        result = _wrk(port, DURATION_S)
        return {**result, "ready_s": serve.ready_s, "rss_mb": serve.worker_rss_mb(),
                "build_s": _build_times(port, workers)}
    finally:
        serve.stop()


def main() -> None:
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install -y wrk")
    results = {n: run(n, 18800 + n) for n in (1, 2)}
    print(f"point checks over HTTP, wrk 32 connections, {DURATION_S} s, loopback")
    for n, r in results.items():
        ready = ", ".join(f"{s:.1f}" for s in r["ready_s"])
        rss = ", ".join(f"{m:.0f}" for m in r["rss_mb"])
        build = ", ".join(f"{b:.1f}" for b in r["build_s"])
        print(f"{n} worker(s): {r['rps']:>8,.0f} req/s   p50 {r['p50']:>8}   p99 {r['p99']:>8}"
              f"   non-2xx {r['non_2xx']}\n    ready after [{ready}] s, index build "
              f"[{build}] s, RSS [{rss}] MiB per worker")
    print(f"2 workers / 1 worker = {results[2]['rps'] / results[1]['rps']:.2f}x")


if __name__ == "__main__":
    main()
