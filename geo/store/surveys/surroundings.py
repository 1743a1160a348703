"""What a survey is validated against, read from the loaded data (lon/lat, EPSG:4326):
the gate and its recorded location, Viet Nam's land and the land border line clipped to
the gate's province (with a margin), the commune holding the gate's location and its
neighbours, and the communes a sketch lies in."""

from __future__ import annotations

import re

from geoalchemy2.shape import from_shape, to_shape
from sqlalchemy import and_, func, select, true
from sqlalchemy.engine import Connection

from geo.common.errors import InvalidInput, NotFound
from geo.store import models as m
from geo.store.zones.derive import PRIMARY_BORDER
from geo.surveys.context import CommuneShare, Gate, Surroundings

MARGIN_DEG = 0.05  # around the province's box (~5 km)
AROUND_GATE_DEG = 0.15  # around a gate's recorded location (~16 km)
NEIGHBOUR_DEG = 0.001  # communes within ~100 m of the gate's commune are its neighbours


_GATE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def gate(conn: Connection, gate_id: str, *, lock: bool = False) -> Gate:
    if not _GATE_ID.match(gate_id or ""):
        raise NotFound(f"gate_id: no gate {gate_id[:64]!r} in the gate list (ids look like "
                       "VN-GATE-005)", field="gate_id")
    g, loc = m.gate, m.gate_location
    current = (select(loc.c.accuracy_m, loc.c.reference)
               .where(loc.c.gate_id == g.c.id, loc.c.superseded_at.is_(None))
               .limit(1).lateral())
    stmt = (select(g.c.id, g.c.name, g.c.gate_type, g.c.province_code, g.c.neighbour_iso3,
                   g.c.location, current.c.accuracy_m, current.c.reference)
            .outerjoin(current, true()).where(g.c.id == gate_id))
    if lock:
        stmt = stmt.with_for_update(of=g)
    row = conn.execute(stmt).first()
    if row is None:
        raise NotFound(f"gate_id: no gate {gate_id!r} in the gate list", field="gate_id")
    return Gate(row.id, row.name, row.gate_type, row.province_code, row.neighbour_iso3,
                to_shape(row.location) if row.location is not None else None,
                row.accuracy_m, row.reference)


def _box(conn: Connection, province_code: str, location):
    """Around the gate's location when it is known (``AROUND_GATE_DEG``), else around its
    province (``MARGIN_DEG``)."""
    if location is not None:
        return conn.execute(select(func.ST_Expand(from_shape(location, srid=4326),
                                                  AROUND_GATE_DEG))).scalar()
    p = m.province
    box = conn.execute(select(func.ST_Expand(func.ST_Envelope(p.c.geom), MARGIN_DEG))
                       .where(p.c.code == province_code, p.c.valid_to.is_(None))).scalar()
    if box is None:
        raise InvalidInput(f"gate_id: the gate's province {province_code} is not loaded",
                           field="gate_id")
    return box


def _clipped(conn: Connection, table, box, *where, kind: int = 2):
    """The rows' geometries clipped to ``box``, collected (no union: the pieces of one
    polygon or line set do not overlap) as one multi geometry of ``kind`` (2 lines,
    3 polygons)."""
    clip = func.ST_ClipByBox2D(table.c.geom, func.Box2D(box))
    geom = conn.execute(select(func.ST_CollectionExtract(func.ST_Collect(clip), kind)).where(
        func.ST_Intersects(table.c.geom, box), *where)).scalar()
    return to_shape(geom) if geom is not None else None


def _current_communes():
    """Current communes (each code is loaded once: exact along the border, simplified
    inland)."""
    c = m.commune
    return (select(c.c.code, c.c.name, c.c.province_code, c.c.geom)
            .where(c.c.valid_to.is_(None)).subquery())


def _home(conn: Connection, point) -> tuple[tuple[str, str] | None, object, tuple]:
    c = _current_communes()
    spot = from_shape(point, srid=4326)
    home = conn.execute(select(c.c.code, c.c.name, c.c.geom)
                        .where(func.ST_Intersects(c.c.geom, spot)).limit(1)).first()
    if home is None:
        return None, None, ()
    rows = conn.execute(select(c.c.code, c.c.name).where(
        func.ST_DWithin(c.c.geom, home.geom, NEIGHBOUR_DEG)).order_by(c.c.code)).all()
    union = conn.execute(select(func.ST_Union(c.c.geom)).where(
        func.ST_DWithin(c.c.geom, home.geom, NEIGHBOUR_DEG))).scalar()
    return (home.code, home.name), to_shape(union), tuple(f"{r.name} ({r.code})" for r in rows)


def surroundings(conn: Connection, gate_id: str) -> Surroundings:
    g = gate(conn, gate_id)
    if g.province_code is None:
        raise InvalidInput(f"gate_id: gate {gate_id} has no province", field="gate_id")
    box = _box(conn, g.province_code, g.location)
    land = _clipped(conn, m.territory, box, m.territory.c.source == "land_polygon", kind=3)
    if land is None:
        raise InvalidInput("the land polygon is not loaded (borderzone data load)",
                           field="gate_id")
    border = _clipped(conn, m.border_segment, box,
                      m.border_segment.c.source == PRIMARY_BORDER)
    home, allowed, names = _home(conn, g.location) if g.location is not None \
        else (None, None, ())
    return Surroundings(g, land, border, home, allowed, names)


def commune_shares(conn: Connection, sketch) -> list[CommuneShare]:
    """The communes the sketch (lon/lat) lies in, with the sketch's area in each (m²)."""
    c = _current_communes()
    geom = from_shape(sketch, srid=4326)
    area = func.ST_Area(func.geography(func.ST_Intersection(c.c.geom, geom)))
    rows = conn.execute(select(c.c.code, c.c.name, c.c.province_code, area.label("m2"))
                        .where(and_(func.ST_Intersects(c.c.geom, geom)))).all()
    shares = [CommuneShare(r.code, r.name, r.province_code, float(r.m2)) for r in rows
              if r.m2 and r.m2 > 1.0]
    return sorted(shares, key=lambda s: -s.area_m2)


def border_near(conn: Connection, geom, margin_deg: float = 0.02):
    """The land border line within ``margin_deg`` of a lon/lat geometry's box (or None)."""
    box = func.ST_Expand(func.ST_Envelope(from_shape(geom, srid=4326)), margin_deg)
    return _clipped(conn, m.border_segment, box, m.border_segment.c.source == PRIMARY_BORDER)
