"""The point check as one PostGIS query per request: the reference the in-memory index is
measured against (bench/http_load.py) — same layers, no caching, no preparation."""

from __future__ import annotations

from sqlalchemy import and_, exists, func, literal, select
from sqlalchemy.engine import Connection

from geo.store import models as m
from geo.store.zones.derive import PRIMARY_BORDER


def point_check_sql(conn: Connection, lon: float, lat: float) -> dict:
    """Province, commune, land border area, belt and nearest border segment of a point."""
    point = func.ST_SetSRID(func.ST_MakePoint(literal(lon), literal(lat)), 4326)
    prov, com, lbc, belt, seg = (m.province, m.commune, m.land_border_commune,
                                 m.belt_segment, m.border_segment)
    province = (select(prov.c.code, prov.c.name)
                .where(and_(prov.c.valid_to.is_(None), func.ST_Intersects(prov.c.geom, point)))
                .limit(1).subquery())
    commune = (select(com.c.code, com.c.name)
               .where(and_(com.c.valid_to.is_(None), func.ST_Intersects(com.c.geom, point)))
               .order_by(com.c.code).limit(1).subquery())
    in_area = exists().where(and_(
        lbc.c.valid_to.is_(None), lbc.c.commune_code == com.c.code, com.c.valid_to.is_(None),
        func.ST_Intersects(com.c.geom, point)))
    in_belt = exists().where(and_(belt.c.valid_to.is_(None),
                                  func.ST_Intersects(belt.c.geom, point)))
    nearest = (select(seg.c.neighbour_iso3,
                      func.ST_Distance(func.Geography(seg.c.geom), func.Geography(point))
                      .label("distance_m"))
               .where(seg.c.source == PRIMARY_BORDER)
               .order_by(seg.c.geom.op("<->")(point)).limit(1).subquery())
    row = conn.execute(select(
        select(province.c.code).scalar_subquery().label("province_code"),
        select(province.c.name).scalar_subquery().label("province_name"),
        select(commune.c.code).scalar_subquery().label("commune_code"),
        select(commune.c.name).scalar_subquery().label("commune_name"),
        in_area.label("in_land_border_area"), in_belt.label("in_border_belt"),
        select(nearest.c.distance_m).scalar_subquery().label("border_distance_m"),
        select(nearest.c.neighbour_iso3).scalar_subquery().label("nearest_neighbour"),
    )).one()
    return dict(row._mapping)
