"""Intake time for one 10,000-vertex polygon in each format (no database).

The polygon: a 10,000-vertex star-shaped ring (radius 1.5-2.5 km) around a point of Lũng Cú
(105.316 E, 23.335 N). Files are written with GDAL/pyogrio (the CSV in VN-2000 EPSG:9209,
the ODK geoshape by hand); each is read by ``geo.intake.read_geometry`` with the province
reference a registration would use, best of three. Prints figures; asserts nothing.
"""

from __future__ import annotations

import io
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np
import pyogrio.raw
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geo.common import crs  # noqa: E402
from geo.intake import Reference, read_geometry  # noqa: E402

VERTICES = 10_000
CENTRE = (105.316, 23.335)


def _polygon() -> shapely.Polygon:
    forward, inverse = crs.local_metric(*CENTRE)
    t = np.linspace(0, 2 * np.pi, VERTICES, endpoint=False)
    r = 2_000 + 500 * np.sin(7 * t)
    lon, lat = inverse.transform(r * np.cos(t), r * np.sin(t))
    return shapely.Polygon(np.column_stack([lon, lat]))


def _write(tmp: Path, geom, driver: str, ext: str, epsg: int = 4326, **kw) -> bytes:
    path = tmp / f"z.{ext}"
    pyogrio.raw.write(str(path), np.array([shapely.to_wkb(geom)], dtype=object), [], [],
                      driver=driver, geometry_type=geom.geom_type, crs=f"EPSG:{epsg}", **kw)
    return path.read_bytes()


def _zip(names: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in names.items():
            z.writestr(name, data)
    return buf.getvalue()


def files(tmp: Path, polygon) -> dict[str, tuple[bytes, str | None]]:
    vn = shapely.transform(polygon, lambda xy: np.column_stack(
        crs.transformer(4326, 9209).transform(xy[:, 0], xy[:, 1])))
    kml = _write(tmp, polygon, "KML", "kml")
    _write(tmp, vn, "ESRI Shapefile", "shp", epsg=9209)
    shp = _zip({f"z{e}": (tmp / f"z{e}").read_bytes() for e in (".shp", ".shx", ".dbf", ".prj")})
    ring = shapely.get_coordinates(vn.exterior)[:-1]
    csv = "x,y,accuracy\n" + "".join(f"{x:.3f},{y:.3f},0.5\n" for x, y in ring)
    odk = ";".join(f"{lat:.9f} {lon:.9f} 0 3.0" for lon, lat in
                   shapely.get_coordinates(polygon.exterior))
    line = shapely.MultiLineString([polygon.exterior.coords])
    return {"geojson": (_write(tmp, polygon, "GeoJSON", "geojson"), None), "kml": (kml, None),
            "kmz": (_zip({"doc.kml": kml}), None),
            "gpx": (_write(tmp, line, "GPX", "gpx", layer="tracks"), None),
            "gpkg": (_write(tmp, polygon, "GPKG", "gpkg"), None), "shapefile": (shp, None),
            "csv (EPSG:9209)": (csv.encode(), "EPSG:9209"), "odk": (odk.encode(), None)}


def main() -> None:
    polygon = _polygon()
    province = Reference("around Lũng Cú", shapely.box(105.0, 23.0, 105.7, 23.5), "inside", 50)
    with tempfile.TemporaryDirectory() as tmp:
        for name, (data, crs_text) in files(Path(tmp), polygon).items():
            best = float("inf")
            for _ in range(3):
                start = time.perf_counter()
                got = read_geometry(data, crs_text=crs_text, references=[province],
                                    province_code="08")
                best = min(best, time.perf_counter() - start)
            print(f"intake {name:<16} {len(data) / 1e6:6.2f} MB  {got.report.vertices:>6} "
                  f"vertices  {best * 1000:8.1f} ms", flush=True)


if __name__ == "__main__":
    main()
