"""GET /v1/check/point over HTTP, on the real data."""

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from tests.crs_reference import wgs84_to_vn2000_utm48


@pytest.fixture(scope="module")
def client(db_url, loaded):
    app = create_app(Settings(), url=db_url)
    with TestClient(app) as c:
        yield c


def test_point__hoan_kiem_is_hanoi_not_border(client):
    body = client.get("/v1/check/point", params={"lon": 105.8542, "lat": 21.0285}).json()
    assert body["in_vietnam"] is True and body["country"] == "VNM"
    assert body["province"]["code"] == "01" and body["province"]["name"] == "Hà Nội"
    assert body["in_land_border_area"] is False and body["in_border_belt"] is False
    assert body["nearest_neighbour"] == "LAO"
    assert body["border_distance_m"] == pytest.approx(132_678.5, abs=1.0)


def test_point__lung_cu_is_border_commune_in_belt(client):
    # 400 m south of the China line at Lung Cu (Tuyen Quang), the northernmost commune
    body = client.get("/v1/check/point", params={"lon": 105.3208, "lat": 23.3590}).json()
    assert body["commune"] == {"code": "00715", "name": "Lũng Cú", "precision": "exact"}
    assert body["province"]["name"] == "Tuyên Quang"
    assert body["in_land_border_area"] and body["nearest_neighbour"] == "CHN"


def test_point__vn2000_input_matches_wgs84(client):
    """Hoàn Kiếm in VN-2000 / UTM 48N, projected with EPSG:6960's published parameters
    (tests/crs_reference.py, not the code under test), is answered as the WGS 84 point is:
    the same commune and the border distance to a centimetre."""
    wgs = client.get("/v1/check/point", params={"lon": 105.8542, "lat": 21.0285}).json()
    e, n = wgs84_to_vn2000_utm48(105.8542, 21.0285)
    assert (e, n) == pytest.approx((588_565.36, 2_325_647.34), abs=0.01)
    utm = client.get("/v1/check/point", params={"lon": e, "lat": n, "crs": "EPSG:3405"}).json()
    assert utm["province"] == wgs["province"] and utm["commune"] == wgs["commune"]
    assert utm["border_distance_m"] == pytest.approx(wgs["border_distance_m"], abs=0.01)
    assert utm["border_distance_m"] == pytest.approx(132_678.5, abs=1.0)


@pytest.mark.parametrize("params, field, words", [
    ({"lon": 21.0285, "lat": 105.8542}, "lat", "swapped"),
    ({"lon": 200, "lat": 10}, "lon", "outside"),
    ({"lon": 105, "lat": -91}, "lat", "outside"),
    ({"lon": "abc", "lat": 21}, "lon", "valid number"),
    ({"lat": 21}, "lon", "required"),
    ({"lon": 105.8, "lat": 21, "crs": "EPSG:3857"}, "crs", "unsupported CRS"),
    ({"lon": 105.8, "lat": 21, "at": "yesterday"}, "at", "ISO-8601"),
])
def test_point__bad_input_is_422_naming_the_field(client, params, field, words):
    response = client.get("/v1/check/point", params=params)
    assert response.status_code == 422
    body = response.json()
    assert body["field"] == field and words in body["message"]


def test_point__database_down_is_503_not_a_trace():
    app = create_app(Settings(), url="postgresql+psycopg://nobody:x@127.0.0.1:9/none")
    with TestClient(app) as c:
        response = c.get("/v1/check/point", params={"lon": 105.85, "lat": 21.03})
        assert response.status_code == 503
        assert response.json()["error"] == "unavailable"
        assert "Traceback" not in response.text
        health = c.get("/health")
        assert health.status_code == 503 and health.json()["status"] == "degraded"


def test_point__far_from_vietnam_has_no_distance_not_a_500(client):
    response = client.get("/v1/check/point", params={"lon": 21.0, "lat": 4.0})
    assert response.status_code == 200
    body = response.json()
    assert body["in_vietnam"] is False and body["border_distance_m"] is None
    assert body["country"] is None and body["nearest_neighbour"] is None
