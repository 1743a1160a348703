"""Readers for everything GDAL reads, through pyogrio: GeoJSON, KML (and a KMZ's KML),
GPX, GeoPackage, zipped Shapefile, and CSV tables of vertices.

The bytes have been screened by ``geo.intake.sniff`` first. Polygons are collected from
every layer; a GPX track or route is closed into a polygon (its last vertex joined to its
first). Points (KML pins, GPX waypoints) are ignored. Geometries are returned in the
file's own coordinates with the CRS the file states (None when it states none).
"""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path

import numpy as np
import pyogrio
import pyogrio.raw
import shapely
from pyogrio.errors import DataLayerError, DataSourceError

from geo.common.errors import InvalidInput
from geo.intake import sniff
from geo.intake.model import IntakeLimits

_POLYGONAL = ("Polygon", "MultiPolygon")
_LINEAR = ("LineString", "MultiLineString", "LinearRing")
X_NAMES = ("x", "lon", "lng", "long", "longitude", "easting", "e")
Y_NAMES = ("y", "lat", "latitude", "northing", "n")
ACC_NAMES = ("accuracy", "accuracy_m", "acc", "acc_m", "horizontal_accuracy")


def _layers(data: bytes, fmt: str) -> list[str | None]:
    names = [str(row[0]) for row in pyogrio.list_layers(data)]
    if fmt == sniff.GPX:
        return [n for n in names if n in ("tracks", "routes")]
    return names if len(names) > 1 else [None]  # one layer: whatever GDAL names it


def _close(line) -> list[shapely.Polygon]:
    out = []
    for part in shapely.get_parts(line):
        xy = shapely.get_coordinates(part)
        if len(xy) >= 3:
            out.append(shapely.Polygon(np.vstack([xy, xy[:1]]) if not
                                       np.array_equal(xy[0], xy[-1]) else xy))
    return out


def _polygons(geoms, fmt: str) -> list[shapely.Polygon]:
    out: list[shapely.Polygon] = []
    for geom in geoms:
        if geom is None or geom.is_empty:
            continue
        if geom.geom_type in _POLYGONAL:
            out.extend(shapely.get_parts(geom))
        elif geom.geom_type in _LINEAR and fmt == sniff.GPX:
            out.extend(_close(geom))
        elif geom.geom_type == "GeometryCollection":
            out.extend(_polygons(shapely.get_parts(geom), fmt))
    return out


def read_features(data: bytes, fmt: str, limits: IntakeLimits,
                  field: str = "file") -> tuple[shapely.MultiPolygon, str | None]:
    """Every polygon of every layer (source coordinates) and the CRS the file states."""
    polygons: list[shapely.Polygon] = []
    stated = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for layer in _layers(data, fmt):
                meta, _, wkb, _ = pyogrio.raw.read(data, layer=layer, columns=[],
                                                   max_features=limits.max_parts + 1)
                stated = stated or meta.get("crs")
                polygons.extend(_polygons(shapely.from_wkb(wkb), fmt))
                limits.check_shape(0, len(polygons), field=field)
    except (DataSourceError, DataLayerError) as exc:
        raise InvalidInput(f"{field}: GDAL cannot read this {fmt}: {exc}", field=field) \
            from None
    except (ValueError, RuntimeError) as exc:  # pyogrio reports some failures this way
        raise InvalidInput(f"{field}: GDAL cannot read this {fmt}: {exc}", field=field) \
            from None
    if not polygons:
        raise InvalidInput(f"{field}: no polygon in this {fmt} (a GPX needs a track or "
                           "route; points alone do not make an area)", field=field)
    return shapely.MultiPolygon(polygons), stated


def _column(names: list[str], wanted: tuple[str, ...]) -> int | None:
    lower = [n.strip().lower() for n in names]
    return next((lower.index(w) for w in wanted if w in lower), None)


def _numbers(values, name: str, field: str) -> np.ndarray:
    try:
        out = np.array([float(v) if v not in (None, "") else np.nan for v in values])
    except ValueError:
        raise InvalidInput(f"{field}: column {name} holds something that is not a number",
                           field=field) from None
    return out


def read_csv(data: bytes, limits: IntakeLimits,
             field: str = "file") -> tuple[shapely.Polygon, list[float | None]]:
    """A CSV of vertices in ring order (GDAL's CSV driver): columns ``x,y`` (or lon,lat /
    easting,northing) and an optional per-vertex ``accuracy`` in metres (0 = unknown)."""
    with tempfile.TemporaryDirectory(prefix="bz-intake-") as tmp:
        path = Path(tmp) / "vertices.csv"
        path.write_bytes(data)
        try:
            meta, _, _, values = pyogrio.raw.read(str(path), read_geometry=False,
                                                  max_features=limits.max_vertices + 1)
        except (DataSourceError, DataLayerError) as exc:
            raise InvalidInput(f"{field}: GDAL cannot read this CSV: {exc}", field=field) \
                from None
    names = [str(n) for n in meta["fields"]]
    ix, iy, ia = (_column(names, w) for w in (X_NAMES, Y_NAMES, ACC_NAMES))
    if ix is None or iy is None:
        raise InvalidInput(f"{field}: a CSV of vertices needs columns x,y (or lon,lat or "
                           f"easting,northing); found {', '.join(names) or 'none'}",
                           field=field)
    limits.check_shape(len(values[ix]), 1, field=field)
    xy = np.column_stack([_numbers(values[ix], names[ix], field),
                          _numbers(values[iy], names[iy], field)])
    if not np.all(np.isfinite(xy)):
        raise InvalidInput(f"{field}: a vertex lacks x or y", field=field)
    acc = _numbers(values[ia], names[ia], field) if ia is not None else np.full(len(xy), 0.0)
    if len(xy) and not np.array_equal(xy[0], xy[-1]):
        xy, acc = np.vstack([xy, xy[:1]]), np.append(acc, acc[:1])
    if len(np.unique(xy, axis=0)) < 3:
        raise InvalidInput(f"{field}: a polygon needs at least 3 distinct vertices",
                           field=field)
    return shapely.Polygon(xy), [float(a) if a > 0 else None for a in acc]
