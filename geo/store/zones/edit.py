"""Writing prohibited and restricted zones: every write keeps the zone's public footprint
beside its exact geometry, and is audited in the same transaction.

The footprint (``geo.location.footprint``) is made here, once, when a zone is added or its geometry
or sensitivity changes; uncleared callers are answered against it. Geometry is lon/lat
(EPSG:4326).
"""

from __future__ import annotations

import re
from datetime import datetime

import shapely
from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import MultiPolygon, Polygon
from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from geo.common.errors import InvalidInput, NotFound
from geo.common.security import Principal
from geo.common.timeutil import check_window
from geo.common.zones import SPECIAL_ZONE_KINDS, Sensitivity
from geo.location.footprint import DEFAULT_SPEC, FootprintSpec, footprint, is_sensitive
from geo.store import audit
from geo.store import models as m

_PROVINCE_RE = re.compile(r"^[0-9]{2}$")


def _multipolygon(geom) -> MultiPolygon:
    """A valid, non-empty lon/lat (Multi)Polygon as a MultiPolygon; else InvalidInput."""
    if isinstance(geom, Polygon):
        geom = MultiPolygon([geom])
    if not isinstance(geom, MultiPolygon) or geom.is_empty:
        raise InvalidInput("geometry: a zone is a non-empty Polygon or MultiPolygon",
                           field="geometry")
    if not geom.is_valid:
        raise InvalidInput(f"geometry: invalid polygon ({shapely.is_valid_reason(geom)})",
                           field="geometry")
    west, south, east, north = geom.bounds
    if not (west >= -180 and east <= 180 and south >= -90 and north <= 90):
        raise InvalidInput("geometry: lon/lat out of range (GeoJSON order is lon, lat)",
                           field="geometry")
    return geom


def _check(kind: str, sensitivity: str, province_code: str | None, texts: dict) -> None:
    if kind not in {k.value for k in SPECIAL_ZONE_KINDS}:
        valid = ", ".join(k.value for k in SPECIAL_ZONE_KINDS)
        raise InvalidInput(f"kind: {kind!r} is not a zone kind; one of {valid}", field="kind")
    if sensitivity not in {s.value for s in Sensitivity}:
        raise InvalidInput(f"sensitivity: {sensitivity!r}; one of public, restricted, secret",
                           field="sensitivity")
    if province_code is not None and not _PROVINCE_RE.match(province_code):
        raise InvalidInput("province_code: two digits (e.g. 20 for Lạng Sơn)",
                           field="province_code")
    for name, value in texts.items():
        if not (value or "").strip():
            raise InvalidInput(f"{name}: must not be empty", field=name)


def _footprint_of(geom: MultiPolygon, sensitivity: str, spec: FootprintSpec):
    return from_shape(footprint(geom, spec), srid=4326) if is_sensitive(sensitivity) else None


def add_zone(conn: Connection, principal: Principal, *, kind: str, name: str,
             authority: str, legal_basis: str, sensitivity: str, geom,
             valid_from: datetime, valid_to: datetime | None = None,
             province_code: str | None = None, spec: FootprintSpec = DEFAULT_SPEC) -> int:
    """Store a zone (lon/lat geometry, aware validity instants) with its footprint when it
    is sensitive; audited as ``zone.add``. Returns the zone's id."""
    _check(kind, sensitivity, province_code, {"name": name, "authority": authority,
                                              "legal_basis": legal_basis})
    if valid_to is not None:
        check_window(valid_from, valid_to)
    shape = _multipolygon(geom)
    values = {"kind": kind, "name": name.strip(), "authority": authority.strip(),
              "legal_basis": legal_basis.strip(), "sensitivity": sensitivity,
              "province_code": province_code, "valid_from": valid_from,
              "valid_to": valid_to}
    zone_id = conn.execute(insert(m.zone).values(
        **values, geom=from_shape(shape, srid=4326),
        footprint=_footprint_of(shape, sensitivity, spec)).returning(m.zone.c.id)).scalar_one()
    audit.record(conn, principal, "zone.add", "zone", zone_id, None,
                 {**values, "geometry": shape})
    return int(zone_id)


def update_zone(conn: Connection, principal: Principal, zone_id: int, *, geom=None,
                sensitivity: str | None = None, valid_to: datetime | None = None,
                spec: FootprintSpec = DEFAULT_SPEC) -> None:
    """Change a zone's geometry, sensitivity or end; its footprint is made again (or
    cleared, for a public zone) in the same statement. Audited as ``zone.update``."""
    t = m.zone
    row = conn.execute(select(t).where(t.c.id == zone_id).with_for_update()).one_or_none()
    if row is None:
        raise NotFound(f"zone {zone_id} does not exist", field="zone_id")
    shape = _multipolygon(geom) if geom is not None else to_shape(row.geom)
    level = sensitivity or row.sensitivity
    _check(row.kind, level, row.province_code, {})
    if valid_to is not None:
        check_window(row.valid_from, valid_to)
    changes = {"sensitivity": level, "valid_to": valid_to or row.valid_to}
    conn.execute(update(t).where(t.c.id == zone_id).values(
        **changes, geom=from_shape(shape, srid=4326),
        footprint=_footprint_of(shape, level, spec)))
    audit.record(conn, principal, "zone.update", "zone", zone_id,
                 {"sensitivity": row.sensitivity, "valid_to": row.valid_to,
                  "geometry": to_shape(row.geom)}, {**changes, "geometry": shape})
