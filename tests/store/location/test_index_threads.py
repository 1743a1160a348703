"""The shared native objects of a zone index, used by many threads at once.

A fresh index is hit by eight threads before anything lazy in it was built (single-point
cell tables, route tiles, the batch grid), with single points, batches, VN-2000 transforms
and routes; every answer must equal the one a single thread got from another fresh index.
Prepared GEOS polygons, STR-trees, the k-d tree and pyproj transformers are all shared here.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import numpy as np
import pytest

from geo.batch import check as batch
from geo.common import crs
from geo.common.timeutil import HANOI
from geo.common.zones import PersonCategory
from geo.location import routes
from geo.location.answers import answer_route
from geo.location.check import check_points
from geo.store.zones.snapshot import build_index

AT = datetime(2026, 3, 1, 9, 0, tzinfo=HANOI)
LUNG_CU = (105.3208, 23.3590)  # 400 m south of the China line
LANG_SON = (106.7615, 21.8537)


def _work(index, seed: int) -> str:
    """One thread's mixed work, as canonical JSON (so answers compare exactly)."""
    rng = np.random.default_rng(seed)
    centre = LUNG_CU if seed % 2 else LANG_SON
    lon = centre[0] + rng.normal(0, 0.05, 3_000)
    lat = centre[1] + rng.normal(0, 0.05, 3_000)
    singles = [check_points(index, lon[i:i + 1], lat[i:i + 1], AT)[0].as_dict()
               for i in range(40)]
    cols = batch.check_arrays(index, lon, lat, AT)
    e, n = crs.to_metric(lon, lat)
    back = crs.from_metric(e, n)
    track = routes.make_track([[[float(x), float(y)] for x, y in zip(lon[:60], lat[:60],
                                                                       strict=True)]])
    route = answer_route(index, track, AT, PersonCategory.VIETNAMESE_CITIZEN, cleared=False)
    return json.dumps({
        "singles": singles, "route": route,
        "batch": {k: np.asarray(v).tolist() for k, v in cols.items()},
        "metric": [np.round(e, 6).tolist(), np.round(back[0], 9).tolist()],
    }, sort_keys=True, default=str)


@pytest.fixture(scope="module")
def reference(engine, loaded) -> dict[int, str]:
    index = build_index(engine)
    return {seed: _work(index, seed) for seed in range(8)}


def test_index__eight_threads_on_a_cold_index_answer_as_one(engine, reference):
    index = build_index(engine)  # nothing lazy built yet: the threads race to build it
    seeds = [seed for _ in range(3) for seed in range(8)]
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda s: (s, _work(index, s)), seeds))
    wrong = [s for s, text in answers if text != reference[s]]
    assert not wrong, f"threads {wrong} answered differently from a single thread"
