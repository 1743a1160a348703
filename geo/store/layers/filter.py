"""CQL2 (a checked pygeofilter AST, ``geo.layers.cql``) -> SQLAlchemy expressions.

Every literal is a bound parameter and every attribute one of the collection's declared
columns; geometry literals go in as GeoJSON text through ``ST_GeomFromGeoJSON`` (lon/lat,
or ``filter-crs`` transformed to lon/lat in Python first). No SQL text is ever built.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

import numpy as np
import shapely
from pygeofilter import ast, values
from sqlalchemy import and_, between, bindparam, func, not_, or_
from sqlalchemy.sql.elements import ColumnElement

from geo.common import crs as base
from geo.common.errors import InvalidInput
from geo.layers import crs as layer_crs
from geo.layers.cql import GEOMETRY

_COMPARE: dict[type, Callable[[Any, Any], Any]] = {
    ast.Equal: lambda a, b: a == b, ast.NotEqual: lambda a, b: a != b,
    ast.LessThan: lambda a, b: a < b, ast.LessEqual: lambda a, b: a <= b,
    ast.GreaterThan: lambda a, b: a > b, ast.GreaterEqual: lambda a, b: a >= b,
}
_SPATIAL = {
    ast.GeometryIntersects: func.ST_Intersects, ast.GeometryWithin: func.ST_Within,
    ast.GeometryContains: func.ST_Contains, ast.GeometryDisjoint: func.ST_Disjoint,
    ast.GeometryEquals: func.ST_Equals, ast.GeometryTouches: func.ST_Touches,
    ast.GeometryCrosses: func.ST_Crosses, ast.GeometryOverlaps: func.ST_Overlaps,
}


class Translator:
    """``columns`` maps queryable names to column expressions; ``geometry`` is the lon/lat
    (EPSG:4326) geometry the caller is allowed to see; ``filter_crs`` the literals' CRS."""

    def __init__(self, columns: Mapping[str, ColumnElement], geometry: ColumnElement,
                 filter_crs: int = layer_crs.CRS84):
        self.columns, self.geometry, self.filter_crs = columns, geometry, filter_crs

    def __call__(self, node: Any) -> ColumnElement:
        if isinstance(node, ast.And):
            return and_(self(node.lhs), self(node.rhs))
        if isinstance(node, ast.Or):
            return or_(self(node.lhs), self(node.rhs))
        if isinstance(node, ast.Not):
            return not_(self(node.sub_node))
        for kind, op in _COMPARE.items():
            if isinstance(node, kind):
                return op(self.value(node.lhs), self.value(node.rhs))
        if isinstance(node, ast.Like):
            pattern = bindparam(None, node.pattern, unique=True)
            expr = self.value(node.lhs)
            out = expr.ilike(pattern) if node.nocase else expr.like(pattern)
            return not_(out) if node.not_ else out
        if isinstance(node, ast.IsNull):
            expr = self.value(node.lhs)
            return expr.is_not(None) if node.not_ else expr.is_(None)
        if isinstance(node, ast.Between):
            out = between(self.value(node.lhs), self.value(node.low), self.value(node.high))
            return not_(out) if node.not_ else out
        if isinstance(node, ast.In):
            out = self.value(node.lhs).in_([self.literal(v) for v in node.sub_nodes])
            return not_(out) if node.not_ else out
        for kind, fn in _SPATIAL.items():
            if isinstance(node, kind):
                return fn(self.value(node.lhs), self.value(node.rhs))
        raise InvalidInput(f"filter: {type(node).__name__} is not supported", field="filter")

    @staticmethod
    def literal(value: Any) -> Any:
        if not isinstance(value, str | int | float | bool):
            raise InvalidInput("filter: IN takes literal values only", field="filter")
        return value

    def value(self, node: Any) -> Any:
        if isinstance(node, ast.Attribute):
            return self.geometry if node.name == GEOMETRY else self.columns[node.name]
        if isinstance(node, bool | int | float | str | date | datetime):
            return bindparam(None, node, unique=True)
        if isinstance(node, values.Geometry | values.Envelope | ast.Function):
            return self.shape(node)
        raise InvalidInput(f"filter: {type(node).__name__} cannot be compared", field="filter")

    def shape(self, node: Any) -> ColumnElement:
        if isinstance(node, values.Envelope):
            # pygeofilter 0.4's cql2-json parser fills Envelope(x1, x2, y1, y2) from
            # bbox [minx, miny, maxx, maxy] in that order, so the names are off by one
            geom = shapely.box(node.x1, node.x2, node.y1, node.y2)
        elif isinstance(node, ast.Function):
            geom = shapely.box(*node.arguments)
        else:
            try:
                geom = shapely.from_geojson(json.dumps(node.geometry))
            except Exception:  # shapely.errors.GEOSException and friends
                raise InvalidInput("filter: a geometry literal is not valid", field="filter") \
                    from None
        if not np.isfinite(shapely.get_coordinates(geom)).all() or not geom.is_valid:
            raise InvalidInput("filter: a geometry literal must be valid, with finite "
                               "coordinates", field="filter")
        if shapely.get_num_coordinates(geom) > 10_000:
            raise InvalidInput("filter: a geometry literal has over 10,000 vertices",
                               field="filter")
        if self.filter_crs != layer_crs.CRS84:
            geom = _to_lonlat(geom, self.filter_crs)
        text = shapely.to_geojson(geom)
        return func.ST_SetSRID(func.ST_GeomFromGeoJSON(bindparam(None, text, unique=True)),
                               4326)


def _to_lonlat(geom, code: int):
    if layer_crs.lat_first(code):
        geom = shapely.transform(geom, lambda xy: xy[:, ::-1])
    if code in (layer_crs.CRS84, base.WGS84):
        return geom
    t = base.transformer(code, base.WGS84)
    return shapely.transform(geom, lambda xy: np.column_stack(t.transform(xy[:, 0], xy[:, 1])))
