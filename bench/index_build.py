"""Zone index rebuild: snapshot read, preparation (warm) and memory, before and after the
vectorised single-point cell tables (issue 17), side by side in one run.

"before" prepares with the pure-Python triple loop the index used until issue 17 (kept here
only, as ``old_cells``); "after" with ``geo.store.zones.live.warm``. Memory: the RSS growth
of the process, and the cell tables' own allocations (tracemalloc). Prints; asserts nothing.
``DATABASE_URL`` names the database (default: the project's).
"""

from __future__ import annotations

import gc
import os
import time
import tracemalloc

import numpy as np
import shapely

from api.database import start_database
from api.settings import Settings
from geo.batch import check as batch
from geo.location import routes
from geo.location.index import Layer
from geo.store.db import make_engine
from geo.store.zones import live, snapshot

LAYERS = ("territory", "neighbours", "provinces", "communes_exact", "communes_simplified",
          "land_border", "belt", "zones", "zones_public", "checkpoint_areas", "decisions",
          "sea")


def old_cells(layer: Layer, cell_deg: float = Layer.CELL_DEG) -> dict:
    """The single-point cell table as built before issue 17 (reference only)."""
    cells: dict[tuple[int, int], list[int]] = {}
    bounds = shapely.bounds(layer.geoms) // cell_deg
    for i, (x0, y0, x1, y1) in enumerate(bounds.astype(int).tolist()):
        for x in range(x0, x1 + 1):
            for y in range(y0, y1 + 1):
                cells.setdefault((x, y), []).append(i)
    return cells


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def timed(work, trace: bool = False) -> tuple[float, float, float]:
    """Seconds, RSS growth (MB) and, with ``trace``, the traced peak (MB) of ``work()``
    (tracemalloc slows the work: its time is then not comparable)."""
    gc.collect()
    rss = rss_mb()
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    work()
    seconds = time.perf_counter() - started
    peak = 0.0
    if trace:
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return seconds, rss_mb() - rss, peak


def lookup_us(index, cells_of) -> float:
    """Mean µs of one single-point candidate lookup over all layers (1,000 points)."""
    rng = np.random.default_rng(17)
    lon, lat = rng.uniform(102.1, 109.5, 1000), rng.uniform(8.5, 23.4, 1000)
    tables = [cells_of(getattr(index, n)) for n in LAYERS if len(getattr(index, n))]
    started = time.perf_counter()
    for x, y in zip(lon.tolist(), lat.tolist(), strict=True):
        for table in tables:
            table(x, y)
    return (time.perf_counter() - started) / len(lon) * 1e6


def main() -> None:
    url = os.environ.get("DATABASE_URL") or start_database(Settings(), log=lambda _: None)
    engine = make_engine(url)
    snapshot.build_index(engine)  # warm the database's caches
    rows = []
    for label in ("before", "after"):
        holder = {}
        build = timed(lambda h=holder: h.setdefault("index", snapshot.build_index(engine)))
        index = holder["index"]
        if label == "before":
            def prep(index=index):
                routes.prepare(index)
                batch.epoch(index)
                for name in LAYERS:
                    layer = getattr(index, name)
                    if len(layer):
                        layer.old = old_cells(layer)
            cells = timed(lambda index=index: [old_cells(getattr(index, n)) for n in LAYERS],
                          trace=True)

            def probe(layer):
                table = layer.old
                return lambda x, y: table.get((int(x // 0.05), int(y // 0.05)), ())
        else:
            def prep(index=index):
                live.warm(index)
            fresh = snapshot.build_index(engine)
            cells = timed(lambda fresh=fresh: [getattr(fresh, n).prepare() for n in LAYERS],
                          trace=True)

            def probe(layer):
                return layer.prepare().candidates
        warm = timed(prep)
        rows.append((label, build, warm, cells, lookup_us(index, probe)))
        holder.clear()
        del index
    print(f"{'':8}{'rebuild s':>10}{'RSS MB':>8}{'warm s':>8}{'RSS MB':>8}"
          f"{'cells s':>9}{'cells MB':>9}{'lookup µs':>11}")
    for label, build, warm, cells, us in rows:
        print(f"{label:8}{build[0]:10.2f}{build[1]:8.0f}{warm[0]:8.2f}{warm[1]:8.0f}"
              f"{cells[0]:9.2f}{cells[2]:9.1f}{us:11.1f}")
    print("(rebuild: snapshot read + layer preparation; warm: route tiles, batch grid and "
          "cell tables, done before the swap; cells: the cell tables alone, traced peak; "
          "lookup: candidates for one point in every layer)")


if __name__ == "__main__":
    main()
