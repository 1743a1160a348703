"""Vietnam's waters are Vietnam (surface, coastal province), and coordinates sent in the
wrong CRS or order get a 422 that names the fix — on the real data, over HTTP."""

import json

import pytest
from fastapi.testclient import TestClient
from shapely.geometry import Point, shape
from shapely.ops import nearest_points

from api.app import create_app
from api.settings import Settings
from geo.common import crs
from geo.common.crs import GEOD
from tests.conftest import DATA_DIR

HA_LONG_BAY = (107.3, 20.75)
DONG_HOI = (106.62, 17.47)  # Quảng Bình coast (province 44 since 2025), no 1982 baseline
LUNG_CU = (105.332, 23.378)


@pytest.fixture(scope="module")
def client(db_url, loaded):
    with TestClient(create_app(Settings(), url=db_url)) as c:
        yield c


@pytest.fixture(scope="module")
def coast():
    features = json.loads((DATA_DIR / "vn_coastline.geojson").read_text())["features"]
    return [shape(f["geometry"]) for f in features]


def _offshore(distance_m: float) -> tuple[float, float]:
    lon, lat, _ = GEOD.fwd(*DONG_HOI, 60.0, distance_m)  # seaward, across the coast
    return lon, lat


def _shore_m(coast, lon: float, lat: float) -> float:
    near = [nearest_points(line, Point(lon, lat))[0] for line in coast]
    return min(GEOD.inv(lon, lat, p.x, p.y)[2] for p in near)


def _point(client, lon, lat, **params):
    return client.get("/v1/check/point", params={"lon": lon, "lat": lat, **params})


def test_sea__ha_long_bay_is_vietnam_in_quang_ninh(client):
    body = _point(client, *HA_LONG_BAY).json()
    assert body["in_vietnam"] is True and body["country"] == "VNM"
    # no baseline in the data in the Gulf of Tonkin: its waters count as territorial sea
    assert body["surface"] == "territorial_sea" and body["in_sea_border_area"]
    assert body["province"]["code"] == "22" and body["province"]["name"] == "Quảng Ninh"
    assert body["in_land_border_area"] is False and body["commune"] is None


def test_sea__20_km_offshore_is_territorial_sea_40_km_is_no_state(client, coast):
    near, far = _offshore(20_000.0), _offshore(40_000.0)
    assert 15_000 < _shore_m(coast, *near) < 12 * 1852 < _shore_m(coast, *far)
    body = _point(client, *near).json()
    assert body["in_vietnam"] and body["country"] == "VNM"
    assert body["surface"] == "territorial_sea" and body["province"]["code"] == "44"
    beyond = _point(client, *far).json()
    assert beyond["in_vietnam"] is False and beyond["country"] is None
    assert beyond["surface"] is None and beyond["province"] is None


def test_sea__land_and_internal_waters_are_named(client):
    assert _point(client, 105.8542, 21.0285).json()["surface"] == "land"
    bay = _point(client, 108.3, 16.1).json()  # Đà Nẵng bay, behind the 1982 baseline
    assert bay["in_vietnam"] and bay["surface"] == "internal_waters"
    assert bay["province"]["code"] == "48"


def test_sea__batch_rows_carry_the_same_answer(client):
    near = _offshore(20_000.0)
    body = f"id,lon,lat\nbay,{HA_LONG_BAY[0]},{HA_LONG_BAY[1]}\nnear,{near[0]},{near[1]}\n"
    response = client.post("/v1/check/batch", content=body,
                           headers={"content-type": "text/csv"})
    assert response.status_code == 200, response.text
    rows = {r["id"]: r for r in map(json.loads, response.text.splitlines()) if "id" in r}
    for key, lonlat in (("bay", HA_LONG_BAY), ("near", near)):
        single = _point(client, *lonlat).json()
        for name in ("in_vietnam", "country", "surface"):
            assert rows[key][name] == single[name], (key, name)
        assert rows[key]["province"]["code"] == single["province"]["code"]


def test_crs__projected_numbers_without_crs_suggest_the_provinces_zone(client):
    x, y = crs.transformer(crs.WGS84, 9209).transform(*LUNG_CU)  # Hà Giang's 3° zone
    response = _point(client, x, y)
    assert response.status_code == 422
    body = response.json()
    assert body["field"] == "crs" and "crs=EPSG:9209" in body["message"]
    assert "province 08" in body["message"] and "easting/northing" in body["message"]
    hinted = _point(client, x, y, crs="EPSG:9209").json()
    assert hinted["commune"]["name"] == "Lũng Cú"
    route = client.post("/v1/check", json={"geometry": {"type": "Point",
                                                        "coordinates": [x, y]}})
    assert route.status_code == 422 and "EPSG:9209" in route.json()["message"]


def test_crs__swapped_easting_northing_is_named(client):
    x, y = crs.transformer(crs.WGS84, 3405).transform(*LUNG_CU)
    response = _point(client, y, x, crs="EPSG:3405")  # northing first: near the Philippines
    assert response.status_code == 422
    assert "easting and northing look swapped" in response.json()["message"]
    assert _point(client, x, y, crs="EPSG:3405").json()["commune"]["name"] == "Lũng Cú"
