"""Decisions bounded to their scope (issue 9, item 2), on the real data around Lũng Cú.

A belt decision drawn half into China is stored with its area as written and its area in
force (the belt of Tuyên Quang only); point checks use the area in force. Revocation works on
a decision whose extension was revoked, and the other way round.
"""

from __future__ import annotations

import json
from datetime import timedelta

import numpy as np
import pytest
from sqlalchemy import text

from geo.common.errors import Conflict, InvalidInput
from geo.decisions.codec import decision_from_dict, extension_from_dict, revocation_from_dict
from geo.location.check import check_points
from geo.location.footprint import DEFAULT_SPEC
from geo.store.decisions import repository as decisions
from geo.store.zones.around import Around
from geo.store.zones.snapshot import index_from
from tests.api.decisions.decision_support import (
    OFFICER,
    T0,
    decision_body,
    extension_body,
    revocation_body,
)

H = timedelta(hours=1)
#: Distances are to the primary border line (``bando_2026``), as the point checks give them.
#: In China, 430 m north of the border line at Lũng Cú's northern tip.
IN_CHINA = (105.316, 23.392)
#: In Lũng Cú commune, 456 m from the border: in the 1,000 m belt.
IN_BELT = (105.302, 23.366)
#: In Lũng Cú commune, 1.9 km inland from the border: outside the belt.
INLAND_1900_M = (105.304, 23.344)
#: A box over all three, its northern half in China.
HALF_IN_CHINA = {"type": "Polygon", "coordinates": [[
    [105.30, 23.33], [105.33, 23.33], [105.33, 23.45], [105.30, 23.45], [105.30, 23.33]]]}

WHERE = """SELECT (SELECT string_agg(name, ',' ORDER BY name) FROM territory
            WHERE ST_Intersects(geom, p)) AS territory,
    EXISTS (SELECT 1 FROM belt_segment b WHERE b.valid_to IS NULL
            AND ST_Intersects(b.geom, p)) AS in_belt,
    (SELECT min(ST_Distance(s.geom::geography, p::geography)) FROM border_segment s
     WHERE s.source = 'bando_2026' AND ST_DWithin(s.geom, p, 0.1)) AS border_m
    FROM ST_SetSRID(ST_Point(:lon, :lat), 4326) AS p"""


def _where(conn, point):
    return conn.execute(text(WHERE), {"lon": point[0], "lat": point[1]}).one()


def _issue(conn, **changes):
    return decisions.issue(conn, OFFICER, decision_from_dict(decision_body(**changes)))


def test_points__are_where_the_test_says(conn):
    china, belt, inland = (_where(conn, p) for p in (IN_CHINA, IN_BELT, INLAND_1900_M))
    assert china.territory == "CHN" and not china.in_belt
    assert belt.territory == "Viet Nam (land)" and belt.in_belt
    assert belt.border_m == pytest.approx(456, abs=5)
    assert inland.territory == "Viet Nam (land)" and not inland.in_belt
    assert inland.border_m == pytest.approx(1903, abs=5)


def test_belt_decision_half_in_china__applies_only_in_the_belt(conn):
    recorded = _issue(conn, area={"kind": "polygon", "geojson": HALF_IN_CHINA})
    number = recorded.file.decision.number
    row = conn.execute(text(
        "SELECT ST_Area(written_geom::geography) AS written, written_area_m2, area_m2, "
        "ST_Area(geom::geography) AS in_force, ST_CoveredBy(geom, ST_Buffer((SELECT "
        "ST_Union(geom) FROM belt_segment WHERE valid_to IS NULL AND province_code = '08')"
        "::geography, 1)::geometry) AS in_belt FROM decision WHERE number = :n"),
        {"n": number}).one()
    box_m2 = conn.execute(text("SELECT ST_Area(ST_SetSRID(ST_GeomFromGeoJSON(:g), 4326)"
                               "::geography)"), {"g": json.dumps(HALF_IN_CHINA)}).scalar_one()
    assert row.written == pytest.approx(box_m2, rel=1e-6)  # kept as written
    assert row.written_area_m2 == pytest.approx(box_m2, rel=1e-6)
    assert row.area_m2 == pytest.approx(row.in_force, rel=1e-6)
    assert row.in_belt and row.area_m2 < 0.25 * box_m2
    file = recorded.file
    assert file.area.written_m2 == pytest.approx(box_m2, rel=1e-6)
    assert any("outside the border belt of province 08 and is not in force" in w
               for w in file.warnings)

    index = index_from(conn, DEFAULT_SPEC, Around(*IN_BELT, DEFAULT_SPEC))
    points = (IN_CHINA, INLAND_1900_M, IN_BELT)
    answers = check_points(index, np.array([p[0] for p in points]),
                           np.array([p[1] for p in points]), T0 + 2 * H)
    hits = [[d["number"] for d in a.decisions] for a in answers]
    # this decision only (other tests of the run record decisions at Lũng Cú too)
    assert [number in h for h in hits] == [False, False, True]
    assert [a.in_border_belt for a in answers] == [False, False, True]
    assert answers[1].border_distance_m == pytest.approx(1903, abs=5)


def test_decision_wholly_outside_its_scope__422_naming_area(conn):
    inland = {"type": "Polygon", "coordinates": [[
        [105.300, 23.330], [105.310, 23.330], [105.310, 23.340], [105.300, 23.340],
        [105.300, 23.330]]]}
    with pytest.raises(InvalidInput) as err:
        _issue(conn, area={"kind": "polygon", "geojson": inland})
    assert err.value.field == "area"
    assert "none of the area as written" in err.value.message
    assert "border belt of province 08" in err.value.message
    assert conn.execute(text("SELECT count(*) FROM decision WHERE area_spec->'geojson' = "
                             "CAST(:g AS jsonb)"), {"g": json.dumps(inland)}).scalar() == 0


def _land_decision(conn):
    """A land-border-area decision by the provincial commander, extended by the committee."""
    dec = _issue(conn, scope="land_border_area", who="commander", hours=12).file.decision
    ext = extension_from_dict(extension_body(T0 + 36 * H, "committee", T0 + 6 * H),
                              dec.number)
    decisions.extend(conn, OFFICER, dec.number, ext)
    return dec, ext


def test_revoke__decision_after_its_extension_was_revoked(conn):
    dec, ext = _land_decision(conn)
    decisions.revoke(conn, OFFICER, dec.number, revocation_from_dict(
        revocation_body(T0 + 20 * H, "committee", revokes=ext.number), dec.number))
    after = decisions.revoke(conn, OFFICER, dec.number, revocation_from_dict(
        revocation_body(T0 + 8 * H, "commander", revokes=dec.number), dec.number))
    file = after.file
    assert [r.revocation.revokes for r in file.revocations] == [ext.number, dec.number]
    assert file.revocation.revocation.revokes == dec.number  # it ends the window earliest
    assert file.window == (T0, T0 + 8 * H)
    with pytest.raises(Conflict) as err:
        decisions.revoke(conn, OFFICER, dec.number, revocation_from_dict(
            revocation_body(T0 + 9 * H, "commander", revokes=dec.number), dec.number))
    assert f"decision {dec.number} was already revoked by " in err.value.message
    assert err.value.field == "revokes"


def test_revoke__extension_after_the_decision_was_revoked(conn):
    dec, ext = _land_decision(conn)
    decisions.revoke(conn, OFFICER, dec.number, revocation_from_dict(
        revocation_body(T0 + 8 * H, "commander", revokes=dec.number), dec.number))
    after = decisions.revoke(conn, OFFICER, dec.number, revocation_from_dict(
        revocation_body(T0 + 20 * H, "committee", revokes=ext.number), dec.number))
    assert after.file.window == (T0, T0 + 8 * H)
    assert any("it changes nothing" in w for w in after.warnings)
    with pytest.raises(Conflict) as err:
        decisions.revoke(conn, OFFICER, dec.number, revocation_from_dict(
            revocation_body(T0 + 21 * H, "committee", revokes=ext.number), dec.number))
    assert f"extension of {dec.number}, {ext.number} was already revoked by" \
        in err.value.message
