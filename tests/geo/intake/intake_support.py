"""The test polygon of the intake tests, drawn on the real data, and writers for every
format (GDAL/pyogrio for what GDAL writes).

The polygon is an irregular heptagon (radii 320-520 m) around the deepest point of Lũng Cú
commune (code 00715, Tuyên Quang 08; pre-2025 Hà Giang, 3° zone 105°30' = EPSG:9209): the
centre of the commune's largest inscribed circle, read from the commune file the database
is loaded from.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pyogrio.raw
import shapely
from pyproj import Transformer

from geo.common import crs
from tests.conftest import DATA_DIR

LUNG_CU = "00715"
TM3_HA_GIANG = 9209  # VN-2000 / TM-3 105-30 (Hà Giang's zone, now in Tuyên Quang)
TM3_TUYEN_QUANG = 9211  # VN-2000 / TM-3 106-00


def lung_cu() -> shapely.Polygon:
    _, _, wkb, _ = pyogrio.raw.read(DATA_DIR / "vn_communes_border_provinces.geojson",
                                    where=f"code = '{LUNG_CU}'", columns=[])
    return shapely.from_wkb(wkb[0])


def metric_of(geom):
    """Forward/inverse transforms of a local metric CRS centred on ``geom``."""
    c = geom.representative_point()
    return crs.local_metric(round(c.x, 3), round(c.y, 3))


def apply(t: Transformer, geom):
    return shapely.transform(geom, lambda xy: np.column_stack(t.transform(xy[:, 0], xy[:, 1])))


def heptagon(commune) -> tuple[shapely.Polygon, float]:
    """The test polygon (lon/lat) and how deep inside the commune its centre lies (m)."""
    forward, inverse = metric_of(commune)
    area = apply(forward, commune)
    circle = shapely.maximum_inscribed_circle(area)
    (cx, cy), depth = shapely.get_coordinates(circle)[0], circle.length
    angles = np.radians(np.arange(7) * 360 / 7 + 10)
    radii = np.array([420, 320, 520, 380, 470, 350, 500])
    ring = np.column_stack([cx + radii * np.cos(angles), cy + radii * np.sin(angles)])
    return apply(inverse, shapely.Polygon(ring)), float(depth)


def hausdorff_m(a, b) -> float:
    forward, _ = metric_of(a)
    return float(shapely.hausdorff_distance(apply(forward, a), apply(forward, b)))


# -- writers --------------------------------------------------------------------------------
def gdal_file(tmp: Path, polygon, driver: str, ext: str, *, epsg: int = 4326,
              line: bool = False, layer: str | None = None) -> bytes:
    geom = polygon if epsg == 4326 else apply(crs.transformer(4326, epsg), polygon)
    if line:
        geom = shapely.MultiLineString([geom.exterior.coords])
    path = tmp / f"zone.{ext}"
    pyogrio.raw.write(str(path), np.array([shapely.to_wkb(geom)], dtype=object),
                      [np.array(["khu cấm"], dtype=object)], ["name"], driver=driver,
                      geometry_type=geom.geom_type, crs=f"EPSG:{epsg}", layer=layer)
    return path.read_bytes()


def zipped(tmp: Path, names: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in names.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def shapefile_zip(tmp: Path, polygon, epsg: int) -> bytes:
    gdal_file(tmp, polygon, "ESRI Shapefile", "shp", epsg=epsg)
    return zipped(tmp, {f"zone{ext}": (tmp / f"zone{ext}").read_bytes()
                        for ext in (".shp", ".shx", ".dbf", ".prj")})


def csv_text(xy: np.ndarray, accuracy=None, header=("x", "y")) -> bytes:
    lines = [",".join([*header, "accuracy"])]
    for i, (x, y) in enumerate(xy):
        acc = 0.0 if accuracy is None else accuracy[i]
        lines.append(f"{x:.3f},{y:.3f},{acc}")
    return ("\n".join(lines) + "\n").encode()


def ring(polygon) -> np.ndarray:
    return shapely.get_coordinates(polygon.exterior)[:-1]


def odk_text(polygon) -> bytes:
    xy = shapely.get_coordinates(polygon.exterior)
    parts = [f"{lat:.9f} {lon:.9f} 1520.0 {0.0 if i % 3 == 0 else 4.5}"
             for i, (lon, lat) in enumerate(xy)]
    return "; ".join(parts).encode() + b";"
