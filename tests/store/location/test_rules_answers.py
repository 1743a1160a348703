"""Obligations on real data: a foreign visitor in the border belt at Lũng Cú (Tuyên Quang)."""

from datetime import datetime

import numpy as np
from sqlalchemy import text

from geo.common.timeutil import HANOI
from geo.common.zones import PersonCategory
from geo.location.answers import answer_points
from geo.location.check import check_points

LUNG_CU = "00715"
AT = datetime(2026, 1, 10, 9, 0, tzinfo=HANOI)


def _point_in_lung_cu_belt(engine, index) -> tuple[float, float]:
    """A point the real check puts in Lũng Cú's border belt, sampled inside the commune's
    bounding box as the database holds it."""
    with engine.connect() as conn:
        west, south, east, north = conn.execute(text(
            "SELECT ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom) FROM commune "
            "WHERE code = :c AND valid_to IS NULL"), {"c": LUNG_CU}).one()
    rng = np.random.default_rng(16)
    lon, lat = rng.uniform(west, east, 2000), rng.uniform(south, north, 2000)
    for a in check_points(index, lon, lat, AT):
        if a.commune and a.commune["code"] == LUNG_CU and a.in_border_belt:
            return a.lon, a.lat
    raise AssertionError("no point of Lũng Cú's belt found")


def test_answer__foreign_visitor_in_lung_cu_belt_gets_permit_overnight_then_fine(engine, index):
    lon, lat = _point_in_lung_cu_belt(engine, index)
    body = answer_points(index, [lon], [lat], AT, PersonCategory.FOREIGN_VISITOR, cleared=False)
    [point] = body["points"]
    assert point["commune"]["name"] == "Lũng Cú"
    assert point["zone_kinds"][:2] == ["land_border_area", "border_belt"]
    ids = [o["id"] for o in point["obligations"]]
    permit, overnight, fine = (ids.index(i) for i in (
        "land.foreign_visitor.permit", "land.foreign_visitor.overnight_declared",
        "land.foreigner.fine_without_papers"))
    assert permit == 0 and permit < overnight < fine
    by_id = {o["id"]: o for o in point["obligations"]}
    assert by_id["land.foreigner.fine_without_papers"]["unconfirmed"] is True
    assert "PER-26" in by_id["land.foreigner.fine_without_papers"]["unconfirmed_reason"]
    assert by_id["land.foreign_visitor.overnight_declared"]["form"].startswith("Form 14")
    kinds = [o["kind"] for o in point["obligations"]]
    assert kinds.index("prohibition") > max(i for i, k in enumerate(kinds) if k == "obligation")
    assert "belt.foreign_visitor.border_post_consent" in ids  # the belt rule joins the land ones
