"""Where a snapshot of the zone layers reaches: everywhere (the full index of a server), or
the neighbourhood of one point (a one-off check: ``borderzone check LON LAT``).

Around a point the layers keep the features whose box-clipped shape could hold it, cut
to a small box in PostGIS (``ST_ClipByBox2D``): a point strictly inside the box is inside a
clipped polygon exactly when it is inside the whole one, so the checks of that point answer
as the full index does, for a fraction of the rows and vertices. Three layers need more
than the box: an instrument's belt replaces the default strip of its whole commune (every
instrument belt is kept), a sensitive zone is answered against a footprint up to a few
cells larger than the zone (zones within that reach are kept whole), and the nearest
border segment may be far away (the rows within the nearest distance plus a margin are
kept whole, so the k nearest vertices and their segments are those of the whole line).
Coordinates are WGS 84 lon/lat; margins in geodesic metres.
"""

from __future__ import annotations

import math

import shapely
from sqlalchemy import func, literal, or_
from sqlalchemy.engine import Connection
from sqlalchemy.sql import ColumnElement, Select

from geo.location.footprint import DEFAULT_SPEC, FootprintSpec

#: Half the side of the clipping box (degrees, ~1.1 km): far more than any tolerance the
#: checks apply to a point, far less than a province.
BOX_DEG = 0.01
#: Border rows kept: those within the nearest one's distance plus this (metres). The
#: k = 12 nearest vertices of a line densified to 25 m lie within ~150 m more than it.
BORDER_MARGIN_M = 2_000.0


class Region:
    """Everywhere: no filter, whole shapes (the null object of ``Around``)."""

    everywhere = True

    def geom(self, column: ColumnElement) -> ColumnElement:
        return column

    def filter(self, query: Select, geom: ColumnElement, keep=None) -> Select:
        return query

    def filter_zones(self, query: Select, geom: ColumnElement) -> Select:
        return query

    def filter_border(self, conn: Connection, query: Select, geom: ColumnElement) -> Select:
        return query

    def touches(self, shape) -> bool:
        return True

    def widened(self, deg: float) -> Region:
        """The same neighbourhood reaching at least ``deg`` degrees around its point."""
        return self


EVERYWHERE = Region()


class Around(Region):
    """The neighbourhood of one point (lon, lat in degrees, WGS 84)."""

    everywhere = False

    def __init__(self, lon: float, lat: float, spec: FootprintSpec = DEFAULT_SPEC,
                 box_deg: float = BOX_DEG):
        if not (math.isfinite(lon) and math.isfinite(lat)):
            raise ValueError("a finite lon/lat is needed")
        self.lon, self.lat, self.spec, self.box_deg = float(lon), float(lat), spec, box_deg
        west, south = self.lon - box_deg, self.lat - box_deg
        east, north = self.lon + box_deg, self.lat + box_deg
        self._box = func.ST_MakeEnvelope(literal(west), literal(south), literal(east),
                                         literal(north), 4326)
        self._shape = shapely.box(west, south, east, north)
        self._point = func.ST_SetSRID(func.ST_MakePoint(literal(self.lon), literal(self.lat)),
                                      4326)
        # a footprint: the cells touching the zone grown by the margin, so within the margin
        # plus a cell's diagonal of it; doubled for the lon/lat round trip and the clip box
        self.zone_reach_m = 2 * (spec.margin_m + spec.cell_m * math.sqrt(2)) + 2_000.0

    def widened(self, deg: float) -> Region:
        if deg <= self.box_deg:
            return self
        return Around(self.lon, self.lat, self.spec, box_deg=deg)

    def geom(self, column: ColumnElement) -> ColumnElement:
        return func.ST_ClipByBox2D(column, self._box).label(column.name)

    def filter(self, query: Select, geom: ColumnElement, keep=None) -> Select:
        near = func.ST_Intersects(geom, self._box)
        return query.where(near if keep is None else or_(near, keep))

    def filter_zones(self, query: Select, geom: ColumnElement) -> Select:
        return query.where(func.ST_DWithin(func.Geography(geom), func.Geography(self._point),
                                           self.zone_reach_m))

    def filter_border(self, conn: Connection, query: Select, geom: ColumnElement) -> Select:
        """The rows of ``query`` within the nearest one's distance plus BORDER_MARGIN_M."""
        nearest = query.with_only_columns(
            func.ST_Distance(func.Geography(geom), func.Geography(self._point))
        ).order_by(None).order_by(geom.op("<->")(self._point)).limit(1)
        distance_m = conn.execute(nearest).scalar()
        if distance_m is None:
            return query
        return query.where(func.ST_DWithin(func.Geography(geom), func.Geography(self._point),
                                           float(distance_m) + BORDER_MARGIN_M))

    def touches(self, shape) -> bool:
        return bool(shapely.intersects(shape, self._shape))


__all__ = ["EVERYWHERE", "Around", "Region"]
