"""An independent VN-2000 reference for tests: EPSG:6960's published parameters typed out.

``geo.common.crs`` finds the EPSG:6960 operation in PROJ's database; a test that used it to
make its input would check the code with itself. Here the operation is written out from the
EPSG dataset's record of "VN-2000 to WGS 84 (2)" (EPSG:6960, coordinate frame rotation,
tx -191.90441429 m, ty -39.30318279 m, tz -111.45032835 m, rx -0.00928836″,
ry 0.01975479″, rz -0.00427372″, ds 0.252906278 ppm) followed by UTM zone 48N
(EPSG:3405: k 0.9996, lon0 105° E, false easting 500 km); VN-2000 uses the WGS 84 ellipsoid.
"""

from __future__ import annotations

from pyproj import Transformer

_WGS84_TO_VN2000_UTM48 = (
    "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad "
    "+step +proj=push +v_3 +step +proj=cart +ellps=WGS84 "
    "+step +inv +proj=helmert +x=-191.90441429 +y=-39.30318279 +z=-111.45032835 "
    "+rx=-0.00928836 +ry=0.01975479 +rz=-0.00427372 +s=0.252906278 "
    "+convention=coordinate_frame "
    "+step +inv +proj=cart +ellps=WGS84 +step +proj=pop +v_3 "
    "+step +proj=utm +zone=48 +ellps=WGS84")


def wgs84_to_vn2000_utm48(lon: float, lat: float) -> tuple[float, float]:
    """WGS 84 lon/lat degrees → VN-2000 / UTM 48N (EPSG:3405) easting, northing in metres."""
    e, n = Transformer.from_pipeline(_WGS84_TO_VN2000_UTM48).transform(lon, lat)
    return float(e), float(n)
