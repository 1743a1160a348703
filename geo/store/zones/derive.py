"""Derived layers, rebuilt from what the database holds: land border communes, default belt.

The land border commune list and the belt keep history: entries that stop being derived are
closed (``valid_to``), never deleted; a belt set by an instrument is never touched here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import shapely
from geoalchemy2.shape import from_shape, to_shape
from sqlalchemy import and_, insert, select, update
from sqlalchemy.engine import Connection

from geo.common.errors import InvalidInput, NotFound
from geo.common.security import Principal
from geo.location import border
from geo.store import audit
from geo.store import models as m

PRIMARY_BORDER = "bando_2026"
DERIVED_BASIS = "derived_geometry"
DERIVED_INSTRUMENT = ("Derived from geometry: the commune's boundary shares >= 50 m with the "
                      "land border line (not the legal list of Decree 34/2014 as amended by "
                      "Decree 299/2025, whose Appendix was not available)")


def border_lines(conn: Connection, source: str = PRIMARY_BORDER) -> dict[str, object]:
    """The land border line per neighbour (ISO3 -> MultiLineString, lon/lat)."""
    rows = conn.execute(select(m.border_segment.c.neighbour_iso3, m.border_segment.c.geom)
                        .where(m.border_segment.c.source == source)
                        .order_by(m.border_segment.c.neighbour_iso3, m.border_segment.c.seq))
    parts: dict[str, list] = {}
    for iso, geom in rows:
        parts.setdefault(iso, []).append(to_shape(geom))
    return {iso: shapely.line_merge(shapely.MultiLineString(lines))
            for iso, lines in parts.items()}


def exact_communes(conn: Connection) -> dict[str, tuple[str, object]]:
    rows = conn.execute(select(m.commune.c.code, m.commune.c.province_code, m.commune.c.geom)
                        .where(and_(m.commune.c.valid_to.is_(None),
                                    m.commune.c.precision == "exact")))
    return {code: (prov, to_shape(geom)) for code, prov, geom in rows}


def _start(conn: Connection, table, today: date, first: date) -> date:
    has_rows = conn.execute(select(table.c.id).limit(1)).first() is not None
    return today if has_rows else first


def sync_border_communes(conn: Connection, found: list[border.SharedBoundary], today: date,
                         first: date) -> dict:
    table = m.land_border_commune
    current = {r.commune_code: tuple(r.neighbours) for r in conn.execute(
        select(table.c.commune_code, table.c.neighbours).where(and_(
            table.c.valid_to.is_(None), table.c.basis == DERIVED_BASIS)))}
    start = _start(conn, table, today, first)
    new = {f.code: f for f in found}
    closing = [c for c, n in current.items() if c not in new or new[c].neighbours != n]
    if closing:
        conn.execute(update(table).where(and_(table.c.commune_code.in_(closing),
                                              table.c.valid_to.is_(None),
                                              table.c.basis == DERIVED_BASIS))
                     .values(valid_to=today))
    rows = [{"commune_code": f.code, "neighbours": list(f.neighbours),
             "border_len_m": f.border_len_m, "basis": DERIVED_BASIS,
             "instrument": DERIVED_INSTRUMENT, "valid_from": start}
            for f in found if f.code in closing or f.code not in current]
    if rows:
        conn.execute(insert(table), rows)
    return {"derived": len(found), "inserted": len(rows), "closed": len(closing)}


def belt_rows(belt_geom, communes: dict[str, tuple[str, object]], provinces: dict[str, object],
              depth_m: float) -> list[dict]:
    """Split a belt into one row per border commune, plus the parts beyond those communes
    assigned to the province they fall in."""
    rows = []
    shapely.prepare(belt_geom)
    for code, (prov, geom) in sorted(communes.items()):
        piece = border.as_multipolygon(shapely.intersection(belt_geom, geom))
        if piece is not None:
            rows.append({"province_code": prov, "commune_code": code, "geom": piece})
    rest = shapely.difference(belt_geom, shapely.union_all([g for _, g in communes.values()]))
    for prov, geom in sorted(provinces.items()):
        piece = border.as_multipolygon(shapely.intersection(rest, geom))
        if piece is not None and piece.area > 1e-9:
            rows.append({"province_code": prov, "commune_code": None, "geom": piece})
    for row in rows:
        row.update(depth_m=depth_m, is_default=True, instrument=border.DEFAULT_BELT_INSTRUMENT)
    return rows


def rebuild(conn: Connection, *, today: date, log: Callable[[str], None] = print,
            first: date = date(2025, 7, 1)) -> dict:
    """Recompute the land border commune list and the default 1,000 m belt."""
    lines = border_lines(conn)
    communes = exact_communes(conn)
    found = border.shared_boundaries({c: g for c, (_, g) in communes.items()}, lines,
                                     tolerance_m=2.0)
    result = {"land_border_communes": sync_border_communes(conn, found, today, first)}
    log(f"    {len(found)} land border communes derived; computing the belt ...")
    line = shapely.union_all(list(lines.values()))
    land = to_shape(conn.execute(select(m.territory.c.geom).where(
        m.territory.c.source == "land_polygon")).scalar_one())
    territory = border.territory_near_border([g for _, g in communes.values()], land, line)
    belt_geom = border.belt(line, territory, border.DEFAULT_BELT_DEPTH_M)
    provinces = {r.code: to_shape(r.geom) for r in conn.execute(
        select(m.province.c.code, m.province.c.geom).where(m.province.c.valid_to.is_(None)))}
    rows = belt_rows(belt_geom, communes, provinces, border.DEFAULT_BELT_DEPTH_M)
    start = _start(conn, m.belt_segment, today, first)
    closed = conn.execute(update(m.belt_segment).where(and_(
        m.belt_segment.c.is_default.is_(True), m.belt_segment.c.valid_to.is_(None)))
        .values(valid_to=today)).rowcount
    conn.execute(insert(m.belt_segment), [
        {**r, "geom": from_shape(r["geom"], srid=4326), "valid_from": start} for r in rows])
    result["belt"] = {"segments": len(rows), "closed": closed,
                      "depth_m": border.DEFAULT_BELT_DEPTH_M}
    return result


def set_belt_depth(conn: Connection, commune_code: str, depth_m: float, instrument: str,
                   valid_from: date, *, issuer: str | border.BeltIssuer,
                   principal: Principal) -> dict:
    """Record an instrument's belt depth for one border commune: the belt there becomes
    the land of the commune within ``depth_m`` geodesic metres of the border line. The
    instrument's row replaces the default strip from ``valid_from``; an earlier
    instrument's row for the commune is closed, never deleted. ``issuer`` (a
    :class:`geo.location.border.BeltIssuer`) decides which depths are lawful (GEO-BELT-06).
    Audited as ``belt.set_depth`` for ``principal``, with the rows it closed as ``before``."""
    who = border.check_depth(depth_m, instrument, issuer)
    communes = exact_communes(conn)
    if commune_code not in communes:
        raise NotFound(f"commune {commune_code!r} is not a current border commune with exact "
                       "geometry", field="commune_code")
    province_code, geom = communes[commune_code]
    lines = border_lines(conn)
    reach = shapely.box(*geom.bounds).buffer(0.02 + depth_m / 90_000)
    near = shapely.union_all([shapely.intersection(line, reach) for line in lines.values()])
    strip = border.geodesic_buffer(border.lines_of(shapely.line_merge(near)), depth_m)
    piece = border.as_multipolygon(shapely.intersection(strip, geom))
    if piece is None:
        raise InvalidInput(f"commune {commune_code}: no land within {depth_m} m of the border",
                           field="commune_code")
    t = m.belt_segment
    current = and_(t.c.commune_code == commune_code, t.c.is_default.is_(False),
                   t.c.valid_to.is_(None))
    before = [dict(r._mapping) for r in conn.execute(
        select(t.c.id, t.c.depth_m, t.c.instrument, t.c.issuer, t.c.valid_from).where(current))]
    closed = conn.execute(update(t).where(current).values(valid_to=valid_from)).rowcount
    new_id = conn.execute(insert(t).values(
        province_code=province_code, commune_code=commune_code, depth_m=depth_m,
        is_default=False, instrument=instrument, issuer=who.value, valid_from=valid_from,
        geom=from_shape(piece, srid=4326)).returning(t.c.id)).scalar_one()
    result = {"id": new_id, "commune_code": commune_code, "depth_m": depth_m,
              "issuer": who.value, "instrument": instrument, "closed_previous": closed,
              "valid_from": valid_from.isoformat()}
    audit.record(conn, principal, "belt.set_depth", "belt_segment", new_id,
                 {"closed": before} if before else None, result)
    return result
