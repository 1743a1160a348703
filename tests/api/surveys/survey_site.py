"""The test survey, drawn on the real data: the checkpoint area of Hoành Mô (VN-GATE-005, a
main gate of Quảng Ninh, 22, on the China border) as the part of Hoành Mô commune (06841,
exact geometry) within a radius of the middle of the commune's stretch of the land border
line (bando_2026) — so its northern edge runs along the real border line. The gate has no
coordinates in the gate list: tests record, as a test survey point, a real point of the
commune inside that area.

Metric measures here use a transverse Mercator built in the test with pyproj (not the
project's ``local_metric``), so the figures the API reports are checked independently.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from geoalchemy2.shape import to_shape
from pyproj import Geod, Transformer
from sqlalchemy import select

from geo.store import models as m

GATE = "VN-GATE-005"  # Hoành Mô, main gate (Government approves its area: GEO-GATE-01)
COMMUNE = "06841"
TM3_QUANG_NINH = 5899  # VN-2000 / TM-3 107°45' (Quảng Ninh's 3° zone)
GEOD = Geod(ellps="WGS84")


@dataclass
class Site:
    commune: object  # lon/lat
    border: object  # the land border line near the commune, lon/lat
    centre: shapely.Point  # on the border line, middle of the commune's stretch
    forward: Transformer
    inverse: Transformer

    def to_m(self, geom):
        return shapely.transform(geom, lambda xy: np.column_stack(
            self.forward.transform(xy[:, 0], xy[:, 1])))

    def to_lonlat(self, geom):
        return shapely.transform(geom, lambda xy: np.column_stack(
            self.inverse.transform(xy[:, 0], xy[:, 1])))

    def sketch(self, radius_m: float, shift_m: tuple[float, float] = (0.0, 0.0)):
        """Commune ∩ disc of ``radius_m`` around the border centre (lon/lat Polygon),
        then moved by ``shift_m`` (east, north) metres."""
        c = self.to_m(self.centre)
        part = shapely.intersection(self.to_m(self.commune), c.buffer(radius_m, 64))
        part = max(shapely.get_parts(part), key=lambda p: p.area)
        moved = shapely.affinity.translate(part, *shift_m)
        return shapely.set_precision(self.to_lonlat(moved), 1e-9)

    def inland_point(self, metres: float = 400.0) -> shapely.Point:
        """A real point of the commune ``metres`` from the border centre, inland."""
        c = self.to_m(self.centre)
        commune_m = self.to_m(self.commune)
        ring = c.buffer(metres, 64).exterior
        inside = shapely.intersection(ring, commune_m)
        return self.to_lonlat(shapely.line_merge(inside).interpolate(0.5, normalized=True))


def site(engine) -> Site:
    c, b = m.commune, m.border_segment
    with engine.connect() as conn:
        geom = conn.execute(select(c.c.geom).where(c.c.code == COMMUNE, c.c.valid_to.is_(None))
                            .order_by((c.c.precision == "exact").desc()).limit(1)).scalar_one()
        commune = to_shape(geom)
        lines = [to_shape(g) for g in conn.execute(
            select(b.c.geom).where(b.c.source == "bando_2026", b.c.neighbour_iso3 == "CHN"))
            .scalars()]
    window = shapely.buffer(shapely.envelope(commune), 0.05)
    border = shapely.intersection(shapely.union_all(lines), window)
    along = shapely.line_merge(shapely.intersection(border, shapely.buffer(commune, 1e-5)))
    longest = max(shapely.get_parts(along), key=lambda p: p.length)
    centre = longest.interpolate(0.5, normalized=True)
    proj = (f"+proj=tmerc +lat_0={centre.y:.5f} +lon_0={centre.x:.5f} +k=1 +x_0=0 +y_0=0 "
            "+ellps=WGS84 +units=m")
    return Site(commune, border, centre, Transformer.from_crs("EPSG:4326", proj, always_xy=True),
                Transformer.from_crs(proj, "EPSG:4326", always_xy=True))


def geodesic_ha(geom) -> float:
    return abs(GEOD.geometry_area_perimeter(geom)[0]) / 1e4

