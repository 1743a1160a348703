"""SQL of the vector tiles: one statement, one round trip per tile.

A tile is the MVT of what the view selects (``ST_AsMVT`` over ``ST_AsMVTGeom`` of the zoom
band's prepared EPSG:3857 column, clipped to the tile with its buffer) and, for views of
*now*, the next validity start or end among the features the tile may show, whatever their
time (when its content next changes with no edit), both in one ``SELECT``. Candidates come
from the GiST index of the exact ``<col>_3857`` column (``&&`` the buffered tile box): no
``ST_Transform`` on the fly.

The statement depends only on the view's shape (layer, clearance, which interval ends and
``as_known_at`` are given, zoom band, boundary or not), so it is built once per shape and
cached; the tile box and instants are bound at execution.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import DateTime, Float, Text, bindparam, case, cast, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from geo.layers import tiles
from geo.layers.collections import BOOLEAN, INTEGER, NUMBER, STRINGS, Collection
from geo.layers.params import Interval, ItemQuery
from geo.store.layers.features import Source, conditions, source

_TS = DateTime(timezone=True)


@dataclass(frozen=True)
class Shape:
    """What the tile statement depends on, besides the tile and the instants' values."""

    cleared: bool
    has_start: bool
    has_end: bool
    known: bool
    band: str  # the zoom band's column suffix (geo.layers.tiles)
    boundary: bool


def _tile_prop(src: Source, p) -> ColumnElement:
    col = src.cols[p.name]
    if p.type in (NUMBER, INTEGER, BOOLEAN):
        return col.label(p.name)
    if p.type == STRINGS:
        return func.array_to_string(col, ",").label(p.name)
    return cast(col, Text).label(p.name)


def _bound_query(shape: Shape) -> ItemQuery:
    """An ``ItemQuery`` whose instants are named bind parameters."""
    start = bindparam("t_start", type_=_TS) if shape.has_start else None
    end = bindparam("t_end", type_=_TS) if shape.has_end else None
    return ItemQuery(interval=Interval(start, end),  # type: ignore[arg-type]
                     as_known_at=bindparam("known_at", type_=_TS) if shape.known else None,
                     cleared=shape.cleared)


@functools.lru_cache(maxsize=1024)
def statement(coll: Collection, shape: Shape):
    """``SELECT mvt[, boundary]`` for tiles of ``coll`` in views of this shape; binds
    ``west, south, east, north, pad`` (EPSG:3857 metres) and ``t_start, t_end, known_at,
    after``."""
    src = source(coll, cleared=shape.cleared)
    q = _bound_query(shape)
    env = func.ST_MakeEnvelope(*(bindparam(n, type_=Float)
                                 for n in ("west", "south", "east", "north")), 3857)
    near = src.geom("").op("&&")(func.ST_Expand(env, bindparam("pad", type_=Float)))
    inner = (select(func.ST_AsMVTGeom(src.geom(shape.band), func.Box2D(env), tiles.EXTENT,
                                      tiles.BUFFER, True).label("geom"),
                    cast(src.base.c[coll.key], Text).label("fid"),
                    *(_tile_prop(src, p) for p in coll.props))
             .select_from(src.from_).where(near, *conditions(src, q))
             .subquery("tile"))
    mvt = (select(func.ST_AsMVT(inner.table_valued(), coll.id, tiles.EXTENT, "geom"))
           .select_from(inner).where(inner.c.geom.is_not(None)).scalar_subquery())
    columns = [mvt.label("mvt")]
    if shape.boundary and src.start is not None:
        moment = bindparam("after", type_=_TS)
        columns.append(
            select(func.least(func.min(case((src.start > moment, src.start))),
                              func.min(case((src.end > moment, src.end)))))
            .select_from(src.from_).where(near, *conditions(src, q, with_time=False))
            .scalar_subquery().label("boundary"))
    return select(*columns)


def tile(conn: Connection, coll: Collection, q: ItemQuery, z: int, x: int, y: int, *,
         boundary_after: datetime | None = None) -> tuple[bytes, datetime | None]:
    """The MVT tile z/x/y (EPSG:3857, extent 4096, buffer 64) of what ``q`` selects, and,
    when ``boundary_after`` is given, the first validity boundary after it in the tile."""
    interval = q.interval or Interval(None, None)
    shape = Shape(q.cleared, interval.start is not None, interval.end is not None,
                  q.as_known_at is not None, tiles.band(z).suffix, boundary_after is not None)
    west, south, east, north = tiles.bounds(z, x, y)
    row = conn.execute(statement(coll, shape), {
        "west": west, "south": south, "east": east, "north": north,
        "pad": (east - west) * tiles.BUFFER / tiles.EXTENT,
        "t_start": interval.start, "t_end": interval.end, "known_at": q.as_known_at,
        "after": boundary_after}).one()
    data = bytes(row.mvt) if row.mvt is not None else b""
    return data, getattr(row, "boundary", None)
