"""POST /v1/check: points, routes, GPX uploads and their refusals, over HTTP."""

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from tests.crs_reference import wgs84_to_vn2000_utm48

ROUTE = [[106.7615, 21.8537], [106.70, 22.05]]
GPX = (b'<?xml version="1.0"?><gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1">'
       b'<trk><trkseg><trkpt lat="21.8537" lon="106.7615"><time>2026-03-01T01:00:00Z</time>'
       b'</trkpt><trkpt lat="22.05" lon="106.70"><time>2026-03-01T02:00:00Z</time></trkpt>'
       b'</trkseg></trk></gpx>')


@pytest.fixture(scope="module")
def client(db_url, loaded):
    with TestClient(create_app(Settings(), url=db_url)) as c:
        yield c


def test_check__point_lists_obligations_with_citations(client):
    body = client.post("/v1/check", json={
        "geometry": {"type": "Point", "coordinates": [105.332, 23.378]},
        "person": "foreign_resident", "at": "2026-01-10T09:00"}).json()
    point = body["points"][0]
    assert point["zone_kinds"] == ["land_border_area", "border_belt"]
    ids = {o["id"] for o in point["obligations"]}
    assert "belt.foreign_resident.border_post_consent" in ids
    assert all(o["citations"] for o in point["obligations"])
    assert body["at"].startswith("2026-01-10T09:00:00+07:00")


def test_check__multipoint_answers_each_point(client):
    body = client.post("/v1/check", json={"geometry": {
        "type": "MultiPoint", "coordinates": [[105.8542, 21.0285], [105.332, 23.378]]}}).json()
    assert [p["in_land_border_area"] for p in body["points"]] == [False, True]


def test_check__route_in_vn2000_matches_wgs84(client):
    wgs = client.post("/v1/check", json={"geometry": {"type": "LineString",
                                                      "coordinates": ROUTE}}).json()
    assert [z["kind"] for z in wgs["zones"]][:2] == ["land_border_area", "border_belt"]
    assert wgs["zones"][0]["name"] == "Đồng Đăng"
    # the input projected independently of geo.common.crs (EPSG:6960's published parameters)
    utm_route = [list(wgs84_to_vn2000_utm48(lon, lat)) for lon, lat in ROUTE]
    utm = client.post("/v1/check", json={"crs": "EPSG:3405", "geometry": {
        "type": "LineString", "coordinates": utm_route}}).json()
    assert [(z["kind"], z["id"]) for z in utm["zones"]] == [
        (z["kind"], z["id"]) for z in wgs["zones"]]
    assert utm["zones"][0]["entry"]["lon"] == pytest.approx(wgs["zones"][0]["entry"]["lon"],
                                                           abs=1e-7)


def test_check__gpx_upload_gives_entry_times_in_hanoi_time(client):
    body = client.post("/v1/check", files={"file": ("trip.gpx", GPX)},
                       data={"person": "foreign_visitor"}).json()
    first = body["zones"][0]
    assert first["kind"] == "land_border_area"
    assert first["entry"]["time"].startswith("2026-03-01T08:2")
    assert first["entry"]["time"].endswith("+07:00")
    assert body["person"] == "foreign_visitor"


@pytest.mark.parametrize("payload, field, words", [
    ({"geometry": {"type": "Point", "coordinates": [105.3, 23.3]}, "person": "alien"},
     "person", "unknown value"),
    ({"geometry": {"type": "LineString", "coordinates": [[106.7, 21.8], [106.7, 21.8]]}},
     "geometry", "degenerate"),
    ({"geometry": {"type": "LineString", "coordinates": []}}, "geometry", "empty"),
    ({"geometry": {"type": "LineString", "coordinates": ROUTE},
      "times": ["2026-03-01T09:00", "2026-03-01T08:00"]}, "times", "out of order"),
    ({"geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 1], [0, 0]]]}},
     "geometry", "not accepted"),
    ({"geometry": {"type": "Point", "coordinates": [21.03, 105.85]}}, "lat", "swapped"),
    ({"geometry": {"type": "Point", "coordinates": [105.3, 23.3]}, "crs": "EPSG:1"},
     "crs", "unsupported"),
])
def test_check__bad_input_is_422_naming_the_problem(client, payload, field, words):
    response = client.post("/v1/check", json=payload)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field and words in response.json()["message"]


def test_check__gpx_with_entities_is_refused(client):
    evil = b'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY x "y">]><gpx></gpx>'
    response = client.post("/v1/check", files={"file": ("x.gpx", evil)})
    assert response.status_code == 422 and response.json()["field"] == "file"


def test_check__too_many_vertices_is_413(db_url, loaded):
    settings = Settings(BORDERZONE_MAX_VERTICES=5)
    with TestClient(create_app(settings, url=db_url)) as c:
        coords = [[106.0 + i * 0.01, 21.0] for i in range(10)]
        response = c.post("/v1/check", json={"geometry": {"type": "LineString",
                                                          "coordinates": coords}})
        assert response.status_code == 413 and "limit of 5" in response.json()["message"]
