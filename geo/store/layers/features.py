"""SQL of the map layers: items pages, counts, the sources tiles draw from, the change log.

Everything is built from the declarations of ``geo.layers.collections`` with SQLAlchemy
Core and geoalchemy2 functions; values are bound parameters. Geometry is stored in
EPSG:4326 (lon/lat); tiles (``geo.store.layers.mvt``) and items asked with ``zoom`` read
the prepared EPSG:3857 columns of migration 0009 (one per zoom band, ``geo.layers.tiles``).
Uncleared callers are answered against what they may see: a sensitive zone's footprint,
its hidden properties blanked and its validity widened to whole Hanoi days
(``geo.location.footprint``), in SQL, so nothing exact leaves the database for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import (
    DateTime,
    Integer,
    Text,
    and_,
    bindparam,
    case,
    cast,
    column,
    func,
    literal,
    or_,
    select,
    table,
)
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from geo.layers import crs as layer_crs
from geo.layers import tiles
from geo.layers.collections import Collection
from geo.layers.params import ItemQuery
from geo.location.footprint import SENSITIVE
from geo.store.layers.filter import Translator

HANOI_TZ = "Asia/Ho_Chi_Minh"
_TS = DateTime(timezone=True)


@dataclass
class Source:
    """One collection's columns as the caller may see them (``cleared`` or not)."""

    coll: Collection
    cleared: bool
    known_at: datetime | None
    base: object = None
    geo: object = None  # the table holding the geometry (the joined one for joins)
    from_: object = None
    cols: dict[str, ColumnElement] = field(default_factory=dict)
    start: ColumnElement | None = None
    end: ColumnElement | None = None
    sensitive: ColumnElement | None = None

    def geom(self, suffix: str | None = None) -> ColumnElement:
        """The geometry shown: EPSG:4326 (``suffix`` None) or a prepared EPSG:3857 column
        (``""`` exact, ``"_z6"``... simplified)."""
        name = self.coll.geom if self.coll.join is None else "geom"
        col = name if suffix is None else f"{name}_3857{suffix}"
        exact = self.geo.c[col]
        if self.sensitive is None:
            return exact
        rule = self.coll.sensitivity
        fp = rule.footprint if suffix is None else f"{rule.footprint}_3857{suffix}"
        return case((self.sensitive, self.base.c[fp]), else_=exact)


def _instant(col: ColumnElement, dates: bool) -> ColumnElement:
    return func.timezone(HANOI_TZ, cast(col, DateTime)) if dates else col


def _day_floor(x: ColumnElement) -> ColumnElement:
    return func.date_trunc("day", x, HANOI_TZ)


def _day_ceil(x: ColumnElement) -> ColumnElement:
    return case((_day_floor(x) == x, x), else_=_day_floor(x) + literal(timedelta(days=1)))


def _geo_names(geom: str) -> list[str]:
    return [geom, f"{geom}_3857", *(b.column(geom) for b in tiles.BANDS)]


def source(coll: Collection, *, cleared: bool, known_at: datetime | None = None) -> Source:
    """The collection's table(s) and shown columns for this caller."""
    names = {coll.key, *(p.source for p in coll.props if not p.joined),
             *(c for c, _ in coll.where),
             *(c for c, _ in coll.cleared_only_where)}
    if coll.validity:
        names |= {coll.validity.start, coll.validity.end}
    if coll.recorded:
        names.add(coll.recorded)
    if coll.sensitivity:
        names |= {coll.sensitivity.column, *_geo_names(coll.sensitivity.footprint)}
    if coll.join is None:
        names |= set(_geo_names(coll.geom))
    base = table(coll.table, *(column(n) for n in sorted(names)))
    src = Source(coll, cleared, known_at, base=base, geo=base, from_=base)
    if coll.join is not None:
        j = coll.join
        joined = {p.source for p in coll.props if p.joined}
        src.geo = table(j.table, column(j.key), column("valid_to"),
                        *(column(n) for n in sorted(joined)),
                        *(column(n) for n in _geo_names("geom"))).alias("joined")
        src.from_ = base.join(src.geo, and_(src.geo.c[j.key] == base.c[j.on],
                                            src.geo.c.valid_to.is_(None)))
    if coll.sensitivity and not cleared:
        src.sensitive = base.c[coll.sensitivity.column].in_(sorted(SENSITIVE))
    _validity(src)
    for p in coll.props:
        src.cols[p.name] = _prop(src, p.name, (src.geo if p.joined else base).c[p.source])
    return src


def _validity(src: Source) -> None:
    v = src.coll.validity
    if v is None:
        return
    start = _instant(src.base.c[v.start], v.dates)
    end = _instant(src.base.c[v.end], v.dates)
    if v.end_function:
        known = bindparam("known_at", src.known_at, type_=_TS)
        end = getattr(func, v.end_function)(cast(src.base.c[src.coll.key], Integer), known,
                                            type_=_TS)
    if src.sensitive is not None:
        start = case((src.sensitive, _day_floor(start)), else_=start)
        end = case((src.sensitive, _day_ceil(end)), else_=end)
    src.start, src.end = start, end


def _prop(src: Source, name: str, col: ColumnElement) -> ColumnElement:
    v = src.coll.validity
    if v is not None and name == v.start and not v.dates:
        return src.start
    if v is not None and name == v.end and (v.end_function or not v.dates):
        return src.end
    if src.sensitive is not None and name in src.coll.sensitivity.hidden:
        return case((src.sensitive, None), else_=col)
    return col


# ----------------------------------------------------------------------------- filters
def conditions(src: Source, q: ItemQuery, *, with_time: bool = True) -> list:
    c, base = src.coll, src.base
    conds = []
    for name, value in c.where:
        conds.append(base.c[name].in_(value) if isinstance(value, tuple)
                     else base.c[name] == value)
    if not src.cleared:
        conds += [base.c[name].in_(value) for name, value in c.cleared_only_where]
    if c.recorded and q.as_known_at is not None:
        conds.append(base.c[c.recorded] <= q.as_known_at)
    if with_time and src.start is not None and q.interval is not None:
        if q.interval.end is not None:
            conds.append(src.start <= q.interval.end)
        if q.interval.start is not None:
            conds.append(or_(src.end.is_(None), src.end > q.interval.start))
    if q.bbox is not None:
        conds.append(func.ST_Intersects(src.geom(), func.ST_MakeEnvelope(*q.bbox, 4326)))
    for name, value in q.filters:
        conds.append(cast(src.cols[name], Text) == str(value))
    if q.cql is not None:
        conds.append(Translator(src.cols, src.geom(), q.extra.get("filter_crs", 0))(q.cql))
    return conds


# ----------------------------------------------------------------------------- items
def _geometry_out(src: Source, code: int, zoom: int | None = None) -> ColumnElement:
    if zoom is not None and tiles.band(zoom) is not tiles.RAW:
        return _drawn_out(src, code, tiles.band(zoom).suffix)
    if code == layer_crs.CRS84:
        return func.ST_AsGeoJSON(src.geom(), 7)
    if code == 4326:
        return func.ST_AsGeoJSON(func.ST_FlipCoordinates(src.geom()), 7)
    if code == layer_crs.WEB_MERCATOR:
        return func.ST_AsGeoJSON(src.geom(""), 2)
    return func.ST_AsBinary(src.geom())  # transformed in Python (pinned EPSG:6960)


def _drawn_out(src: Source, code: int, suffix: str) -> ColumnElement:
    """The zoom band's prepared Web Mercator geometry (simplified to half a pixel at the
    band's deepest zoom, valid), for drawing: 6 decimals of a degree (~0.1 m) are plenty."""
    drawn = src.geom(suffix)
    if code == layer_crs.WEB_MERCATOR:
        return func.ST_AsGeoJSON(drawn, 2)
    lonlat = func.ST_Transform(drawn, 4326)
    if code == layer_crs.CRS84:
        return func.ST_AsGeoJSON(lonlat, 6)
    if code == 4326:
        return func.ST_AsGeoJSON(func.ST_FlipCoordinates(lonlat), 6)
    return func.ST_AsBinary(lonlat)


def items(conn: Connection, coll: Collection, q: ItemQuery, code: int,
          *, count: bool = True) -> tuple[list, int | None]:
    """A page of features: rows (id, geometry as GeoJSON text or WKB, properties...) and
    the number matched (None unless ``count``)."""
    src = source(coll, cleared=q.cleared, known_at=q.as_known_at)
    conds = conditions(src, q)
    names = q.properties if q.properties is not None else tuple(p.name for p in coll.props)
    key = src.base.c[coll.key]
    order = [src.cols[n].asc() if up else src.cols[n].desc() for n, up in q.sortby]
    stmt = (select(key.label("_id"), _geometry_out(src, code, q.zoom).label("_geometry"),
                   *(src.cols[n].label(n) for n in names))
            .select_from(src.from_).where(*conds).order_by(*order, key)
            .limit(q.limit).offset(q.offset))
    rows = conn.execute(stmt).all()
    matched = None
    if count:
        matched = conn.execute(select(func.count()).select_from(src.from_)
                               .where(*conds)).scalar_one()
    return rows, matched


def item(conn: Connection, coll: Collection, q: ItemQuery, code: int, feature_id: str):
    src = source(coll, cleared=q.cleared, known_at=q.as_known_at)
    key = src.base.c[coll.key]
    stmt = (select(key.label("_id"), _geometry_out(src, code, q.zoom).label("_geometry"),
                   *(src.cols[p.name].label(p.name) for p in coll.props))
            .select_from(src.from_)
            .where(cast(key, Text) == feature_id, *conditions(src, q)))
    return conn.execute(stmt).first()


def extent(conn: Connection, coll: Collection) -> tuple[float, ...] | None:
    """(west, south, east, north) lon/lat of everything public in the collection."""
    src = source(coll, cleared=False)
    box = conn.execute(select(func.ST_Extent(src.geom())).select_from(src.from_)
                       .where(*conditions(src, ItemQuery()))).scalar_one()
    if not box:
        return None
    nums = box[box.index("(") + 1: box.index(")")].replace(",", " ").split()
    return tuple(float(n) for n in nums)


# ----------------------------------------------------------------------------- change log
layer_change = table("layer_change", column("id"), column("source"), column("whole"),
                     column("exact"), column("public"))


def last_change(conn: Connection) -> int:
    return int(conn.execute(select(func.coalesce(func.max(layer_change.c.id), 0)))
               .scalar_one())


def changes_since(conn: Connection, cursor: int, limit: int = 5_000) -> list:
    """Rows of the change log after ``cursor``: (id, source, whole, exact WKB, public WKB),
    shapes in EPSG:3857."""
    c = layer_change.c
    stmt = (select(c.id, c.source, c.whole, func.ST_AsBinary(c.exact).label("exact"),
                   func.ST_AsBinary(c.public).label("public"))
            .where(c.id > cursor).order_by(c.id).limit(limit))
    return conn.execute(stmt).all()
