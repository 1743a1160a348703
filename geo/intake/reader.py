"""The intake's entry points: ``read_geometry`` (an uploaded file or geoshape string) and
``from_geojson`` (a GeoJSON geometry sent in a JSON body).

Both give an ``Intake``: the lon/lat (EPSG:4326) MultiPolygon, the geometry as written (in
its source CRS) and the report (format, CRS, the operation used, counts, per-vertex
accuracy, warnings and diagnoses). Invalid polygons are refused with the reason; likely CRS
mistakes are reported with the corrected geometry, never applied.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import shapely
from shapely.geometry import shape as geojson_shape

from geo.common import crs
from geo.common.errors import InvalidInput
from geo.common.limits import check_vertices
from geo.intake import diagnosis, gdal, odk, sniff, vn2000
from geo.intake.model import DEFAULT_LIMITS, Intake, IntakeLimits, IntakeReport, Reference

#: Formats whose coordinates are WGS 84 by definition.
WGS84_FORMATS = (sniff.KML, sniff.KMZ, sniff.GPX, sniff.ODK)


def _source_crs(fmt: str, stated: str | None, declared: str | None, field: str) -> tuple[
        int, list[str]]:
    """The EPSG code to read the coordinates in, and warnings about how it was chosen."""
    if fmt in WGS84_FORMATS:
        if declared and vn2000.accept(declared) != crs.WGS84:
            raise InvalidInput(f"crs: {fmt} coordinates are WGS 84 by definition; do not "
                               f"declare {declared}", field="crs")
        return crs.WGS84, []
    file_code = vn2000.accept(stated, field=field) if stated else None
    if declared:
        code = vn2000.accept(declared)
        if fmt == sniff.GEOJSON and file_code == crs.WGS84 and code != crs.WGS84:
            return code, [f"GeoJSON is WGS 84 (RFC 7946); read in EPSG:{code} as declared"]
        if file_code is not None and file_code != code:
            raise InvalidInput(f"crs: the file states EPSG:{file_code} but crs says "
                               f"EPSG:{code}; drop crs or fix the file", field="crs")
        return code, []
    if file_code is None:
        raise InvalidInput(f"crs: this {fmt} does not state its CRS; send crs (e.g. "
                           "EPSG:9209 for a VN-2000 3° zone)", field="crs")
    return file_code, []


def _accuracy(values: Sequence[float | None] | None) -> tuple[dict | None, list[str]]:
    if values is None:
        return None, []
    ring = list(values[:-1]) if len(values) > 1 else list(values)
    known = np.array([v for v in ring if v is not None], dtype="float64")
    unknown = len(ring) - len(known)
    summary = {"known": int(len(known)), "unknown": unknown,
               "max": round(float(known.max()), 2) if len(known) else None,
               "median": round(float(np.median(known)), 2) if len(known) else None}
    notes = [f"{unknown} vertex(es) without a measured accuracy (0 or empty: tapped or "
             "typed, not measured — unknown, not perfect)"] if unknown else []
    return summary, notes


def _to_lonlat(written, epsg: int):
    return written if epsg == crs.WGS84 else shapely.transform(
        written, lambda xy: diagnosis.declared(xy, epsg))


def _check_lonlat(geom, diagnoses, field: str) -> None:
    xy = shapely.get_coordinates(geom)
    if np.all(np.isfinite(xy)) and np.all(np.abs(xy[:, 0]) <= 180) and \
            np.all(np.abs(xy[:, 1]) <= 90):
        return
    hints = [d.as_dict(with_geometry=False) for d in diagnoses if d.flagged]
    raise InvalidInput(f"{field}: the coordinates do not land on the Earth in the CRS given"
                       + (f"; likely {hints[0]['code']}" if hints else ""), field=field,
                       detail={"diagnoses": hints})


def _multipolygon(geom, field: str, repairs: list[str] | None = None
                  ) -> shapely.MultiPolygon:
    """The polygons of ``geom``; an invalid one is refused, or, when ``repairs`` is a list
    (the caller asked for repair), made valid with what changed appended to it."""
    parts = [p for p in shapely.get_parts(geom) if p.geom_type == "Polygon"]
    if not parts:
        raise InvalidInput(f"{field}: no polygon", field=field)
    out = shapely.MultiPolygon(parts)
    if out.is_valid:
        return out
    reason = shapely.is_valid_reason(out)
    if repairs is None:
        raise InvalidInput(f"{field}: invalid polygon ({reason}); fix it at the source "
                           "(nothing is repaired silently)", field=field)
    fixed = shapely.make_valid(out, method="structure")
    polygons = [p for p in shapely.get_parts(fixed) if p.geom_type == "Polygon"]
    if not polygons:
        raise InvalidInput(f"{field}: invalid polygon ({reason}) that no repair can save",
                           field=field)
    repaired = shapely.MultiPolygon(polygons)
    repairs.append(f"invalid polygon ({reason}) made valid: {len(parts)} part(s) became "
                   f"{len(polygons)}, {int(shapely.get_num_coordinates(out))} vertices "
                   f"became {int(shapely.get_num_coordinates(repaired))}")
    return repaired


def _finish(written, fmt: str, epsg: int, notes: list[str], accuracy,
            limits: IntakeLimits, refs: Sequence[Reference], province_code: str | None,
            field: str, repair: bool = False) -> Intake:
    repairs: list[str] | None = [] if repair else None
    written = _multipolygon(written, field, repairs) if epsg == crs.WGS84 else written
    limits.check_shape(int(shapely.get_num_coordinates(written)),
                       len(shapely.get_parts(written)), field=field)
    found = diagnosis.diagnose(written, epsg, refs, province_code)
    lonlat = _to_lonlat(written, epsg)
    _check_lonlat(lonlat, found, field)
    lonlat = _multipolygon(lonlat, field, repairs)
    summary, acc_notes = _accuracy(accuracy)
    zones = vn2000.province_zones(province_code)
    if epsg in vn2000.TM3_MERIDIANS and zones and epsg not in zones:
        notes.append(f"EPSG:{epsg} is not a 3° zone of province {province_code}; "
                     f"{vn2000.zone_suggestion(province_code)}")
    area = abs(crs.GEOD.geometry_area_perimeter(lonlat)[0])
    report = IntakeReport(fmt, epsg, vn2000.crs_name(epsg), vn2000.operation(epsg),
                          int(shapely.get_num_coordinates(lonlat)), len(lonlat.geoms), area,
                          summary, tuple(notes + acc_notes), found, tuple(repairs or ()))
    per_vertex = None if accuracy is None else tuple(accuracy)
    return Intake(lonlat, written, report, per_vertex)


def read_geometry(data: bytes, *, filename: str | None = None, crs_text: str | None = None,
                  limits: IntakeLimits = DEFAULT_LIMITS, references: Sequence[Reference] = (),
                  province_code: str | None = None, field: str = "file",
                  repair: bool = False) -> Intake:
    """Read an uploaded file (or an ODK geoshape string) into an ``Intake``.

    ``crs_text`` declares the CRS where the format does not (CSV, a Shapefile without .prj);
    ``references`` say where the geometry should lie, to flag likely mistakes; ``repair``
    makes an invalid polygon valid (saying what changed in ``report.repairs``) instead of
    refusing it."""
    found = sniff.sniff(data, filename, limits, field)
    accuracy = None
    if found.format == sniff.ODK:
        written, accuracy = odk.parse(found.data.decode("utf-8"), limits.max_vertices)
        stated = None
    elif found.format == sniff.CSV:
        written, accuracy = gdal.read_csv(found.data, limits, field)
        stated = None
    else:
        written, stated = gdal.read_features(found.data, found.format, limits, field)
    epsg, notes = _source_crs(found.format, stated, crs_text, field)
    return _finish(written, found.format, epsg, notes, accuracy, limits, references,
                   province_code, field, repair)


def from_geojson(geometry: Mapping[str, Any], *, crs_text: str | None = None,
                 limits: IntakeLimits = DEFAULT_LIMITS, references: Sequence[Reference] = (),
                 province_code: str | None = None, field: str = "geometry") -> Intake:
    """A GeoJSON Polygon/MultiPolygon (lon/lat unless ``crs_text`` says otherwise)."""
    check_vertices(geometry, limits.max_vertices, field=field)
    if not isinstance(geometry, Mapping) or geometry.get("type") not in ("Polygon",
                                                                          "MultiPolygon"):
        raise InvalidInput(f"{field}: a GeoJSON Polygon or MultiPolygon", field=field)
    try:
        written = geojson_shape(geometry)
    except (ValueError, TypeError, AttributeError, IndexError) as exc:
        raise InvalidInput(f"{field}: malformed GeoJSON ({exc})", field=field) from None
    epsg = vn2000.accept(crs_text) if crs_text else crs.WGS84
    return _finish(written, "geojson", epsg, [], None, limits, references, province_code,
                   field)
