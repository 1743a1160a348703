"""The same VN-2000 CSV (EPSG:9209, Lũng Cú's 3° zone) written with each classic mistake is
flagged with the right diagnosis and the size of its offset, and never silently fixed."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from pyproj import Transformer

from geo.common import crs
from geo.intake import Reference, read_geometry
from tests.geo.intake import intake_support as s

CM = 105.5  # central meridian of EPSG:9209


def _tm(scale: float) -> Transformer:
    return Transformer.from_pipeline(
        "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad "
        f"+step +proj=tmerc +lat_0=0 +lon_0={CM} +k={scale} +x_0=500000 +y_0=0 +ellps=WGS84")


def _xy(t: Transformer, lonlat: np.ndarray) -> np.ndarray:
    return np.column_stack(t.transform(lonlat[:, 0], lonlat[:, 1]))


@pytest.fixture(scope="module")
def site():
    commune = s.lung_cu()
    polygon, _ = s.heptagon(commune)
    return commune, polygon, s.ring(polygon)


def _written(site, mistake: str) -> np.ndarray:
    _, _, lonlat = site
    if mistake == "no_datum_shift":  # WGS 84 lon/lat projected as if it were VN-2000
        return _xy(_tm(0.9999), lonlat)
    if mistake == "scale_0_9996":  # VN-2000 lon/lat projected with the UTM scale
        vn = _xy(crs.transformer(4326, 4756), lonlat)
        return _xy(_tm(0.9996), vn)
    if mistake == "wrong_zone":  # Tuyên Quang's 106°00' zone, labelled 105°30'
        return _xy(crs.transformer(4326, s.TM3_TUYEN_QUANG), lonlat)
    right = _xy(crs.transformer(4326, s.TM3_HA_GIANG), lonlat)
    return right[:, ::-1] if mistake == "swapped_xy" else right


def _refs(site, corner: bool) -> list[Reference]:
    commune, polygon, lonlat = site
    refs = [Reference("commune 00715 Lũng Cú", commune, "inside", 50.0)]
    if corner:  # one corner surveyed with a GPS (WGS 84, 3 m)
        refs.append(Reference("surveyed corner", shapely.Point(lonlat[0]), "at", 3.0))
    return refs


def _read(site, mistake: str, corner: bool):
    data = s.csv_text(_written(site, mistake))
    return read_geometry(data, crs_text="EPSG:9209", references=_refs(site, corner),
                         province_code="08")


@pytest.mark.parametrize(("mistake", "corner", "low_m", "high_m"), [
    ("no_datum_shift", True, 215, 235),  # ~224 m: +195 m E, -107..-112 m N
    ("scale_0_9996", True, 700, 800),  # 0.0003 x 2,587 km of northing
    ("wrong_zone", False, 45_000, 60_000),  # half a degree of longitude at 23.4°N
    ("swapped_xy", False, 1e6, 1e8),
])
def test_diagnosis__flags_the_mistake_with_its_offset(site, mistake, corner, low_m, high_m):
    got = _read(site, mistake, corner)
    first = got.report.flagged[0]
    assert first.code == mistake, [d.code for d in got.report.flagged]
    assert low_m < first.offset_m < high_m
    assert s.hausdorff_m(first.corrected.geoms[0] if hasattr(first.corrected, "geoms")
                         else first.corrected, site[1]) < 0.05  # the offered correction
    assert s.hausdorff_m(got.geometry.geoms[0], site[1]) > 100  # kept as written


def test_diagnosis__no_datum_shift_signature(site):
    first = _read(site, "no_datum_shift", True).report.flagged[0]
    assert 185 < first.offset_east_m < 205 and -115 < first.offset_north_m < -100


def test_diagnosis__wrong_zone_names_the_province_zone(site):
    first = _read(site, "wrong_zone", False).report.flagged[0]
    assert first.epsg == s.TM3_TUYEN_QUANG


def test_diagnosis__correct_file_flags_nothing(site):
    got = _read(site, "none", True)
    assert got.report.flagged == ()
    rotation = next(d for d in got.report.diagnoses if d.code == "rotation_sign")
    assert 0.5 < rotation.offset_m < 1.5 and not rotation.flagged  # 0.8-1.3 m: too small here


def test_diagnosis__without_a_precise_reference_a_shift_is_only_reported(site):
    got = _read(site, "no_datum_shift", False)  # the commune alone cannot tell 224 m
    assert got.report.flagged == ()
    listed = next(d for d in got.report.diagnoses if d.code == "no_datum_shift")
    assert "cannot be excluded" in listed.message and 215 < listed.offset_m < 235
