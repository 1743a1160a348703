"""Parsing what apps send: GeoJSON geometries (any accepted CRS) and GPX tracks.

Output is always lon/lat (EPSG:4326), transformed once per request with one vectorised
call; times are aware datetimes (no offset = Hanoi time).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime

import defusedxml.ElementTree as DET
import numpy as np
from defusedxml import DefusedXmlException

from geo.common.crs import WGS84
from geo.common.errors import InvalidInput, PayloadTooLarge
from geo.common.lonlat import to_lonlat, validate_lonlat
from geo.common.timeutil import parse_instant

POINT_TYPES = ("Point", "MultiPoint")
LINE_TYPES = ("LineString", "MultiLineString")


@dataclass
class Parsed:
    """Points (lon, lat arrays) or a route (parts of [lon, lat] rows) with optional times."""

    kind: str  # "points" | "route"
    lon: np.ndarray | None = None
    lat: np.ndarray | None = None
    parts: list[np.ndarray] | None = None
    times: list[list[datetime]] | None = None


def _parts_of(geometry: dict) -> tuple[str, list[list]]:
    if not isinstance(geometry, dict) or "type" not in geometry:
        raise InvalidInput("geometry: a GeoJSON geometry object is required", field="geometry")
    kind, coords = geometry["type"], geometry.get("coordinates")
    if kind not in POINT_TYPES + LINE_TYPES:
        raise InvalidInput(f"geometry: type {kind!r} is not accepted; use Point, MultiPoint, "
                           "LineString or MultiLineString", field="geometry")
    if not isinstance(coords, list) or not coords:
        raise InvalidInput("geometry: empty coordinates", field="geometry")
    if kind == "Point":
        return "points", [[coords]]
    if kind in ("MultiPoint", "LineString"):
        return ("points" if kind == "MultiPoint" else "route"), [coords]
    return "route", coords


def _to_array(part, n: int) -> np.ndarray:
    try:
        arr = np.asarray(part, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"geometry: part {n} has non-numeric coordinates",
                           field="geometry") from exc
    if arr.ndim != 2 or arr.shape[1] < 2 or len(arr) == 0:
        raise InvalidInput(f"geometry: part {n} must be a list of [x, y] positions",
                           field="geometry")
    return arr[:, :2]


def from_geojson(geometry: dict, epsg: int, *, max_vertices: int,
                 times: list | None = None) -> Parsed:
    """Validate and transform a GeoJSON geometry given in ``epsg``."""
    kind, raw = _parts_of(geometry)
    arrays = [_to_array(p, n) for n, p in enumerate(raw)]
    total = sum(len(a) for a in arrays)
    if total > max_vertices:
        raise PayloadTooLarge(f"geometry: {total} positions, more than the limit of "
                              f"{max_vertices}", field="geometry")
    xy = np.concatenate(arrays)
    lon, lat = _transform(xy[:, 0], xy[:, 1], epsg)
    if kind == "points":
        return Parsed("points", lon=lon, lat=lat)
    split = np.cumsum([len(a) for a in arrays])[:-1]
    parts = [np.column_stack(p) for p in zip(np.split(lon, split), np.split(lat, split),
                                             strict=True)]
    return Parsed("route", parts=parts, times=_times(times, arrays, geometry["type"]))


def _transform(x: np.ndarray, y: np.ndarray, epsg: int) -> tuple[np.ndarray, np.ndarray]:
    if epsg in (WGS84, 4756):
        for i in range(len(x)):
            validate_lonlat(float(x[i]), float(y[i]), field_prefix=f"position {i}: ")
    lon, lat = to_lonlat(x, y, epsg)
    if epsg not in (WGS84, 4756):
        for i in range(len(lon)):
            validate_lonlat(float(lon[i]), float(lat[i]),
                            field_prefix=f"position {i} (from EPSG:{epsg}): ")
    return lon, lat


def _times(times: list | None, arrays: list[np.ndarray], kind: str) -> list | None:
    if times is None:
        return None
    nested = times if kind == "MultiLineString" else [times]
    if not isinstance(nested, list) or any(not isinstance(t, list) for t in nested):
        raise InvalidInput("times: one list of ISO-8601 times per line part", field="times")
    if [len(t) for t in nested] != [len(a) for a in arrays]:
        raise InvalidInput("times: give exactly one time per vertex", field="times")
    multi = kind == "MultiLineString"
    return [[_vertex_time(t, (p, i) if multi else (i,)) for i, t in enumerate(part)]
            for p, part in enumerate(nested)]


def _vertex_time(value: object, index: tuple[int, ...]) -> datetime:
    """One vertex's time: ISO-8601 text only; a refusal names ``times[i]`` (``[p][i]``)."""
    place = "times" + "".join(f"[{n}]" for n in index)
    where = {"index": list(index) if len(index) > 1 else index[0]}
    if value is None or (isinstance(value, str) and not value.strip()):
        got = "null" if value is None else "empty text"
        raise InvalidInput(f"{place}: every vertex needs an ISO-8601 date-time text, got "
                           f"{got}", field="times", detail=where)
    try:
        moment = parse_instant(value, field=place)
    except InvalidInput as exc:
        raise InvalidInput(exc.message, field="times", detail=where) from None
    assert moment is not None  # non-empty text never parses to None
    return moment


def from_gpx(data: bytes, *, max_vertices: int) -> Parsed:
    """Tracks (trkseg/trkpt) or routes (rte/rtept) of a GPX file, with their times.

    Parsed by defusedxml with DTDs forbidden: a DOCTYPE, entity or external reference is
    refused in any encoding the XML declares (UTF-8, UTF-16, ...)."""
    try:
        root = DET.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise InvalidInput(f"file: GPX with a DOCTYPE, entities or external references is "
                           f"refused ({type(exc).__name__})", field="file") from None
    except (ET.ParseError, ValueError, LookupError) as exc:
        raise InvalidInput(f"file: not valid GPX/XML ({exc})", field="file") from None
    segments = [seg for seg in root.iter() if _local(seg.tag) in ("trkseg", "rte")]
    parts, times = [], []
    for seg in segments:
        pts = [p for p in seg if _local(p.tag) in ("trkpt", "rtept")]
        if pts:
            parts.append(pts)
    if not parts:
        raise InvalidInput("file: the GPX has no track or route points", field="file")
    total = sum(len(p) for p in parts)
    if total > max_vertices:
        raise PayloadTooLarge(f"file: {total} track points, more than the limit of "
                              f"{max_vertices}", field="file")
    arrays = [np.array([[_coord(p, "lon"), _coord(p, "lat")] for p in pts]) for pts in parts]
    times = [[_time_of(p, f"segment {s}, point {k}") for k, p in enumerate(pts)]
             for s, pts in enumerate(parts)]
    timed = [t for part in times for t in part if t is not None]
    if timed and len(timed) != total:
        raise InvalidInput("file: some track points have a <time> and others not",
                           field="file")
    return Parsed("route", parts=arrays, times=times if timed else None)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _coord(point: ET.Element, name: str) -> float:
    try:
        value = float(point.attrib[name])
    except (KeyError, ValueError) as exc:
        raise InvalidInput(f"file: a track point lacks a numeric {name}", field="file") from exc
    limit = 180.0 if name == "lon" else 90.0
    if abs(value) > limit:
        raise InvalidInput(f"file: {name} {value} out of range", field="file")
    return value


def _time_of(point: ET.Element, place: str) -> datetime | None:
    """The point's <time>; a refusal names the segment and point (from 0)."""
    for child in point:
        if _local(child.tag) == "time" and child.text:
            try:
                return parse_instant(child.text.strip(), field=f"file: {place}: <time>")
            except InvalidInput as exc:
                raise InvalidInput(exc.message, field="file") from None
    return None
