"""A route is in a belt or land border row exactly where its points are.

Points are answered by the rules of ``geo.location.answer_rules``: where communes overlap,
the lowest code holds the point, with its own belt row and land border listing; an
instrument's belt replaces the default strip of its commune. Routes must meet the same
rows: each test samples points every few metres along a real route and compares every
sample's point answer with the passages the route reports there.
"""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pytest
from sqlalchemy import text

from geo.common.crs import GEOD
from geo.common.security import Principal, Role
from geo.common.timeutil import HANOI
from geo.location import routes
from geo.location.answer_rules import route_cuts
from geo.location.check import check_points
from geo.store.zones.derive import set_belt_depth
from geo.store.zones.snapshot import index_from

AT = datetime(2026, 3, 1, 8, tzinfo=HANOI)
LATER = datetime(2027, 1, 2, 8, tzinfo=HANOI)
#: In the three overlapping Lào Cai wards (PostGIS ST_PointOnSurface of the intersection)
IN_THREE_WARDS = (103.94492676080498, 22.516887940697508)
THREE_WARDS = ("02647", "02683", "02746")
LUNG_CU = (105.332, 23.378)  # Hà Giang, 334 m from the China line
ADMIN = Principal(subject="test-route-rules", roles=frozenset({Role.ADMIN}))
#: samples this close to a passage's entry or exit are not compared (the edge itself)
EDGE_M = 1.0


def _line_through(centre, azimuth: float, half_m: float, n: int = 9) -> list[list[float]]:
    """``n`` vertices on the geodesic through ``centre`` at ``azimuth``, ``half_m`` each way."""
    back = GEOD.fwd(*centre, azimuth + 180.0, half_m)[:2]
    _, _, length = GEOD.inv(*back, *GEOD.fwd(*centre, azimuth, half_m)[:2])
    fwd_az = GEOD.inv(*back, *centre)[0]
    return [list(GEOD.fwd(*back, fwd_az, length * k / (n - 1))[:2]) for k in range(n)]


def _samples(track: routes.Track, step_m: float):
    """Points every ~``step_m`` along the track, with their distance along it as the route
    module measures it (a segment's fraction in lon/lat times its geodesic length)."""
    lon, lat, along = [], [], []
    for a, b, start, length in zip(track.seg_a, track.seg_b, track.seg_start_m,
                                   track.seg_len_m, strict=True):
        t = np.arange(0.0, 1.0, step_m / max(length, step_m))
        lon.append(a[0] + t * (b[0] - a[0]))
        lat.append(a[1] + t * (b[1] - a[1]))
        along.append(start + t * length)
    return np.concatenate(lon), np.concatenate(lat), np.concatenate(along)


def _point_rows(answer) -> dict[str, str | None]:
    return {"border_belt": answer.belt["id"] if answer.in_border_belt else None,
            "land_border_area": answer.commune["code"] if answer.in_land_border_area
            else None}


def disagreements(index, parts, at, step_m: float = 5.0) -> tuple[list, int, dict]:
    """Samples where the route's belt or land border passages and the point answers differ:
    (list of (kind, along_m, route rows, point row), samples compared, rows met)."""
    track = routes.make_track(parts)
    found = routes.passages(index, track, at)
    lon, lat, along = _samples(track, step_m)
    answers = check_points(index, lon, lat, at)
    bad, compared, met = [], 0, {}
    for kind in ("border_belt", "land_border_area"):
        spans = [(p.entry_along_m, p.exit_along_m, p.feature.id) for p in found
                 if p.kind == kind]
        edges = np.array([e for a, b, _ in spans for e in (a, b)] or [np.inf])
        for s, answer in zip(along.tolist(), answers, strict=True):
            if np.min(np.abs(edges - s)) < EDGE_M:
                continue
            compared += 1
            on_route = sorted(row for a, b, row in spans if a <= s <= b)
            on_point = _point_rows(answer)[kind]
            if on_point:
                met.setdefault(kind, set()).add(on_point)
            if on_route != ([on_point] if on_point else []):
                bad.append((kind, round(s, 1), on_route, on_point))
    return bad, compared, met


def _belt_row_of(index, commune: str, *, default: bool) -> str:
    [row] = [f.id for f in index.belt.features if f.props.get("commune_code") == commune
             and f.props["is_default"] is default and f.valid_to is None]
    return row


def test_overlap__a_route_meets_the_belt_and_land_border_rows_of_the_lowest_code(index):
    parts = [_line_through(IN_THREE_WARDS, 50.0, 2_500.0)]
    bad, compared, met = disagreements(index, parts, AT)
    assert compared > 1_500
    assert not bad, bad[:10]
    # the route really runs through the overlap: the point answers there are 02647's
    assert "02647" in met["land_border_area"]
    assert _belt_row_of(index, "02647", default=True) in met["border_belt"]
    track = routes.make_track(parts)
    overlap_rows = {f.id for f in index.belt.features
                    if f.props.get("commune_code") in THREE_WARDS[1:]}
    # 02683 and 02746 are entered only outside 02647: never at the overlap point
    centre_m = float(track.vertex_m[4])
    for p in routes.passages(index, track, AT):
        if p.kind == "border_belt" and p.feature.id in overlap_rows:
            assert not p.entry_along_m < centre_m < p.exit_along_m, p.feature.id


def test_overlap__an_instrument_narrowing_the_lowest_codes_belt_applies_on_routes(conn):
    set_belt_depth(conn, "02647", 300.0, "Quyết định 17/2026/QĐ-UBND", date(2026, 1, 1),
                   issuer="provincial_peoples_committee", principal=ADMIN)
    index = index_from(conn)
    parts = [_line_through(IN_THREE_WARDS, 50.0, 2_500.0)]
    bad, compared, met = disagreements(index, parts, AT)
    assert compared > 1_500 and not bad, bad[:10]
    default_row = _belt_row_of(index, "02647", default=True)
    assert default_row not in met.get("border_belt", set())
    track = routes.make_track(parts)
    assert not any(p.feature.id == default_row for p in routes.passages(index, track, AT))
    # before the instrument, the default strip is met again, by points and routes alike
    before = datetime(2025, 12, 31, 12, tzinfo=HANOI)
    bad, _, met = disagreements(index, parts, before)
    assert not bad and default_row in met["border_belt"]


def test_instrument__a_route_leaves_the_belt_at_the_instruments_depth(conn):
    set_belt_depth(conn, "00715", 500.0, "Nghị quyết thử nghiệm số 01/NQ-HĐND (test)",
                   date(2027, 1, 1), issuer="provincial_peoples_council", principal=ADMIN)
    index = index_from(conn)
    # from Lũng Cú straight away from the China line, 2 km
    [near] = check_points(index, [LUNG_CU[0]], [LUNG_CU[1]], LATER)
    parts = [_line_through(LUNG_CU, 180.0, 1_000.0)]
    bad, compared, met = disagreements(index, parts, LATER, step_m=2.0)
    assert compared > 900 and not bad, bad[:10]
    track = routes.make_track(parts)
    belt = [p for p in routes.passages(index, track, LATER) if p.kind == "border_belt"]
    assert [p.feature.props["depth_m"] for p in belt] == [500.0]
    [leaving] = check_points(index, [belt[0].exit[0]], [belt[0].exit[1]], LATER)
    assert leaving.border_distance_m == pytest.approx(500.0, abs=1.0)
    assert near.border_distance_m < 500.0


def test_rest_rows__routes_to_the_line_through_belt_outside_every_commune(index, conn):
    """Belt rows outside every commune (data gaps near the line): routes from inside each
    towards the nearest point of the line and 100 m beyond."""
    rows = conn.execute(text(
        "SELECT ST_X(p), ST_Y(p), ST_X(c), ST_Y(c) FROM (SELECT ST_PointOnSurface(b.geom) p, "
        "(SELECT ST_ClosestPoint(s.geom, ST_PointOnSurface(b.geom)) FROM border_segment s "
        " WHERE s.source = 'bando_2026' ORDER BY s.geom <-> ST_PointOnSurface(b.geom) "
        " LIMIT 1) c FROM belt_segment b WHERE b.commune_code IS NULL AND b.valid_to IS NULL"
        " ORDER BY b.id) q")).all()
    assert len(rows) == 5
    for x, y, cx, cy in rows:
        az, _, dist = GEOD.inv(x, y, cx, cy)
        end = GEOD.fwd(x, y, az, dist + 100.0)[:2]
        bad, compared, _ = disagreements(index, [[[x, y], list(end)]], AT, step_m=1.0)
        assert compared > 50 and not bad, (x, y, bad[:10])


def test_random_routes_near_the_border__points_and_routes_agree(index):
    rng = np.random.default_rng(17)
    starts = [f.geom.representative_point() for f in index.belt.features
              if f.valid_to is None]
    picks = rng.choice(len(starts), 40, replace=False)
    total = 0
    for k in picks.tolist():
        centre = (starts[k].x, starts[k].y)
        parts = [_line_through(centre, float(rng.uniform(0, 360)), 1_500.0, n=7)]
        bad, compared, _ = disagreements(index, parts, AT, step_m=10.0)
        assert not bad, (centre, bad[:10])
        total += compared
    assert total > 10_000


def test_route_cuts__made_once_for_the_same_rows(index, engine):
    from geo.store.zones.snapshot import build_index

    cuts = route_cuts(index)
    # the real data's overlaps beyond noise: the three Lào Cai wards and two more pairs
    overlap = {(kind, (index.belt if kind == "belt" else index.land_border).features[row].id)
               for kind, rows in cuts.items() for row in rows}
    assert {("land_border", "02683"), ("land_border", "02746")} <= overlap
    assert ("land_border", "02647") not in overlap  # the lowest code keeps its land
    again = build_index(engine)
    assert route_cuts(again) is cuts  # a new index of the same rows reuses them


def test_overlap__no_passage_is_a_remnant_of_the_cut(index):
    """Where the overlap's edge meets the row's edge, cutting leaves nothing of the row:
    no passage of under a centimetre is reported (one of 0 m was, at 1,845 m along)."""
    parts = [[[103.925, 22.50], [103.965, 22.535]]]  # across Bát Xát, Cốc San, Lào Cai
    track = routes.make_track(parts)
    found = [p for p in routes.passages(index, track, AT)
             if p.kind in ("border_belt", "land_border_area")]
    assert [p.feature.id for p in found if p.kind == "land_border_area"] == \
        ["02683", "02746", "02647"]
    assert min(p.length_m for p in found) > 0.01, [(p.feature.id, p.length_m) for p in found]
    bad, compared, _ = disagreements(index, parts, AT, step_m=2.0)
    assert compared > 1_500 and not bad, bad[:10]
