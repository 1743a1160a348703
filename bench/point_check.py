"""Point check timings: one HTTP request (repeated) and 100,000 points in process.

Run with `make bench` (or `.venv/bin/python bench/point_check.py`) after `make data`.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ServerThread, border_region_points, engine_and_index, percentiles_ms  # noqa: E402

from api.app import create_app  # noqa: E402
from api.settings import Settings  # noqa: E402
from geo.location.check import check_points  # noqa: E402


def main() -> None:
    url, _, index = engine_and_index()
    lon, lat = border_region_points(100_000)
    check_points(index, lon[:100], lat[:100])  # warm-up
    start = time.perf_counter()
    answers = check_points(index, lon, lat)
    elapsed = time.perf_counter() - start
    in_belt = sum(a.in_border_belt for a in answers)
    print(f"in process: 100,000 points through check_points in {elapsed:.2f} s "
          f"= {elapsed / 1e5 * 1e6:.1f} µs/point ({in_belt} in the belt)")
    print(f"in process, one point per call: {_one_at_a_time(index, lon, lat)}")

    with ServerThread(create_app(Settings(), url=url)) as server, httpx.Client() as http:
        target = f"http://127.0.0.1:{server.port}/v1/check/point"
        params = {"lon": 106.7615, "lat": 21.8537}
        for _ in range(50):
            http.get(target, params=params)
        samples = []
        for _ in range(1000):
            t0 = time.perf_counter()
            response = http.get(target, params=params)
            samples.append(time.perf_counter() - t0)
            response.raise_for_status()
        print(f"HTTP, one request at a time (1,000 requests, keep-alive, loopback): "
              f"{percentiles_ms(samples)}")


def _one_at_a_time(index, lon, lat, n: int = 5_000) -> str:
    """µs per call of ``check_points`` with one point (the single-request path), best of 5
    runs of ``n`` calls in CPU time (the machine may be shared: wall time would vary)."""
    for i in range(200):
        check_points(index, lon[i:i + 1], lat[i:i + 1])
    runs = []
    for _ in range(5):
        start = time.process_time()
        for i in range(n):
            check_points(index, lon[i:i + 1], lat[i:i + 1])
        runs.append((time.process_time() - start) / n * 1e6)
    return f"best {min(runs):.1f} µs, median {sorted(runs)[2]:.1f} µs ({n:,} points)"


if __name__ == "__main__":
    main()
