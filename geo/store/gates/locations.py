"""Gate locations as recorded by officers: a point (lon/lat, EPSG:4326), its source
(``survey``, ``officer_report``, ``gazetteer``), its accuracy in metres and a reference
(the survey, report or gazetteer entry). Each record is a new version; the previous one is
closed (``superseded_at``), never deleted; ``gate.location`` holds the current point.
Nothing here makes a location up: a gate without a recorded one has none.
"""

from __future__ import annotations

import math

from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import Point
from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Engine

from geo.common.errors import InvalidInput, NotFound
from geo.common.security import Principal, Role
from geo.common.timeutil import stamp
from geo.store import audit
from geo.store import models as m
from geo.store.db import reading, transaction

SOURCES = ("survey", "officer_report", "gazetteer")
#: A gate lies on the land border: its point within this distance (m) of its province.
PROVINCE_TOLERANCE_M = 2_000.0


def _validate(lon: float, lat: float, source: str, accuracy_m: float, reference: str) -> None:
    if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180
            and -90 <= lat <= 90):
        raise InvalidInput("lon/lat: finite WGS 84 degrees (lon first)", field="lon")
    if source not in SOURCES:
        raise InvalidInput(f"source: one of {', '.join(SOURCES)}", field="source")
    if not (math.isfinite(accuracy_m) and 0 < accuracy_m <= 10_000):
        raise InvalidInput("accuracy_m: metres, more than 0 and at most 10,000",
                           field="accuracy_m")
    if not (reference or "").strip():
        raise InvalidInput("reference: the survey, report or gazetteer entry it comes from",
                           field="reference")


def record(engine: Engine, principal: Principal, gate_id: str, *, lon: float, lat: float,
           source: str, accuracy_m: float, reference: str) -> dict:
    """Record a gate's location (officer of the gate's province, or admin); audited."""
    _validate(lon, lat, source, accuracy_m, reference)
    point = Point(lon, lat)
    with transaction(engine) as conn:
        gate = conn.execute(select(m.gate).where(m.gate.c.id == gate_id)
                            .with_for_update()).first()
        if gate is None:
            raise NotFound(f"gate {gate_id} does not exist", field="gate_id")
        principal.require_province(gate.province_code, Role.OFFICER)
        _near_province(conn, gate.province_code, point)
        t = m.gate_location
        last = conn.execute(select(func.max(t.c.version)).where(t.c.gate_id == gate_id)
                            ).scalar_one() or 0
        conn.execute(update(t).where(t.c.gate_id == gate_id, t.c.superseded_at.is_(None))
                     .values(superseded_at=func.now()))
        values = {"gate_id": gate_id, "version": last + 1, "source": source,
                  "accuracy_m": float(accuracy_m), "reference": reference.strip(),
                  "recorded_by": principal.subject}
        conn.execute(insert(t).values(**values, geom=from_shape(point, srid=4326)))
        conn.execute(update(m.gate).where(m.gate.c.id == gate_id).values(
            location=from_shape(point, srid=4326), location_source=source))
        before = None if gate.location is None else {"location": to_shape(gate.location),
                                                     "source": gate.location_source}
        audit.record(conn, principal, "gate.location", "gate", gate_id, before,
                     {**values, "location": point})
    return {**values, "lon": lon, "lat": lat}


def _near_province(conn, province_code: str | None, point: Point) -> None:
    if province_code is None:
        return
    p = m.province
    geo_point = func.ST_SetSRID(func.ST_MakePoint(point.x, point.y), 4326)
    distance = conn.execute(select(func.ST_Distance(func.Geography(p.c.geom),
                                                    func.Geography(geo_point)))
                            .where(p.c.code == province_code, p.c.valid_to.is_(None))
                            ).scalar()
    if distance is not None and distance > PROVINCE_TOLERANCE_M:
        raise InvalidInput(f"lon/lat: {distance:,.0f} m from the gate's province "
                           f"{province_code}", field="lon")


def history(engine: Engine, gate_id: str) -> list[dict]:
    """Every location recorded for the gate, oldest first."""
    t = m.gate_location
    with reading(engine) as conn:
        rows = conn.execute(select(t).where(t.c.gate_id == gate_id).order_by(t.c.version))
        return [{"version": r.version, "lon": to_shape(r.geom).x, "lat": to_shape(r.geom).y,
                 "source": r.source, "accuracy_m": r.accuracy_m, "reference": r.reference,
                 "recorded_by": r.recorded_by, "recorded_at": stamp(r.recorded_at),
                 "superseded_at": stamp(r.superseded_at)}
                for r in rows]
