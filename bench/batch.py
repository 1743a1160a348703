"""Batch check timings, in process, on the real data: the grid build (time and memory) and
1,000,000 points through ``geo.batch.check.check_arrays`` — membership only, and with the
distance to the border line — over Vietnam and within 2 km of the border.

Run with `.venv/bin/python bench/batch.py` after `make data`. Prints figures; asserts nothing.
"""

from __future__ import annotations

import dataclasses
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import border_region_points, engine_and_index  # noqa: E402

from geo.batch import check as batch  # noqa: E402
from geo.batch.grid import TOUCHED  # noqa: E402
from geo.batch.input import PointBatch  # noqa: E402
from geo.batch.output import CSV, NDJSON, answer_chunks  # noqa: E402
from geo.common import crs  # noqa: E402
from geo.common.timeutil import now  # noqa: E402
from geo.location.check import check_points  # noqa: E402

N = 1_000_000
RUNS = 3


def near_border_points(index, n: int, max_m: float = 2_000.0, seed: int = 9):
    rng = np.random.default_rng(seed)
    a = index.border.a[rng.integers(0, len(index.border.a), n)]
    r, theta = max_m * np.sqrt(rng.uniform(0, 1, n)), rng.uniform(0, 2 * np.pi, n)
    return crs.from_metric(a[:, 0] + r * np.cos(theta), a[:, 1] + r * np.sin(theta))


def timed(fn, runs: int = RUNS) -> float:
    """Median wall time of ``runs`` calls, seconds."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def grid_figures(index, at) -> None:
    ep = batch.epoch(index, at)
    print(f"grid build (one validity epoch): {ep.build_s:.2f} s — {ep.grid.regions:,} "
          f"regions, {len(ep.grid.run_starts):,} runs, {ep.nbytes / 1e6:.1f} MB kept")
    tracemalloc.start()
    batch.epoch(dataclasses.replace(index), at)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"grid build peak memory (tracemalloc): {peak / 1e6:.0f} MB")


def point_figures(index, at, label: str, lon, lat) -> None:
    region, _ = batch.epoch(index, at).grid.locate(lon, lat)
    share = (region == TOUCHED).mean() * 100
    member = timed(lambda: batch.check_arrays(index, lon, lat, at, distance=False))
    full = timed(lambda: batch.check_arrays(index, lon, lat, at))
    dist = timed(lambda: index.border.nearest(lon, lat))
    us = 1e6 / len(lon)
    print(f"{label}: {len(lon):,} points ({share:.1f} % to the exact path)\n"
          f"  membership only     {member:6.2f} s = {member * us:5.2f} µs/point\n"
          f"  with distance       {full:6.2f} s = {full * us:5.2f} µs/point\n"
          f"  distance alone      {dist:6.2f} s = {dist * us:5.2f} µs/point (k-d tree, "
          f"workers=-1)")


def stream_figures(index, at, lon, lat) -> None:
    n = len(lon)
    points = PointBatch(np.array([f"p{i}" for i in range(n)], dtype=object), lon, lat, None)
    for fmt in (NDJSON, CSV):
        start = time.perf_counter()
        size = sum(len(c) for c in answer_chunks(index, points, fmt=fmt, cleared=False, at=at))
        elapsed = time.perf_counter() - start
        print(f"answers written as {fmt}: {n:,} points in {elapsed:.2f} s = "
              f"{elapsed / n * 1e6:.2f} µs/point, {size / n:.0f} bytes/point")


def main() -> None:
    _, _, index = engine_and_index()
    at = now()
    grid_figures(index, at)
    lon, lat = border_region_points(N)
    batch.check_arrays(index, lon[:1000], lat[:1000], at)  # warm-up
    point_figures(index, at, "over Vietnam's bounding box", lon, lat)
    point_figures(index, at, "within 2 km of the border", *near_border_points(index, N))
    stream_figures(index, at, lon[:200_000], lat[:200_000])
    m = 100_000
    start = time.perf_counter()
    check_points(index, lon[:m], lat[:m], at)
    per = (time.perf_counter() - start) / m * 1e6
    print(f"for comparison, check_points (one answer object per point): {per:.1f} µs/point")


if __name__ == "__main__":
    main()
