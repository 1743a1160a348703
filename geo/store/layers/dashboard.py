"""The dashboard's map layers as GeoJSON features, generalised for drawing at a zoom.

Each table-backed layer is one entry of ``TABLE_LAYERS``: a select whose columns are the
feature properties, plus ``fid`` and ``geom`` (GeoJSON text); the bbox,
instant and ``as_known_at`` filters and the generalisation are shared. Decisions go through
``geo.store.decisions`` (their validity depends on extensions and revocations).

Geometry in and out is EPSG:4326 (lon, lat), coordinates to 6 decimals (~0.1 m). Sensitive
zones are answered with their public footprint, name and id withheld, to uncleared callers.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import shapely
from shapely.geometry import mapping, shape
from sqlalchemy import and_, case, func, literal, or_, select, true
from sqlalchemy.engine import Connection

from geo.common.zones import Sensitivity, ZoneKind
from geo.decisions.codec import file_to_dict
from geo.decisions.query import DecisionQuery
from geo.layers.dashboard import ViewQuery, layer_info
from geo.store import models as m
from geo.store.decisions import repository as decision_store
from geo.store.zones.derive import PRIMARY_BORDER

COORD_DECIMALS = 6


def _valid(table, view: ViewQuery, kind: str):
    """Valid at the view's instant (``kind`` "instant") or on its Hanoi day ("date");
    start inclusive, end exclusive, open ends allowed."""
    start, end = table.c.valid_from, table.c.valid_to
    moment = view.day if kind == "date" else view.at
    return and_(or_(start.is_(None), start <= moment), or_(end.is_(None), end > moment))


def _known(table, view: ViewQuery):
    """Rows recorded by ``as_known_at`` (transaction time), when it is given."""
    return true() if view.as_known_at is None else table.c.recorded_at <= view.as_known_at


def _in_view(geom, view: ViewQuery):
    if view.bbox is None:
        return true()
    b = view.bbox
    return geom.op("&&")(func.ST_MakeEnvelope(b.west, b.south, b.east, b.north, 4326))


def _drawn(geom, view: ViewQuery):
    """The geometry as GeoJSON text, generalised to half a pixel at the view's zoom."""
    simple = func.ST_SimplifyPreserveTopology(geom, literal(view.tolerance_deg))
    return func.ST_AsGeoJSON(simple, COORD_DECIMALS)


# --------------------------------------------------------------------------- layers
def _border(view: ViewQuery):
    t = m.border_segment
    return (select(t.c.id.label("fid"), t.c.neighbour_iso3, t.c.length_m,
                   _drawn(t.c.geom, view).label("geom"))
            .where(t.c.source == PRIMARY_BORDER, _in_view(t.c.geom, view)))


def _communes(view: ViewQuery):
    lbc, c = m.land_border_commune, m.commune
    return (select(c.c.code.label("fid"), c.c.code, c.c.name, c.c.province_code,
                   lbc.c.neighbours, lbc.c.border_len_m, lbc.c.basis,
                   _drawn(c.c.geom, view).label("geom"))
            .join_from(lbc, c, c.c.code == lbc.c.commune_code)
            .where(_valid(lbc, view, "date"), _valid(c, view, "date"),
                   _known(lbc, view), _in_view(c.c.geom, view)))


def _belt(view: ViewQuery):
    t = m.belt_segment
    return (select(t.c.id.label("fid"), t.c.commune_code, t.c.province_code, t.c.depth_m,
                   t.c.is_default, t.c.instrument, t.c.issuer,
                   _drawn(t.c.geom, view).label("geom"))
            .where(_valid(t, view, "date"), _known(t, view), _in_view(t.c.geom, view)))


def _sea(view: ViewQuery):
    t = m.sea_area
    return (select(t.c.id.label("fid"), t.c.part, t.c.commune_code, t.c.method,
                   _drawn(t.c.geom, view).label("geom"))
            .where(_in_view(t.c.geom, view)))


def _zones(kinds: tuple[ZoneKind, ...]):
    def build(view: ViewQuery):
        t = m.zone
        hidden = and_(literal(not view.cleared), t.c.sensitivity != Sensitivity.PUBLIC.value)
        geom = case((hidden, t.c.footprint), else_=t.c.geom)
        conds = [t.c.kind.in_([k.value for k in kinds]), _valid(t, view, "instant"),
                 _in_view(geom, view)]
        conds.append(_known(t, view))
        return (select(case((hidden, None), else_=t.c.id).label("fid"), t.c.kind,
                       case((hidden, None), else_=t.c.name).label("name"),
                       t.c.legal_basis, t.c.sensitivity, t.c.province_code,
                       hidden.label("footprint"), _drawn(geom, view).label("geom"))
                .where(*conds))
    return build


def _gates(view: ViewQuery):
    t = m.gate
    return (select(t.c.id.label("fid"), t.c.name, t.c.gate_type, t.c.neighbour_iso3,
                   t.c.province_code, func.ST_AsGeoJSON(t.c.location, COORD_DECIMALS)
                   .label("geom"))
            .where(t.c.location.is_not(None), _in_view(t.c.location, view)))


def _checkpoints(view: ViewQuery):
    a, g = m.checkpoint_area, m.gate
    return (select(a.c.id.label("fid"), a.c.gate_id, g.c.name.label("gate_name"),
                   g.c.gate_type, a.c.version, a.c.area_m2, _drawn(a.c.geom, view).label("geom"))
            .join_from(a, g, g.c.id == a.c.gate_id)
            .where(a.c.status == "approved", _valid(a, view, "instant"),
                   _in_view(a.c.geom, view)))


TABLE_LAYERS: dict[str, Callable[[ViewQuery], object]] = {
    "land_border": _border,
    "land_border_communes": _communes,
    "belt": _belt,
    "sea_border_area": _sea,
    "prohibited_zones": _zones((ZoneKind.PROHIBITED_ZONE_LAND, ZoneKind.PROHIBITED_ZONE_SEA)),
    "sea_zones": _zones((ZoneKind.RESTRICTED_AREA_SEA,
                         ZoneKind.TEMPORARY_ZONE_TERRITORIAL_SEA)),
    "gates": _gates,
    "checkpoint_areas": _checkpoints,
}


def _feature(row) -> dict:
    props = dict(row._mapping)
    fid, geom = props.pop("fid"), props.pop("geom")
    return {"type": "Feature", "id": fid, "geometry": json.loads(geom) if geom else None,
            "properties": props}


# --------------------------------------------------------------------------- decisions
def _decision_feature(file, view: ViewQuery) -> dict:
    out = file_to_dict(file, view.at, internal=False)
    geom = shapely.simplify(shape(out.pop("geometry")), view.tolerance_deg,
                            preserve_topology=True)
    geom = shapely.set_precision(geom, 10 ** -COORD_DECIMALS)
    keep = ("number", "kind", "scope", "activities", "effective_from", "effective_to",
            "status", "issuer", "province_code", "gate_id", "area_text", "reason_code")
    return {"type": "Feature", "id": out["number"], "geometry": mapping(geom),
            "properties": {k: out.get(k) for k in keep}}


def _decisions(conn: Connection, view: ViewQuery) -> list[dict]:
    query = DecisionQuery(active_at=view.at, as_known_at=view.as_known_at, bbox=view.bbox,
                          limit=min(view.limit, 5000))
    files = decision_store.list_decisions(conn, query)
    return [_decision_feature(f, view) for f in files]


def features(conn: Connection, layer_id: str, view: ViewQuery) -> list[dict]:
    """The features of layer ``layer_id`` in ``view`` (GeoJSON dicts, lon/lat)."""
    layer_info(layer_id)  # refuses an unknown id with the list of known ones
    if layer_id == "decisions":
        return _decisions(conn, view)
    stmt = TABLE_LAYERS[layer_id](view).limit(view.limit)
    return [_feature(row) for row in conn.execute(stmt)]
