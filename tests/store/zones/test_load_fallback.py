"""Loading without the precise border line (README "Data"): the public Natural Earth line
loads with a warning and answers as the border, and nothing is derived from it (it is ~2 km
off: no land border communes, no belt)."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import text

from geo.location.check import check_points
from geo.store import migrate
from geo.store.db import make_engine
from geo.store.zones.load import Loader
from geo.store.zones.snapshot import build_index
from tests.api.security.security_support import throwaway_db
from tests.conftest import DATA_DIR

PRECISE = {"vn_land_boundary.geojson", "vn_land_boundary_nodes.geojson"}
LUNG_CU = (105.332, 23.378)  # in Lũng Cú's belt (tests/api/check/test_check_api.py)


@pytest.fixture(scope="module")
def fallback(db_url, tmp_path_factory, loaded):
    data = tmp_path_factory.mktemp("no-precise-border")
    for path in DATA_DIR.iterdir():
        if path.name not in PRECISE:
            (data / path.name).symlink_to(path)
    with throwaway_db(db_url, "nefallback") as url:
        migrate.upgrade(url)
        engine = make_engine(url)
        try:
            report = Loader(engine, data, log=lambda _: None).run()
            yield engine, report, build_index(engine)
        finally:
            engine.dispose()


def test_fallback__loads_with_warnings_and_derives_nothing(fallback):
    engine, report, _ = fallback
    warnings = " | ".join(report.warnings)
    assert "vn_land_boundary.geojson not found" in warnings
    assert "Natural Earth 10m border loaded as a fallback; it is ~2 km off" in warnings
    assert "land_boundary" not in report.steps and "derived" not in report.steps
    with engine.connect() as conn:
        sources = dict(conn.execute(text(
            "SELECT source, count(*) FROM border_segment GROUP BY 1")).all())
        assert set(sources) == {"natural_earth_10m"}
        assert conn.execute(text("SELECT count(*) FROM land_border_commune")).scalar_one() == 0
        assert conn.execute(text("SELECT count(*) FROM belt_segment")).scalar_one() == 0
    assert report.counts["province"] == 34 and report.counts["commune"] == 1985


def test_fallback__answers_from_the_natural_earth_line(fallback, index):
    _, _, ne = fallback
    [near] = check_points(ne, np.array([LUNG_CU[0]]), np.array([LUNG_CU[1]]))
    [precise] = check_points(index, np.array([LUNG_CU[0]]), np.array([LUNG_CU[1]]))
    assert ne.border.source == "natural_earth_10m" and near.border_source == "natural_earth_10m"
    assert precise.border_source == "bando_2026"
    assert near.nearest_neighbour == "CHN" and near.commune["code"] == "00715"
    assert not near.in_border_belt and not near.in_land_border_area  # never from NE
    assert precise.in_border_belt and precise.in_land_border_area
    # the same point, measured to a line ~2 km off: within 3 km of the precise distance
    assert abs(near.border_distance_m - precise.border_distance_m) < 3_000
    assert near.border_distance_m != pytest.approx(precise.border_distance_m, abs=50)
