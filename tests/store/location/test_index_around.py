"""The index cut to one point's neighbourhood answers that point as the full index does."""

import numpy as np

from geo.common import crs
from geo.location.check import check_points
from geo.store.zones.snapshot import index_around


def test_index_around__agrees_with_the_full_index_near_the_border(engine, index):
    rng = np.random.default_rng(5)
    a = index.border.a[rng.integers(0, len(index.border.a), 120)]
    xy = a + rng.uniform(-3000, 3000, (120, 2))
    lon, lat = crs.from_metric(xy[:, 0], xy[:, 1])
    points = [*zip(lon.tolist(), lat.tolist(), strict=True),
              (107.3, 20.75), (2.35, 48.85), (106.70, 10.78)]  # Hạ Long Bay, Paris, HCMC
    belt = 0
    for x, y in points:
        local = index_around(engine, x, y)
        assert len(local.communes_exact) + len(local.communes_simplified) <= 8
        for cleared in (False, True):
            want = check_points(index, [x], [y], cleared=cleared)[0].as_dict()
            got = check_points(local, [x], [y], cleared=cleared)[0].as_dict()
            want.pop("at"), got.pop("at")
            assert got == want, (x, y)
        belt += want["in_border_belt"]
    assert belt > 15  # the sample really tests the belt


def test_index_around__paris_is_nowhere_and_far(engine):
    local = index_around(engine, 2.35, 48.85)
    answer = check_points(local, [2.35], [48.85])[0]
    assert answer.in_vietnam is False and answer.country is None and answer.province is None
