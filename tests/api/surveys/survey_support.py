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

import json
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import shapely
from geoalchemy2.shape import to_shape
from pyproj import Geod, Transformer
from sqlalchemy import select

from geo.common import crs
from geo.common.security import ANONYMOUS, Principal, Role
from geo.common.timeutil import now
from geo.store import models as m
from tests.api.decisions.decision_support import auth
from tests.api.security.security_support import unique
from tests.geo.intake import intake_support as s

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


# -- callers and requests ---------------------------------------------------------
SURVEYOR = Principal(subject="surveyor-22-test", roles=frozenset({Role.SURVEYOR}),
                     provinces=frozenset({"22"}))
SURVEYOR_20 = Principal(subject="surveyor-20-test", roles=frozenset({Role.SURVEYOR}),
                        provinces=frozenset({"20"}))
GOVERNMENT = Principal(subject="approver-gov-22-test", roles=frozenset({Role.APPROVER}),
                       provinces=frozenset({"22"}),
                       gate_types=frozenset({"international", "main"}))
COMMITTEE = Principal(subject="approver-pc-22-test", roles=frozenset({Role.APPROVER}),
                      provinces=frozenset({"22"}),
                      gate_types=frozenset({"auxiliary", "border_opening"}))
GOVERNMENT_20 = Principal(subject="approver-gov-20-test", roles=frozenset({Role.APPROVER}),
                          provinces=frozenset({"20"}), gate_types=frozenset({"main"}))
OFFICER = Principal(subject="officer-22-surveys", roles=frozenset({Role.OFFICER}),
                    provinces=frozenset({"22"}))
PLANNER = Principal(subject="planner-surveys", roles=frozenset({Role.PLANNER}))
TODAY = now().date()
FORMATS = ("geojson", "kml", "kmz", "gpx", "gpkg", "shapefile", "csv", "odk")


def form_fields(**over) -> dict:
    base = {"gate_id": GATE, "survey_date": (TODAY - timedelta(days=20)).isoformat(),
            "agencies": "Bộ đội Biên phòng tỉnh Quảng Ninh; Công an tỉnh Quảng Ninh; "
                        "UBND xã Hoành Mô",
            "minutes_ref": unique("BB-KS"), "notes": "khảo sát khu vực cửa khẩu"}
    return {**base, **over}


def post_survey(client, data: bytes, name: str, who=SURVEYOR, **over):
    return client.post("/v1/surveys", data=form_fields(**over), files={"file": (name, data)},
                       headers=auth(client, who) if who is not ANONYMOUS else {})


def geojson_file(polygon) -> bytes:
    return json.dumps({"type": "Feature", "properties": {},
                       "geometry": polygon.__geo_interface__}).encode()


def vn_csv(polygon, accuracy=None) -> bytes:
    xy = s.ring(s.apply(crs.transformer(4326, TM3_QUANG_NINH), polygon))
    return s.csv_text(xy, accuracy)


def survey_files(tmp, polygon) -> dict[str, tuple[bytes, str, str | None]]:
    kml = s.gdal_file(tmp, polygon, "KML", "kml")
    n = len(s.ring(polygon))
    accuracy = [0.03] * n
    accuracy[3], accuracy[7] = 8.0, 0.0  # one worse than 5 m, one tapped (unknown)
    return {
        "geojson": (geojson_file(polygon), "area.geojson", None),
        "kml": (kml, "area.kml", None),
        "kmz": (s.zipped(tmp, {"doc.kml": kml}), "area.kmz", None),
        "gpx": (s.gdal_file(tmp, polygon, "GPX", "gpx", line=True, layer="tracks"),
                "track.gpx", None),
        "gpkg": (s.gdal_file(tmp, polygon, "GPKG", "gpkg"), "area.gpkg", None),
        "shapefile": (s.shapefile_zip(tmp, polygon, TM3_QUANG_NINH), "area.zip", None),
        "csv": (vn_csv(polygon, accuracy), "area.csv", f"EPSG:{TM3_QUANG_NINH}"),
        "odk": (s.odk_text(polygon), "geoshape.txt", None),
    }


def report_items(report: dict) -> dict[str, dict]:
    return {i["code"]: i for i in report["items"]}


