"""``geo.batch.check.check_arrays`` (grid + exact fallback) answers exactly as ``check_points``,
on the real data: random points over Vietnam, points near the border line, points on
commune edges, instants in different validity epochs, and an index carrying a belt
instrument, zones and a decision."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timedelta

import numpy as np
import pytest
import shapely

from geo.batch import check as batch
from geo.batch import grid
from geo.batch.output import JsonRows
from geo.common import crs
from geo.common.timeutil import HANOI
from geo.location.check import PointAnswer, check_points
from geo.location.index import Feature, Layer, as_utc64

AT = datetime(2026, 1, 5, 8, 0, tzinfo=HANOI)
BEFORE_REFORM = datetime(2025, 3, 1, 12, 0, tzinfo=HANOI)  # before the 2025-07-01 units


def _over_vietnam(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.uniform(102.14, 109.47, n), rng.uniform(8.4, 23.4, n)


def _near_line(index, n: int, max_m: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Points within ``max_m`` metres (EPSG:3405) of random border vertices."""
    rng = np.random.default_rng(seed)
    a = index.border.a[rng.integers(0, len(index.border.a), n)]
    r, theta = max_m * np.sqrt(rng.uniform(0, 1, n)), rng.uniform(0, 2 * np.pi, n)
    return crs.from_metric(a[:, 0] + r * np.cos(theta), a[:, 1] + r * np.sin(theta))


def _expected(answers) -> dict[str, list]:
    def get(obj, key, empty=""):
        return (obj or {}).get(key) or empty

    return {
        "in_vietnam": [a.in_vietnam for a in answers],
        "country": [a.country or "" for a in answers],
        "province_code": [get(a.province, "code") for a in answers],
        "province_name": [get(a.province, "name", None) for a in answers],
        "commune_code": [get(a.commune, "code") for a in answers],
        "commune_name": [get(a.commune, "name", None) for a in answers],
        "commune_precision": [get(a.commune, "precision") for a in answers],
        "in_land_border_area": [a.in_land_border_area for a in answers],
        "in_border_belt": [a.in_border_belt for a in answers],
        "belt_id": [get(a.belt, "id") for a in answers],
        "nearest_neighbour": [a.nearest_neighbour or "" for a in answers],
        "zone_count": [len(a.zones) for a in answers],
        "decision_count": [len(a.decisions) for a in answers],
        "in_sea_border_area": [getattr(a, "in_sea_border_area", False) for a in answers],
    }


def assert_agree(index, lon, lat, at, cols) -> list:
    """Every column equal to ``check_points``'s answer (distances to 0.01 m)."""
    answers = check_points(index, lon, lat, at)
    for name, want in _expected(answers).items():
        got = cols[name].tolist()
        wrong = [i for i, (g, w) in enumerate(zip(got, want, strict=True)) if g != w]
        assert not wrong, (f"{name}: {len(wrong)} of {len(want)} differ, e.g. point "
                           f"({lon[wrong[0]]}, {lat[wrong[0]]}): {got[wrong[0]]!r} != "
                           f"{want[wrong[0]]!r}")
    want_m = np.array([np.nan if a.border_distance_m is None else a.border_distance_m
                       for a in answers])
    np.testing.assert_allclose(cols["border_distance_m"], want_m, atol=0.011, rtol=0,
                               equal_nan=True)
    return answers


def test_check_arrays__agrees_with_check_points_on_100000_points_over_vietnam(index):
    lon, lat = _over_vietnam(100_000, seed=20)
    cols = batch.check_arrays(index, lon, lat, AT)
    answers = assert_agree(index, lon, lat, AT, cols)
    assert sum(a.in_vietnam for a in answers) > 25_000  # the sample really covers Vietnam
    assert len({a.province["code"] for a in answers if a.province}) == 34
    assert cols["in_border_belt"].sum() > 50


def test_check_arrays__agrees_within_2_km_of_the_border(index):
    lon, lat = _near_line(index, 25_000, max_m=1_990.0, seed=21)
    cols = batch.check_arrays(index, lon, lat, AT)
    answers = assert_agree(index, lon, lat, AT, cols)
    assert max(a.border_distance_m for a in answers) <= 2_000.0
    assert sum(a.in_border_belt for a in answers) > 5_000
    assert sum(a.country not in (None, "VNM") for a in answers) > 5_000
    near_30 = [a for a in answers if a.border_distance_m <= 30.0]
    assert len(near_30) > 50  # the 30 m rule is exercised


def test_check_arrays__agrees_on_commune_edges_and_vertices(index):
    rings = shapely.get_rings(shapely.get_parts(index.communes_exact.geoms))
    xy = shapely.get_coordinates(rings)[::40]
    mid = (xy[:-1] + xy[1:]) / 2  # on an edge of a polygon or very close to one
    pts = np.concatenate([xy, mid])[:30_000]
    cols = batch.check_arrays(index, pts[:, 0], pts[:, 1], AT)
    assert_agree(index, pts[:, 0], pts[:, 1], AT, cols)
    region, _ = batch.epoch(index, AT).grid.locate(xy[:, 0], xy[:, 1])
    assert (region == grid.TOUCHED).all()  # vertices always go to the exact path


def test_check_arrays__membership_only_keeps_in_vietnam_and_country(index):
    lon, lat = np.concatenate([_over_vietnam(30_000, seed=22), _near_line(index, 30_000,
                                                                          4_000.0, seed=23)],
                              axis=1)
    full = batch.check_arrays(index, lon, lat, AT)
    fast = batch.check_arrays(index, lon, lat, AT, distance=False)
    assert np.isnan(fast["border_distance_m"]).all() and (fast["nearest_neighbour"] == "").all()
    for name in ("in_vietnam", "country", "commune_code", "in_border_belt", "province_code"):
        assert (fast[name] == full[name]).all(), name


def test_check_arrays__per_point_times_in_two_validity_epochs(index):
    lon, lat = _over_vietnam(40_000, seed=24)
    when = np.where(np.arange(len(lon)) % 2 == 0, as_utc64(AT, None),
                    as_utc64(BEFORE_REFORM, None)).astype("datetime64[us]")
    cols = batch.check_arrays(index, lon, lat, when)
    for moment, rows in ((AT, slice(0, None, 2)), (BEFORE_REFORM, slice(1, None, 2))):
        part = {k: v[rows] for k, v in cols.items()}
        assert_agree(index, lon[rows], lat[rows], moment, part)
    assert (cols["province_code"][1::2] == "").all()  # no 2025 unit was in force yet
    assert (cols["province_code"][0::2] != "").sum() > 3_000


def test_check_arrays__small_batch_without_a_grid_is_exact(index):
    fresh = dataclasses.replace(index)  # no cached grid
    lon, lat = _near_line(index, 500, 3_000.0, seed=25)
    cols = batch.check_arrays(fresh, lon, lat, AT)
    assert not [k for k in fresh.grids if isinstance(k, tuple)]  # answered without a grid
    assert_agree(fresh, lon, lat, AT, cols)


# -- an index carrying a belt instrument, zones and a decision ------------------------
LUNG_CU = "00715"
INSTRUMENT_FROM = datetime(2025, 12, 5, tzinfo=HANOI)


@pytest.fixture(scope="module")
def enriched(index):
    """The real index plus: a 500 m instrument belt for Lũng Cú (from 5 Dec 2025), a
    restricted prohibited zone, a public checkpoint area and a restriction decision."""
    default = next(f for f in index.belt.features if f.props.get("commune_code") == LUNG_CU)
    west, south, east, north = default.geom.bounds
    half = shapely.box(west, south, (west + east) / 2, north)
    instrument = Feature(id="instrument-test", name="border belt 00715",
                         geom=default.geom.intersection(half),
                         props={**default.props, "depth_m": 500.0, "is_default": False,
                                "instrument": "Decision 1/QĐ-UBND (test)"},
                         valid_from=INSTRUMENT_FROM)
    lon0, lat0 = default.geom.centroid.x, default.geom.centroid.y
    zone = Feature(id="z-test", name="Khu cấm thử", geom=shapely.box(
        lon0 - 0.01, lat0 - 0.01, lon0 + 0.01, lat0 + 0.01), props={
        "kind": "prohibited_zone_land", "authority": "Bộ Quốc phòng",
        "legal_basis": "Decree 164/2018/ND-CP Art 7", "sensitivity": "restricted"},
        valid_from=AT - timedelta(days=30), valid_to=AT + timedelta(days=30))
    gate = Feature(id="g-test", name="Khu vực cửa khẩu thử", geom=shapely.box(
        lon0, lat0, lon0 + 0.02, lat0 + 0.02), props={
        "gate_id": 1, "gate_type": "main", "status": "approved", "version": 1,
        "sensitivity": "public", "legal_basis": "Decree 34/2014", "authority": None})
    decision = Feature(id="9/QĐ-BĐBP (test)", name="restrict border_belt", geom=shapely.box(
        lon0 - 0.02, lat0 - 0.02, lon0 + 0.005, lat0 + 0.005), props={
        "kind": "restrict", "scope": "border_belt", "activities": ["entry"],
        "issuer": {"role": "commander", "unit_name": "Đồn Biên phòng Lũng Cú",
                   "signer_name": "Nguyễn Văn A"}},
        valid_from=AT - timedelta(days=1), valid_to=AT + timedelta(days=1))
    return dataclasses.replace(
        index, belt=Layer([*index.belt.features, instrument]), zones=Layer([zone]),
        checkpoint_areas=Layer([gate]), decisions=Layer([decision])), default.geom.bounds


def _around(bounds, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    west, south, east, north = bounds
    rng = np.random.default_rng(seed)
    return rng.uniform(west - 0.02, east + 0.02, n), rng.uniform(south - 0.02, north + 0.02, n)


@pytest.mark.parametrize("at", [AT, INSTRUMENT_FROM - timedelta(days=10)])
def test_check_arrays__belt_instrument_zones_and_decisions_agree(enriched, at):
    index, bounds = enriched
    lon, lat = _around(bounds, 30_000, seed=26)
    cols = batch.check_arrays(index, lon, lat, at)
    answers = assert_agree(index, lon, lat, at, cols)
    belts = {a.belt["id"] for a in answers if a.belt}
    assert ("instrument-test" in belts) == (at >= INSTRUMENT_FROM)
    zone_in_force = at == AT  # the zone and the decision are in force around AT only
    assert sum(len(a.zones) == (2 if zone_in_force else 1) for a in answers) > 100
    assert (sum(bool(a.decisions) for a in answers) > 100) == zone_in_force


@pytest.mark.parametrize("cleared", [False, True])
def test_check_arrays__rows_match_point_answers_with_redaction(enriched, cleared):
    index, bounds = enriched
    lon, lat = _around(bounds, 3_000, seed=27)
    cols = batch.check_arrays(index, lon, lat, AT, cleared=cleared)
    text = JsonRows(index, cleared).rows(np.arange(len(lon)), lon, lat, cols)
    rows = [json.loads(line) for line in text.splitlines()]
    answers = check_points(index, lon, lat, AT, cleared=cleared)
    for row, answer in zip(rows, answers, strict=True):
        want = answer.as_dict()
        for key in ("lon", "lat", "at", "border_distance_m"):
            row.pop(key), want.pop(key)
        row.pop("id")
        assert row == want
    names = {z["name"] for r in rows for z in r["zones"]}
    assert ("Khu cấm thử" in names) == cleared
    assert ("restricted — prohibited zone land" in names) != cleared


def test_check_arrays__the_30_m_rule_holds_where_territory_crosses_the_line(index):
    """Where the land polygon reaches across the line (here: a ~300 m strip added along
    it), points within 30 m on the far side are not in Vietnam; the grid must not answer
    them from a region (cells within one cell of the line always go to the exact path)."""
    lon, lat = _near_line(index, 40_000, max_m=60.0, seed=28)
    window = (lon > 105.0) & (lon < 106.0) & (lat > 22.5)
    lon, lat = lon[window], lat[window]
    segs = batch.lookups(index).line
    near = (segs[:, 0] > 104.9) & (segs[:, 0] < 106.1) & (segs[:, 1] > 22.4)
    line = shapely.line_merge(shapely.multilinestrings(shapely.linestrings(
        segs[near].reshape(-1, 2, 2))))
    strip = Feature(id="VNM", name="strip", geom=line.buffer(0.003))
    wide = dataclasses.replace(index, territory=Layer([*index.territory.features, strip]))
    batch.epoch(wide, AT)  # the grid, even for this small batch
    cols = batch.check_arrays(wide, lon, lat, AT)
    answers = assert_agree(wide, lon, lat, AT, cols)
    far_side = [a for a in answers if a.border_distance_m <= 30.0 and not a.in_vietnam]
    assert len(far_side) > 100


@pytest.mark.parametrize("cleared", [False, True])
def test_check_arrays__every_field_equals_the_single_point_answer_near_the_borders(
        enriched, cleared):
    """2,000 points near the border line and around the added belt, zone, checkpoint area
    and decision: each answered alone (a batch of one) and all in one batch (through the
    grid and the exact path), written as NDJSON rows: every field identical, distances
    included."""
    index, bounds = enriched
    lon, lat = np.concatenate([_near_line(index, 1_500, max_m=2_500.0, seed=29),
                               _around(bounds, 500, seed=30)], axis=1)
    batch.epoch(index, AT, cleared=cleared)  # grid-answered where no edge is near
    cols = batch.check_arrays(index, lon, lat, AT, cleared=cleared)
    rows = [json.loads(line) for line in JsonRows(index, cleared).rows(
        np.arange(len(lon)), lon, lat, cols).splitlines()]
    alone = [check_points(index, lon[i:i + 1], lat[i:i + 1], AT, cleared=cleared)[0]
             for i in range(len(lon))]
    for i, (row, answer) in enumerate(zip(rows, alone, strict=True)):
        assert row.pop("id") == i
        assert row == json.loads(json.dumps(answer.as_dict())), (lon[i], lat[i])
    fields = set(rows[0])
    assert fields == set(PointAnswer.__dataclass_fields__)
    # the sample reaches every kind of answer
    assert {a.country for a in alone} >= {"VNM", "CHN", "LAO", "KHM"}
    assert sum(a.in_border_belt for a in alone) > 300
    assert sum(a.border_distance_m <= 30.0 for a in alone) > 10
    assert sum(bool(a.zones) for a in alone) > 5 and sum(bool(a.decisions) for a in alone) > 5
    assert "instrument-test" in {a.belt["id"] for a in alone if a.belt}
