"""The border belt and border distances, probed from the real border line.

Probe points are offset geodesically from places spread along each neighbour's line:
300 m, 990 m, 1,010 m and 5 km inward, 2 km outward. The reference distance of every probe
is computed independently with pyproj's Geod against the line densified to 2 m.
"""

import json

import numpy as np
import pytest
import shapely
from sqlalchemy import text

from geo.common.crs import GEOD
from geo.location.check import check_points
from tests.conftest import DATA_DIR

OFFSETS_M = [(300.0, "in"), (990.0, "in"), (1010.0, "in"), (1030.0, "in"), (1060.0, "in"),
             (5000.0, "in"), (2000.0, "out")]
PLACES_PER_NEIGHBOUR = 40
SPIKE = (106.8136, 16.55735)  # a 2 km out-and-back artefact of the source (SOURCES.md)


def _lines() -> dict[str, np.ndarray]:
    data = json.loads((DATA_DIR / "vn_land_boundary.geojson").read_text())
    return {f["properties"]["neighbour_iso3"]: np.asarray(f["geometry"]["coordinates"])
            for f in data["features"]}


def _reference_distance(lines: dict[str, np.ndarray], lon: float, lat: float) -> float:
    """Geodesic distance to the nearest of all the lines (near tripoints it may be another
    neighbour's)."""
    return min(_distance_to(line, lon, lat) for line in lines.values())


def _distance_to(line: np.ndarray, lon: float, lat: float) -> float:
    near = np.all(np.abs(line - [lon, lat]) < 0.1, axis=1)
    if not near.any():
        return float("inf")
    idx = np.flatnonzero(near)
    idx = np.unique(np.concatenate([idx, np.clip(idx + 1, 0, len(line) - 1)]))
    pts = []
    for i in idx[:-1]:
        a, b = line[i], line[min(i + 1, len(line) - 1)]
        _, _, seg_m = GEOD.inv(*a, *b)
        n = max(2, int(seg_m / 2.0) + 2)
        pts.append(a + (b - a) * np.linspace(0, 1, n)[:, None])
    pts = np.vstack(pts)
    _, _, dist = GEOD.inv(np.full(len(pts), lon), np.full(len(pts), lat), pts[:, 0], pts[:, 1])
    return float(dist.min())


def _probes(index) -> list[dict]:
    probes = []
    lines = _lines()
    for iso, line in lines.items():
        for i in np.linspace(200, len(line) - 200, PLACES_PER_NEIGHBOUR).astype(int):
            lon0, lat0 = line[i]
            if GEOD.inv(lon0, lat0, *SPIKE)[2] < 4000:
                continue
            azimuth = GEOD.inv(*line[i - 3], *line[i + 3])[0]
            sides = [azimuth + 90, azimuth - 90]
            test = [shapely.Point(GEOD.fwd(lon0, lat0, s, 50.0)[:2]) for s in sides]
            inside = [bool(index.communes_exact.tree.query(p, predicate="within").size)
                      for p in test]
            if inside.count(True) != 1:
                continue
            inward = sides[inside.index(True)]
            for offset, way in OFFSETS_M:
                az = inward if way == "in" else inward + 180
                lon, lat, _ = GEOD.fwd(lon0, lat0, az, offset)
                probes.append({"iso": iso, "lon": float(lon), "lat": float(lat),
                               "offset": offset, "way": way,
                               "ref": _reference_distance(lines, lon, lat)})
    return probes


@pytest.fixture(scope="module")
def probes(index):
    return _probes(index)


@pytest.fixture(scope="module")
def answers(index, probes):
    lon = np.array([p["lon"] for p in probes])
    lat = np.array([p["lat"] for p in probes])
    return check_points(index, lon, lat)


def test_probes__spread_over_every_neighbour(probes):
    per = {iso: sum(p["iso"] == iso for p in probes) // len(OFFSETS_M)
           for iso in ("CHN", "LAO", "KHM")}
    assert all(n >= 30 for n in per.values()), per


def test_border_distance__within_a_metre_of_geod(probes, answers):
    errors = [abs(a.border_distance_m - p["ref"]) for p, a in zip(probes, answers, strict=True)]
    assert max(errors) < 1.0, max(errors)


def test_belt__membership_follows_the_geodesic_distance(probes, answers):
    decided = 0
    for p, a in zip(probes, answers, strict=True):
        if p["way"] == "out":
            continue
        if p["ref"] < 999.0:
            # the belt is land of Vietnam only: probes that fall in estuaries or lagoons
            # (water belonging to no commune, e.g. the Bac Luan mouth) are outside it
            assert a.in_border_belt == a.in_vietnam, p
            if a.in_vietnam:
                assert a.belt["depth_m"] == 1000.0 and a.belt["is_default"]
                decided += 1
        elif p["ref"] > 1001.0:
            assert not a.in_border_belt, p
            decided += 1
    assert decided >= 0.85 * sum(p["way"] == "in" for p in probes)


def test_belt__edge_is_tested_from_both_sides(probes, answers):
    """Rivers meander, so a point 1,010 m from one vertex is often < 1,000 m from another:
    what counts is the reference distance. Enough probes must sit just inside and just
    outside the edge for the membership test above to mean something."""
    pairs = list(zip(probes, answers, strict=True))
    just_in = [a for p, a in pairs if 950.0 < p["ref"] < 999.0 and a.in_vietnam]
    just_out = [a for p, a in pairs if 1001.0 < p["ref"] < 1100.0 and a.in_vietnam]
    assert len(just_in) >= 60 and len(just_out) >= 30, (len(just_in), len(just_out))
    assert all(a.in_border_belt for a in just_in)
    assert not any(a.in_border_belt for a in just_out)


def test_outward_probes__in_the_neighbour_not_in_vietnam(probes, answers):
    """2 km outward is abroad at nearly every place (a meander can bring it back into
    Vietnam, so not at all); abroad it is never in the belt or the land border area."""
    out = [(p, a) for p, a in zip(probes, answers, strict=True) if p["way"] == "out"]
    abroad = [(p, a) for p, a in out if not a.in_vietnam]
    assert len(abroad) >= 0.9 * len(out) and len(out) >= 100
    for _, a in abroad:
        assert not a.in_border_belt and not a.in_land_border_area and a.province is None
        assert a.country == a.nearest_neighbour
    assert sum(a.country == p["iso"] for p, a in abroad) >= 0.95 * len(abroad)


def test_inward_probes__in_a_border_commune_in_the_land_border_area(probes, answers):
    near = [a for p, a in zip(probes, answers, strict=True)
            if p["way"] == "in" and p["offset"] == 300.0]
    home = [a for a in near if a.in_vietnam]
    assert len(home) >= 0.9 * len(near) and len(home) >= 100
    for a in home:
        assert a.in_land_border_area and a.in_border_belt
        assert a.commune["precision"] == "exact" and a.province["name"]


def test_postgis_agrees_on_belt_and_distance(conn, probes, answers):
    rows = conn.execute(text(
        "WITH p AS (SELECT i, ST_SetSRID(ST_MakePoint(x, y), 4326) g FROM "
        "unnest(CAST(:xs AS float8[]), CAST(:ys AS float8[])) WITH ORDINALITY t(x, y, i)) "
        "SELECT p.i, EXISTS (SELECT 1 FROM belt_segment b WHERE b.valid_to IS NULL "
        "AND ST_Intersects(b.geom, p.g)), (SELECT min(ST_Distance(s.geom::geography, "
        "p.g::geography)) FROM border_segment s WHERE s.source = 'bando_2026' "
        "AND s.geom && ST_Expand(p.g, 0.07)) FROM p ORDER BY p.i"),
        {"xs": [p["lon"] for p in probes], "ys": [p["lat"] for p in probes]}).all()
    # PostGIS geography draws edges as geodesics, GeoJSON as straight lon/lat lines: on the
    # few km-long segments of the source they part by up to a few metres.
    compared = 0
    for (_, in_belt, dist), a in zip(rows, answers, strict=True):
        assert in_belt == a.in_border_belt
        if dist is not None:
            assert abs(dist - a.border_distance_m) <= 3.0
            compared += 1
    assert compared >= 0.9 * len(answers)
