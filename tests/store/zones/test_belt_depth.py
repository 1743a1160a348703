"""A belt depth set by an instrument replaces the default strip for its commune."""

from datetime import date, datetime

import numpy as np
import pytest
from sqlalchemy import exc as sa_exc
from sqlalchemy import text

from geo.common.crs import GEOD
from geo.common.errors import InvalidInput, NotFound
from geo.common.security import Principal, Role
from geo.common.timeutil import HANOI
from geo.location.check import check_points
from geo.store.zones.derive import set_belt_depth
from geo.store.zones.snapshot import index_from

LUNG_CU = "00715"
INSTRUMENT = "Nghị quyết thử nghiệm số 01/NQ-HĐND (test)"
COUNCIL = "provincial_peoples_council"
PM = "prime_minister"
PM_DECISION = "Quyết định thử nghiệm số 01/QĐ-TTg (test)"
ADMIN = Principal(subject="test-belt-admin", roles=frozenset({Role.ADMIN}))


def _probe_points(index):
    """Points in Lũng Cú at 300 m and 700 m from the border (by the index's distance)."""
    rng = np.random.default_rng(5)
    lon = rng.uniform(105.28, 105.36, 4000)
    lat = rng.uniform(23.33, 23.40, 4000)
    answers = check_points(index, lon, lat, datetime(2027, 1, 2, tzinfo=HANOI))
    ours = [a for a in answers if a.commune and a.commune["code"] == LUNG_CU]
    near = [a for a in ours if 250 < a.border_distance_m < 450]
    middle = [a for a in ours if 550 < a.border_distance_m < 950]
    return near, middle


def test_set_belt_depth__narrower_belt_replaces_the_default(conn, loaded):
    result = set_belt_depth(conn, LUNG_CU, 500.0, INSTRUMENT, date(2027, 1, 1), issuer=COUNCIL,
                            principal=ADMIN)
    assert result["depth_m"] == 500.0
    # the index built inside this (rolled back) transaction sees the new row
    index = index_from(conn)
    near, middle = _probe_points(index)
    assert len(near) > 20 and len(middle) > 20
    assert all(a.in_border_belt and a.belt["depth_m"] == 500.0 for a in near)
    assert all(a.belt["instrument"] == INSTRUMENT for a in near)
    assert not any(a.in_border_belt for a in middle)
    before = check_points(index, [middle[0].lon], [middle[0].lat],
                          datetime(2026, 12, 31, tzinfo=HANOI))[0]
    assert before.in_border_belt and before.belt["is_default"]  # history: default until then


def test_set_belt_depth__edge_at_500_m_geodesic(conn, loaded):
    set_belt_depth(conn, LUNG_CU, 500.0, INSTRUMENT, date(2027, 1, 1), issuer=COUNCIL,
                   principal=ADMIN)
    index = index_from(conn)
    near, _ = _probe_points(index)
    a = near[0]
    # walk away from the border through the edge: in at 499 m, out at 501 m
    foot_az = None
    for step in np.linspace(0, 360, 73):
        lon, lat, _ = GEOD.fwd(a.lon, a.lat, step, 10.0)
        d = check_points(index, [lon], [lat])[0].border_distance_m
        if d > a.border_distance_m + 9.0:
            foot_az = step
            break
    assert foot_az is not None
    inside = outside = None
    for dist in np.arange(0, 400, 0.5):
        lon, lat, _ = GEOD.fwd(a.lon, a.lat, foot_az, dist)
        p = check_points(index, [lon], [lat], datetime(2027, 1, 2, tzinfo=HANOI))[0]
        if 498.0 < p.border_distance_m < 499.0:
            inside = p
        if 501.0 < p.border_distance_m < 502.0:
            outside = p
            break
    assert inside is not None and inside.in_border_belt
    assert outside is not None and not outside.in_border_belt


@pytest.mark.parametrize("depth, instrument, issuer, field", [
    (1500.0, INSTRUMENT, COUNCIL, "depth_m"),  # over 1,000 m: not the province's to set
    (1500.0, "Quyết định …/QĐ-UBND (test)", "provincial_peoples_committee", "depth_m"),
    (50.0, INSTRUMENT, COUNCIL, "depth_m"),  # under 100 m: not the province's either
    (50.0, "Quyết định 679/QĐ-TTg (test)", COUNCIL, "depth_m"),  # "TTg" in the text is no issuer
    (15_000.0, PM_DECISION, PM, "depth_m"),  # km typed as m: refused as input
    (500.0, " ", COUNCIL, "instrument"),
    (500.0, INSTRUMENT, "district_committee", "issuer"),
])
def test_set_belt_depth__refusals(conn, loaded, depth, instrument, issuer, field):
    with pytest.raises(InvalidInput) as err:
        set_belt_depth(conn, LUNG_CU, depth, instrument, date(2027, 1, 1), issuer=issuer,
                       principal=ADMIN)
    assert err.value.field == field
    count = conn.execute(text("SELECT count(*) FROM belt_segment WHERE commune_code = :c "
                              "AND NOT is_default"), {"c": LUNG_CU}).scalar_one()
    assert count == 0  # nothing half-written


def test_set_belt_depth__provincial_refusal_cites_the_circular(conn, loaded):
    with pytest.raises(InvalidInput) as err:
        set_belt_depth(conn, LUNG_CU, 1500.0, INSTRUMENT, date(2027, 1, 1), issuer=COUNCIL,
                       principal=ADMIN)
    assert "Circular 43/2015/TT-BQP Art 3(1)(b)" in err.value.message
    assert err.value.detail["rules_ref"] == "GEO-BELT-06"


def test_set_belt_depth__prime_minister_may_go_under_100_m(conn, loaded):
    result = set_belt_depth(conn, LUNG_CU, 50.0, "Quyết định 679/QĐ-TTg (test)",
                            date(2027, 1, 1), issuer=PM, principal=ADMIN)
    assert result["depth_m"] == 50.0 and result["issuer"] == PM


def test_set_belt_depth__prime_minister_may_go_over_1000_m(conn, loaded):
    """A 1,500 m belt by a Prime Minister's decision: recorded (the database check of
    migration 0004 allows it) and the point check follows it past 1,000 m."""
    result = set_belt_depth(conn, LUNG_CU, 1500.0, PM_DECISION, date(2027, 1, 1), issuer=PM,
                            principal=ADMIN)
    assert result["depth_m"] == 1500.0 and result["issuer"] == PM
    stored = conn.execute(text("SELECT depth_m, issuer FROM belt_segment WHERE id = :i"),
                          {"i": result["id"]}).one()
    assert tuple(stored) == (1500.0, PM)
    index = index_from(conn)
    rng = np.random.default_rng(7)
    lon, lat = rng.uniform(105.28, 105.36, 4000), rng.uniform(23.33, 23.40, 4000)
    answers = check_points(index, lon, lat, datetime(2027, 1, 2, tzinfo=HANOI))
    deep = [a for a in answers if a.commune and a.commune["code"] == LUNG_CU
            and 1100 < a.border_distance_m < 1400]
    assert len(deep) > 20
    assert all(a.in_border_belt and a.belt["depth_m"] == 1500.0 for a in deep)


def test_belt_depth__database_check_refuses_over_the_sanity_bound(conn, loaded):
    with pytest.raises(sa_exc.IntegrityError):
        conn.execute(text("UPDATE belt_segment SET depth_m = 20000 WHERE id = "
                          "(SELECT min(id) FROM belt_segment)"))


def test_set_belt_depth__unknown_commune(conn, loaded):
    with pytest.raises(NotFound):
        set_belt_depth(conn, "99999", 500.0, INSTRUMENT, date(2027, 1, 1), issuer=COUNCIL,
                       principal=ADMIN)


def test_set_belt_depth__is_audited_with_the_row_it_closes(conn, loaded):
    first = set_belt_depth(conn, LUNG_CU, 600.0, INSTRUMENT, date(2027, 1, 1),
                           issuer=COUNCIL, principal=ADMIN)
    second = set_belt_depth(conn, LUNG_CU, 400.0, INSTRUMENT + " bis", date(2027, 6, 1),
                            issuer=COUNCIL, principal=ADMIN)
    rows = conn.execute(text(
        "SELECT who, action, entity, entity_id, before, after FROM audit_log "
        "WHERE action = 'belt.set_depth' AND entity_id IN (:a, :b) ORDER BY id"),
        {"a": str(first["id"]), "b": str(second["id"])}).all()
    assert [r.entity_id for r in rows] == [str(first["id"]), str(second["id"])]
    assert all(r.who == "test-belt-admin" and r.entity == "belt_segment" for r in rows)
    assert rows[0].before is None and rows[0].after["depth_m"] == 600.0
    assert rows[1].before["closed"][0]["id"] == first["id"]
    assert rows[1].before["closed"][0]["depth_m"] == 600.0
    assert rows[1].after["instrument"].endswith(" bis")
