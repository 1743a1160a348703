"""Route checks: µs per route of 20-200 vertices against the restricted zones (land border
area, belt, prohibited zones, checkpoint areas, sea border area), entry/exit geometry and
geodesic lengths included. Routes are random walks starting near the northern border.
Prints figures; asserts nothing."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import engine_and_index  # noqa: E402

from geo.common.timeutil import now  # noqa: E402
from geo.location import routes  # noqa: E402
from geo.location.index import ZONE  # noqa: E402


def main(n_routes: int = 1000) -> None:
    _, _, index = engine_and_index()
    start = time.perf_counter()
    for layer in index.layers(cleared=True, role=ZONE):
        layer.tiles()
    print(f"tiles built once per index: {time.perf_counter() - start:.2f} s")
    rng = np.random.default_rng(3)
    tracks = []
    for _ in range(n_routes):
        n = int(rng.integers(20, 201))
        origin = rng.uniform([103.0, 21.0], [107.0, 22.5])
        steps = rng.normal(0, 0.003, (n, 2)).cumsum(axis=0) + origin
        tracks.append(routes.make_track([steps.tolist()]))
    moment = now()
    start = time.perf_counter()
    found = sum(len(routes.passages(index, track, moment)) for track in tracks)
    per_route = (time.perf_counter() - start) / n_routes * 1e6
    print(f"routes: {per_route:.0f} µs per route ({n_routes} routes of 20-200 vertices, "
          f"{found} zone passages)")


if __name__ == "__main__":
    main()
