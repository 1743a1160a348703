"""A decision's area must lie within its issuer's provinces (issue 8, finding 4).

Real boundaries: Lạng Sơn (20) meets Cao Bằng (04) and Thái Nguyên (19) at about
(106.1843, 22.3871). The box west of that point lies 35 % in 04, 56 % in 19, 8 % in 20.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from geo.common.security import Principal, Role
from geo.store.decisions.areas import EDGE_TOLERANCE_M
from tests.api.decisions import decision_support
from tests.api.decisions.decision_support import auth, decision_body

client = decision_support.client  # fixture
tx_client = decision_support.tx_client  # fixture

OFFICER_20 = Principal(subject="officer-20-scope-test", roles=frozenset({Role.OFFICER}),
                       provinces=frozenset({"20"}))
ADMIN = Principal(subject="admin-scope-test", roles=frozenset({Role.ADMIN}))
TRIPOINT_BOX = [[106.12, 22.35], [106.20, 22.35], [106.20, 22.42], [106.12, 22.42],
                [106.12, 22.35]]
#: In Đồng Đăng, a land border commune of Lạng Sơn (decisions apply only in their scope).
DONG_DANG_BOX = [[106.705, 21.94], [106.72, 21.94], [106.72, 21.955], [106.705, 21.955],
                 [106.705, 21.94]]
#: A stretch of the 20/04 edge where Lạng Sơn's side is land border communes.
EDGE_BOX = "ST_MakeEnvelope(106.46, 22.36, 106.55, 22.42, 4326)"


def _body(geojson: dict) -> dict:
    return decision_body("land_border_area", "commander", 6, province_code="20",
                         area={"kind": "polygon", "geojson": geojson})


def _polygon(ring) -> dict:
    return {"type": "Polygon", "coordinates": [ring]}


def _grown_20(conn, margin_m: float) -> dict:
    """Lạng Sơn's part of ``EDGE_BOX``, grown by ``margin_m`` metres over the edge into 04."""
    return json.loads(conn.execute(text(
        f"SELECT ST_AsGeoJSON(ST_Intersection(ST_Buffer(geom::geography, :m)::geometry, "
        f"{EDGE_BOX}), 7) FROM province WHERE code = '20' AND valid_to IS NULL"),
        {"m": margin_m}).scalar_one())


def test_scope__area_mostly_in_04_and_19_is_403_naming_them(tx_client, conn):
    body = _body(_polygon(TRIPOINT_BOX))
    answer = tx_client.post("/v1/decisions", json=body, headers=auth(tx_client, OFFICER_20))
    assert answer.status_code == 403, answer.text
    refusal = answer.json()
    assert refusal["error"] == "forbidden"
    assert refusal["field"] == "area" and refusal["provinces"] == ["04", "19"]
    assert "04 (" in refusal["message"] and "19 (" in refusal["message"]
    # 35 % and 56 % of a ~7.3e7 m² box: tens of km² each, not slivers
    assert refusal["outside_m2"]["04"] > 20e6 and refusal["outside_m2"]["19"] > 30e6
    assert conn.execute(text("SELECT count(*) FROM decision WHERE number = :n"),
                        {"n": body["number"]}).scalar_one() == 0  # nothing written


def test_scope__area_wholly_in_20_is_issued(tx_client):
    answer = tx_client.post("/v1/decisions", json=_body(_polygon(DONG_DANG_BOX)),
                            headers=auth(tx_client, OFFICER_20))
    assert answer.status_code == 201, answer.text


def test_scope__sliver_over_a_shared_edge_is_tolerated(tx_client, conn):
    assert EDGE_TOLERANCE_M == 50.0
    within = tx_client.post("/v1/decisions", json=_body(_grown_20(conn, 30)),
                            headers=auth(tx_client, OFFICER_20))
    assert within.status_code == 201, within.text
    beyond = tx_client.post("/v1/decisions", json=_body(_grown_20(conn, 300)),
                            headers=auth(tx_client, OFFICER_20))
    assert beyond.status_code == 403, beyond.text
    assert beyond.json()["provinces"] == ["04"]


def test_scope__admin_acts_nationwide(tx_client):
    """No 403 for the admin; but Lạng Sơn's 8 % of the box is inland, outside its land
    border communes, so nothing would be in force: 422 naming ``area``."""
    answer = tx_client.post("/v1/decisions", json=_body(_polygon(TRIPOINT_BOX)),
                            headers=auth(tx_client, ADMIN))
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == "area"
    assert "land border area communes of province 20" in answer.json()["message"]


@pytest.mark.parametrize("provinces", [{"20", "04", "19"}])
def test_scope__officer_granted_all_three_may_issue_it(tx_client, provinces):
    wide = Principal(subject="officer-3p-scope-test", roles=frozenset({Role.OFFICER}),
                     provinces=frozenset(provinces))
    answer = tx_client.post("/v1/decisions", json=_body(_polygon(TRIPOINT_BOX)),
                            headers=auth(tx_client, wide))
    assert answer.status_code == 422, answer.text  # allowed, but nothing in force (above)
    assert answer.json()["field"] == "area"
