"""Every intake format round-trips the same real polygon (around the deepest point of Lũng Cú
commune) to within 0.05 m, measured by Hausdorff distance in a local metric CRS."""

from __future__ import annotations

import json

import pytest
import shapely

from geo.common import crs
from geo.common.errors import InvalidInput, PayloadTooLarge
from geo.intake import IntakeLimits, read_geometry
from geo.intake.vn2000 import accept, province_zones
from tests.geo.intake import intake_support as s


@pytest.fixture(scope="module")
def site():
    commune = s.lung_cu()
    polygon, depth = s.heptagon(commune)
    assert commune.contains(polygon)
    return polygon, depth


def _files(tmp, polygon) -> dict[str, tuple[bytes, str | None]]:
    kml = s.gdal_file(tmp, polygon, "KML", "kml")
    vn_xy = s.ring(s.apply(crs.transformer(4326, s.TM3_HA_GIANG), polygon))
    return {
        "geojson": (s.gdal_file(tmp, polygon, "GeoJSON", "geojson"), None),
        "kml": (kml, None),
        "kmz": (s.zipped(tmp, {"doc.kml": kml}), None),
        "gpx": (s.gdal_file(tmp, polygon, "GPX", "gpx", line=True, layer="tracks"), None),
        "gpkg": (s.gdal_file(tmp, polygon, "GPKG", "gpkg"), None),
        "shapefile": (s.shapefile_zip(tmp, polygon, s.TM3_HA_GIANG), None),
        "csv": (s.csv_text(vn_xy, [0.02] * len(vn_xy)), f"EPSG:{s.TM3_HA_GIANG}"),
        "odk": (s.odk_text(polygon), None),
    }


@pytest.mark.parametrize("fmt", ["geojson", "kml", "kmz", "gpx", "gpkg", "shapefile", "csv",
                                 "odk"])
def test_intake__round_trips_each_format_within_5_cm(tmp_path, site, fmt):
    polygon, depth = site
    assert depth > 1_000  # the centre lies well inside the commune
    data, crs_text = _files(tmp_path, polygon)[fmt]
    got = read_geometry(data, crs_text=crs_text, province_code="08")
    assert got.report.format == fmt
    assert got.report.parts == 1
    assert s.hausdorff_m(got.geometry.geoms[0], polygon) < 0.05
    if fmt in ("shapefile", "csv"):
        assert got.report.epsg == s.TM3_HA_GIANG
        assert "EPSG:6960" in got.report.operation and "helmert" in got.report.operation
    else:
        assert got.report.epsg == 4326 and got.report.operation is None


def test_odk__accuracy_zero_is_unknown_not_perfect(site):
    got = read_geometry(s.odk_text(site[0]))
    assert got.report.accuracy_m == {"known": 4, "unknown": 3, "max": 4.5, "median": 4.5}
    assert any("unknown, not perfect" in w for w in got.report.warnings)


def test_csv__needs_a_declared_crs(site):
    data = s.csv_text(s.ring(site[0]), header=("lon", "lat"))
    with pytest.raises(InvalidInput) as err:
        read_geometry(data)
    assert err.value.field == "crs"


def test_crs__deprecated_tm3_names_its_replacement():
    with pytest.raises(InvalidInput) as err:
        accept("EPSG:6957")
    assert "EPSG:5897" in err.value.message and err.value.detail["replacement"] == "EPSG:5897"
    assert province_zones("08") == (9209, 9211)  # Hà Giang 105°30', Tuyên Quang 106°00'


def test_xml__entities_and_dtds_are_refused():
    bomb = (b'<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><kml>&b;</kml>')
    with pytest.raises(InvalidInput, match="DTD or entities"):
        read_geometry(bomb)
    external = (b'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                b"<gpx>&x;</gpx>")
    with pytest.raises(InvalidInput, match="DTD or entities"):
        read_geometry(external)


def test_limits__size_vertices_parts_and_zip_expansion(tmp_path, site):
    polygon = site[0]
    geojson = s.gdal_file(tmp_path, polygon, "GeoJSON", "geojson")
    with pytest.raises(PayloadTooLarge):
        read_geometry(geojson, limits=IntakeLimits(max_bytes=100))
    with pytest.raises(PayloadTooLarge):
        read_geometry(geojson, limits=IntakeLimits(max_vertices=5))
    many = shapely.MultiPolygon([polygon, shapely.affinity.translate(polygon, 0.05)])
    with pytest.raises(PayloadTooLarge):
        read_geometry(s.gdal_file(tmp_path, many, "GeoJSON", "geojson"),
                      limits=IntakeLimits(max_parts=1))
    bomb = s.zipped(tmp_path, {"doc.kml": b"<kml>" + b" " * 5_000_000 + b"</kml>"})
    with pytest.raises(PayloadTooLarge):
        read_geometry(bomb, limits=IntakeLimits(max_bytes=100_000))


def test_intake__refuses_what_it_does_not_read():
    sqlite = b"SQLite format 3\x00" + b"\x00" * 200
    with pytest.raises(InvalidInput, match="not a GeoPackage"):
        read_geometry(sqlite)
    with pytest.raises(InvalidInput, match="root is <ogrvrtdatasource>"):
        read_geometry(b"<OGRVRTDataSource><OGRVRTLayer name='x'/></OGRVRTDataSource>")
    bowtie = {"type": "Polygon", "coordinates": [[[105, 23], [105.01, 23.01], [105.01, 23],
                                                  [105, 23.01], [105, 23]]]}
    with pytest.raises(InvalidInput, match="invalid polygon"):
        read_geometry(json.dumps(bowtie).encode())
