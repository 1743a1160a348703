"""Resolving a decision's area (``AreaSpec``) to geometry, in PostGIS.

* polygon — as given (EPSG:4326, lon/lat), checked near Vietnam and inside the decision's
  province;
* communes — the union of the communes' current geometries (all in the decision's province);
* belt within communes — the current border belt ∩ those communes (an instrument's belt
  segment replaces the default 1,000 m strip of its commune);
* gate — the gate's approved checkpoint area; refused (422) when there is none: the gate list
  carries no coordinates, so nothing else can stand for the gate.

The area so resolved is the area **as written**. The area **in force** is that area clipped,
in the same transaction, to Vietnam and to the decision's scope within its province: a belt
decision to the border belt in force, a land-border-area decision to the land border
communes, a gate decision to its province (its checkpoint area is already the gate's area).
Both zones lie in Vietnam by construction (communes and belt segments of Vietnamese
provinces), so that clip is also the clip to Vietnam. A result of less than
``MIN_IN_FORCE_M2`` (geodesic) is empty: 422 naming ``area``. The part left out is reported as
a warning, its share measured geodesically.

Every result is a valid MultiPolygon, SRID 4326, with its geodesic area (m²) and the wording
the forms use. SQL is built from geoalchemy2 / SQLAlchemy expressions only.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import and_, exists, func, literal, or_, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from geo.common.errors import InvalidInput
from geo.common.timeutil import now
from geo.decisions.area import check_near_vietnam, communes_text, coordinates_text
from geo.decisions.history import ResolvedArea
from geo.decisions.model import AreaKind, Decision, Scope
from geo.store import models as m

AREA_FIELD = "area"
#: How far (metres) an area may stray past its issuer's provinces before it counts as
#: reaching another province: the part outside is shrunk by this much first, so slivers
#: along a shared province edge (the data's imprecision: boundaries drawn from different
#: surveys differ by a few to a few tens of metres) never count, while any part reaching
#: more than this beyond the edge, over more than twice its width, does.
EDGE_TOLERANCE_M = 50.0
#: Below this geodesic area (m²) the area in force counts as empty: a sliver along the
#: scope's edge is no area a restriction can apply to.
MIN_IN_FORCE_M2 = 1.0
#: Share of the written area left out of force below which no warning is given.
REPORTED_SHARE = 0.001


@dataclass(frozen=True)
class Resolution:
    """A resolved area: ``area``/``geom`` in force, ``written_*`` as written (geom as stored,
    a geoalchemy2 WKB element; areas geodesic m²)."""

    area: ResolvedArea
    geom: object
    written_geom: object = None
    written_geojson: dict | None = None
    written_m2: float | None = None
    nothing_in_force: str | None = None  # why the area in force is empty, if it is

    def require_in_force(self) -> None:
        """422 naming ``area`` when nothing of the written area is in force. Called after
        the caller's authority over the written area is checked (403 comes first)."""
        if self.nothing_in_force:
            raise InvalidInput(self.nothing_in_force, field=AREA_FIELD)


def _polygons(expr: ColumnElement) -> ColumnElement:
    """Valid MultiPolygon part of ``expr`` (lines and points of an intersection dropped)."""
    return func.ST_Multi(func.ST_CollectionExtract(func.ST_MakeValid(expr), 3))


def _scope_words(decision: Decision) -> str:
    return {Scope.BORDER_BELT: "the border belt",
            Scope.LAND_BORDER_AREA: "the land border area communes",
            Scope.GATE: "the gate's province"}[decision.scope] + \
        f" of province {decision.province_code}"


def _clip_zone(decision: Decision) -> ColumnElement:
    """Where a decision of this scope and province may apply (EPSG:4326, in Vietnam)."""
    if decision.scope is Scope.GATE:
        return _province_geom(decision.province_code)
    return _scope_zone(decision.scope, decision.province_code)


def _finish(conn: Connection, decision: Decision, written: ColumnElement, text: str,
            warnings: Sequence[str] = (), in_force: ColumnElement | None = None,
            *, within_scope: bool = False) -> Resolution:
    """The written area and the area in force, in one statement. ``in_force`` defaults to
    the written area ∩ the scope's zone (``_clip_zone``); callers pass it when they know it
    exactly (whole border communes), or ``within_scope`` when the written area is (the belt
    within communes)."""
    geom = _polygons(written).label("written")
    base = select(geom).cte("written_area")
    if within_scope:
        in_force = base.c.written
    elif in_force is None:
        in_force = func.ST_Intersection(base.c.written, _clip_zone(decision))
    in_force = _polygons(in_force)
    row = conn.execute(select(
        base.c.written, func.ST_Area(func.geography(base.c.written)).label("written_m2"),
        func.ST_AsGeoJSON(base.c.written, 7).label("written_geojson"),
        in_force.label("geom"), func.ST_AsGeoJSON(in_force, 7).label("geojson"),
        func.ST_Area(func.geography(in_force)).label("area_m2"))).one()
    if row.written is None or not row.written_m2:
        raise InvalidInput("area: the area resolves to nothing (empty geometry)",
                           field=AREA_FIELD)
    in_force_m2 = float(row.area_m2 or 0.0)
    written_json = json.loads(row.written_geojson)
    if row.geom is None or in_force_m2 < MIN_IN_FORCE_M2:
        why = (f"area: none of the area as written ({row.written_m2:,.0f} m²) lies in "
               f"{_scope_words(decision)}, so nothing would be in force; a decision applies "
               "only within its scope and province")
        empty = ResolvedArea(written_json, text, 0.0, tuple(warnings), float(row.written_m2))
        return Resolution(empty, None, row.written, written_json, float(row.written_m2), why)
    warnings = list(warnings)
    left_out = 1.0 - in_force_m2 / float(row.written_m2)
    if left_out > REPORTED_SHARE:
        warnings.append(f"{left_out:.1%} of the area as written lies outside "
                        f"{_scope_words(decision)} and is not in force there "
                        f"(in force: {in_force_m2:,.0f} m² of {row.written_m2:,.0f} m²)")
    area = ResolvedArea(json.loads(row.geojson), text, in_force_m2, tuple(warnings),
                        written_m2=float(row.written_m2))
    return Resolution(area, row.geom, row.written, written_json, float(row.written_m2))


def province_name(conn: Connection, code: str) -> str:
    t = m.province
    name = conn.execute(select(t.c.name).where(t.c.code == code, t.c.valid_to.is_(None))).scalar()
    if name is None:
        raise InvalidInput(f"province_code: no current province {code!r}",
                           field="province_code")
    return str(name)


def _province_geom(code: str) -> ColumnElement:
    t = m.province
    return (select(t.c.geom).where(t.c.code == code, t.c.valid_to.is_(None))
            .limit(1).scalar_subquery())


def _current_belt() -> ColumnElement:
    """Belt segments in force: an instrument's segment replaces its commune's default."""
    b = m.belt_segment
    other = b.alias("other")
    replaced = exists().where(other.c.valid_to.is_(None), other.c.is_default.is_(False),
                              other.c.commune_code == b.c.commune_code)
    return and_(b.c.valid_to.is_(None), or_(b.c.is_default.is_(False), ~replaced))


def _scope_zone(scope: Scope, province_code: str) -> ColumnElement:
    """Union of the zone a land decision's scope covers, within one province."""
    if scope is Scope.BORDER_BELT:
        b = m.belt_segment
        return (select(func.ST_Union(b.c.geom))
                .where(_current_belt(), b.c.province_code == province_code).scalar_subquery())
    lbc, c = m.land_border_commune, m.commune
    return (select(func.ST_Union(c.c.geom))
            .join(lbc, and_(lbc.c.commune_code == c.c.code, lbc.c.valid_to.is_(None)))
            .where(c.c.valid_to.is_(None), c.c.province_code == province_code)
            .scalar_subquery())


def _polygon(conn: Connection, decision: Decision) -> Resolution:
    geojson = decision.area.geojson or {}
    check_near_vietnam(geojson)
    code = decision.province_code
    province_name(conn, code)
    given = func.ST_SetSRID(func.ST_GeomFromGeoJSON(literal(json.dumps(geojson))), 4326)
    province = _province_geom(code)
    inside = conn.execute(select(func.ST_Intersects(given, province))).scalar()
    if not inside:
        raise InvalidInput(f"area: the polygon lies outside province {code}; coordinates are "
                           "(lon, lat) in EPSG:4326", field=AREA_FIELD)
    warnings = []
    if not conn.execute(select(func.ST_CoveredBy(given, province))).scalar():
        warnings.append(f"part of the polygon lies outside province {code}")
    return _finish(conn, decision, given, coordinates_text(geojson), warnings)


def _communes(conn: Connection, codes: Sequence[str], province_code: str) -> list:
    """Current communes by code, in the order given; all must be in ``province_code``."""
    c = m.commune
    rows = {r.code: r for r in conn.execute(
        select(c.c.code, c.c.name, c.c.full_name, c.c.province_code)
        .where(c.c.code.in_(codes), c.c.valid_to.is_(None)))}
    missing = [code for code in codes if code not in rows]
    if missing:
        raise InvalidInput(f"area.commune_codes: no current commune {', '.join(missing)}",
                           field="area.commune_codes")
    foreign = [f"{code} ({rows[code].province_code})" for code in codes
               if rows[code].province_code != province_code]
    if foreign:
        raise InvalidInput(f"area.commune_codes: not in province {province_code}: "
                           f"{', '.join(foreign)}", field="area.commune_codes")
    return [rows[code] for code in codes]


def _commune_union(codes: Sequence[str]) -> ColumnElement:
    c = m.commune
    return (select(func.ST_Union(c.c.geom)).where(c.c.code.in_(codes), c.c.valid_to.is_(None))
            .scalar_subquery())


def _whole_communes(conn: Connection, decision: Decision) -> Resolution:
    codes = decision.area.commune_codes
    rows = _communes(conn, codes, decision.province_code)
    lbc = m.land_border_commune
    on_border = set(conn.execute(select(lbc.c.commune_code).where(
        lbc.c.commune_code.in_(codes), lbc.c.valid_to.is_(None))).scalars())
    warnings = [f"commune {r.code} ({r.name}) is not a land border commune: the decision "
                "is not in force there" for r in rows if r.code not in on_border]
    text = communes_text([r.full_name or r.name for r in rows],
                         province_name(conn, decision.province_code), belt=False)
    in_force = _commune_union([code for code in codes if code in on_border] or [""])
    return _finish(conn, decision, _commune_union(codes), text, warnings, in_force)


def _belt_in_communes(conn: Connection, decision: Decision) -> Resolution:
    codes = decision.area.commune_codes
    rows = _communes(conn, codes, decision.province_code)
    b = m.belt_segment
    communes = _commune_union(codes)
    belt = (select(func.ST_Union(b.c.geom))
            .where(_current_belt(), func.ST_Intersects(b.c.geom, communes)).scalar_subquery())
    without = [code for code in codes if not conn.execute(
        select(func.count()).select_from(b)
        .where(_current_belt(), func.ST_Intersects(b.c.geom, _commune_union([code])))).scalar()]
    if without:
        raise InvalidInput(f"area.commune_codes: no border belt in commune "
                           f"{', '.join(without)} (not on the land border)",
                           field="area.commune_codes")
    text = communes_text([r.full_name or r.name for r in rows],
                         province_name(conn, decision.province_code), belt=True)
    in_belt = func.ST_Intersection(belt, communes)  # the belt, so in every land scope
    return _finish(conn, decision, in_belt, text, within_scope=True)


def _gate(conn: Connection, decision: Decision) -> Resolution:
    g, ca = m.gate, m.checkpoint_area
    gate = conn.execute(select(g.c.id, g.c.name, g.c.gate_type, g.c.province_code)
                        .where(g.c.id == decision.gate_id)).first()
    if gate is None:
        raise InvalidInput(f"gate_id: no gate {decision.gate_id!r}", field="gate_id")
    if gate.gate_type != decision.gate_type:
        raise InvalidInput(f"gate_type: {gate.id} ({gate.name}) is a {gate.gate_type} gate, "
                           f"not {decision.gate_type}", field="gate_type")
    if gate.province_code != decision.province_code:
        raise InvalidInput(f"gate_id: {gate.id} ({gate.name}) is in province "
                           f"{gate.province_code}, not {decision.province_code}",
                           field="gate_id")
    moment = now()
    approved = (select(ca.c.geom)
                .where(ca.c.gate_id == gate.id, ca.c.status == "approved",
                       or_(ca.c.valid_from.is_(None), ca.c.valid_from <= moment),
                       or_(ca.c.valid_to.is_(None), ca.c.valid_to > moment))
                .order_by(ca.c.version.desc()).limit(1).scalar_subquery())
    if conn.execute(select(approved.is_not(None))).scalar() is not True:
        raise InvalidInput(
            f"area: gate {gate.id} ({gate.name}) has no approved checkpoint area, and the gate "
            "list carries no coordinates (vn_border_gates.csv: names and types only), so the "
            "area of a gate decision cannot be resolved; have its checkpoint area surveyed "
            "and approved first", field=AREA_FIELD)
    return _finish(conn, decision, approved, gate.name)


def resolve_area(conn: Connection, decision: Decision) -> Resolution:
    """The decision's area as geometry (EPSG:4326 MultiPolygon), text and area (m²): as
    written and in force. An empty area in force is reported, not raised: the caller checks
    its authority over the written area, then calls ``Resolution.require_in_force``."""
    kind = decision.area.kind
    if kind is AreaKind.POLYGON:
        return _polygon(conn, decision)
    if kind is AreaKind.COMMUNES:
        return _whole_communes(conn, decision)
    if kind is AreaKind.BELT_IN_COMMUNES:
        return _belt_in_communes(conn, decision)
    return _gate(conn, decision)


def provinces_beyond(conn: Connection, resolution: Resolution, granted: Iterable[str],
                     tolerance_m: float = EDGE_TOLERANCE_M) -> dict[str, float]:
    """Current provinces outside ``granted`` that the area as written reaches by more than
    ``tolerance_m`` metres (an officer may not write over another province, even where the
    decision would not be in force): {code: geodesic area (m²) of the area inside that province}.

    The part of the area outside the granted provinces is eroded by ``tolerance_m``
    (geodesically, ``ST_Buffer`` on geography); a province counts when what survives
    touches it."""
    p = m.province
    granted = sorted(set(granted))
    written = resolution.written_geojson or resolution.area.geojson
    area = func.ST_SetSRID(func.ST_GeomFromGeoJSON(literal(json.dumps(written))), 4326)
    own = (select(func.ST_Union(p.c.geom))
           .where(p.c.code.in_(granted), p.c.valid_to.is_(None),
                  func.ST_Intersects(p.c.geom, area)).scalar_subquery())
    outside = (select(func.ST_Difference(area, func.coalesce(
        own, func.ST_GeomFromText("POLYGON EMPTY", 4326))).label("g"))).cte("outside")
    core = func.geometry(func.ST_Buffer(func.geography(outside.c.g), -tolerance_m))
    stmt = (select(p.c.code, func.ST_Area(func.geography(
                func.ST_Intersection(p.c.geom, outside.c.g))).label("m2"))
            .select_from(p).join(outside, func.ST_Intersects(p.c.geom, outside.c.g))
            .where(p.c.valid_to.is_(None), p.c.code.not_in(granted),
                   func.ST_Intersects(p.c.geom, core))
            .order_by(p.c.code))
    return {row.code: float(row.m2) for row in conn.execute(stmt)}
