"""The dashboard over HTTP: the page, its packaged Leaflet, and the layers it draws: the OGC
items of the registry's map collections with the vendor parameter ``zoom``."""

from __future__ import annotations

import json
import re
from importlib import resources

import pytest
import shapely
from fastapi.testclient import TestClient
from shapely.geometry import shape
from sqlalchemy import delete, text, update

from api.app import create_app
from geo.common.security import Principal, Role
from geo.layers import collections as registry
from geo.store.db import transaction
from geo.store.gates import locations
from geo.store.models import gate, gate_location
from tests.api.decisions.decision_support import GATES, LUNG_CU, auth
from tests.api.security.security_support import settings

ITEMS = "/ogc/collections/{}/items"
LUNG_CU_BBOX = "105.25,23.30,105.42,23.40"
PLANNER = Principal(subject="planner-dashboard-test", roles=frozenset({Role.PLANNER}))
ADMIN = Principal(subject="admin-dashboard-test", roles=frozenset({Role.ADMIN}))


@pytest.fixture(scope="module")
def client(db_url, loaded):
    with TestClient(create_app(settings(), url=db_url)) as c:
        yield c


def _config(html: str) -> dict:
    found = re.search(r'<script id="bz-config" type="application/json">(.*?)</script>', html,
                      re.S)
    return json.loads(found.group(1))


def test_dashboard__page_is_self_contained_and_attributed(client):
    page = client.get("/dashboard")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    csp = page.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "connect-src 'self'" in csp
    assert "http" not in csp  # no base map configured: no other origin at all
    assert not re.search(r'(src|href)="(https?:)?//', page.text)  # nothing from elsewhere
    config = _config(page.text)
    assert config["basemap_url"] == ""
    assert "sapnhap.bando.com.vn" in config["data_attribution"]
    titles = {layer["id"]: layer["title_en"] for layer in config["layers"]}
    assert titles["belt"] == "Border belt" and "decisions" in titles


def test_dashboard__serves_the_vendored_leaflet(client):
    served = client.get("/static/leaflet/leaflet.js")
    packaged = resources.files("api").joinpath("static/leaflet/leaflet.js").read_bytes()
    assert served.status_code == 200 and served.content == packaged
    assert b"Leaflet 1.9.4" in packaged[:200]
    assert client.get("/static/leaflet/images/layers.png").status_code == 200


def test_dashboard__basemap_setting_reaches_page_and_policy(db_url, loaded):
    url = "https://tiles.example.vn/{z}/{x}/{y}.png"
    app = create_app(settings(basemap_url=url, basemap_attribution="© Example"), url=db_url)
    with TestClient(app) as c:
        page = c.get("/dashboard")
    assert _config(page.text)["basemap_url"] == url
    assert "img-src 'self' data: https://tiles.example.vn;" in \
        page.headers["content-security-policy"]


def test_dashboard__layers_are_the_registry_and_the_ogc_items(client):
    config = _config(client.get("/dashboard").text)
    assert config["items_base"] == "/ogc/collections"
    assert [layer["id"] for layer in config["layers"]] == [c.id for c in registry.on_map()]
    border = next(layer for layer in config["layers"] if layer["id"] == "land_border")
    assert border["filters"] == {"source": "bando_2026"} and border["geometry"] == "line"
    assert not border["temporal"]
    for layer in config["layers"]:  # every layer answers what the page asks
        answer = client.get(ITEMS.format(layer["id"]),
                            params={**layer["filters"], "bbox": LUNG_CU_BBOX, "zoom": 11,
                                    "limit": 10_000})
        assert answer.status_code == 200, (layer["id"], answer.text)


def test_dashboard_items__geojson_of_the_view(client):
    answer = client.get(ITEMS.format("land_border_communes"),
                        params={"bbox": LUNG_CU_BBOX, "zoom": 11})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/geo+json"
    body = answer.json()
    assert body["type"] == "FeatureCollection" and body["numberReturned"] == len(body["features"])
    names = {f["properties"]["commune_code"]: f["properties"]["name"] for f in body["features"]}
    assert names[LUNG_CU] == "Lũng Cú"


def test_items_zoom__draws_the_prepared_band_not_the_exact_shape(client):
    def lung_cu(**params) -> dict:
        body = client.get(ITEMS.format("land_border_communes"),
                          params={"bbox": LUNG_CU_BBOX, "commune_code": LUNG_CU,
                                  **params}).json()
        [feature] = body["features"]
        return feature["geometry"]

    exact, drawn = shape(lung_cu()), shape(lung_cu(zoom=8))
    assert shapely.get_num_coordinates(drawn) < shapely.get_num_coordinates(exact) / 3
    assert drawn.is_valid and abs(drawn.area / exact.area - 1) < 0.02
    assert shape(lung_cu(zoom=16)).equals(exact)  # deep zooms: the stored geometry


@pytest.mark.parametrize(("params", "status", "field"), [
    ({"zoom": 99}, 422, "zoom"),
    ({"zoom": -1}, 422, "zoom"),
    ({"zoom": "z"}, 422, "zoom"),
    ({"bbox": "105,23,104,24"}, 422, "bbox"),
    ({"bbox": "a,b,c,d"}, 422, "bbox"),
    ({"datetime": "yesterday"}, 422, "datetime"),
    ({"limit": 0}, 422, "limit"),
    ({"limit": 10_001}, 422, "limit"),
    ({"as_known_at": "2026-01-01T00:00"}, 403, "as_known_at"),
])
def test_dashboard_items__refuses_bad_input_naming_the_field(client, params, status, field):
    answer = client.get(ITEMS.format("decisions"), params=params)
    assert answer.status_code == status, answer.text
    assert field in answer.text


def test_dashboard_items__unknown_layer_named(client):
    answer = client.get(ITEMS.format("roads"))
    assert answer.status_code == 404 and "land_border_communes" in answer.text


def test_dashboard_items__planner_may_ask_as_known_at(client):
    answer = client.get(ITEMS.format("decisions"), headers=auth(client, PLANNER),
                        params={"as_known_at": "2020-01-01T00:00", "bbox": LUNG_CU_BBOX,
                                "zoom": 11})
    assert answer.status_code == 200 and answer.json()["features"] == []  # nothing known then


@pytest.fixture()
def surveyed_gate(engine, loaded):
    gate_id = GATES["international"]
    yield gate_id
    with transaction(engine) as conn:  # back to "no location recorded" for other tests
        conn.execute(delete(gate_location).where(gate_location.c.gate_id == gate_id))
        conn.execute(update(gate).where(gate.c.id == gate_id).values(location=None,
                                                                     location_source=None))


def test_gates__geometry_is_the_recorded_location_else_null(client, engine, surveyed_gate):
    gate_id, other = surveyed_gate, GATES["main"]
    with engine.connect() as conn:  # a point inside the gate's province (Lạng Sơn)
        lon, lat = conn.execute(text(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) AS p FROM province "
            "WHERE code = '20' AND valid_to IS NULL) s")).one()
        before = conn.execute(text("SELECT location FROM gate WHERE id = :g"),
                              {"g": other}).scalar_one()
    assert before is None  # nothing recorded for this one: no point is made up
    locations.record(engine, ADMIN, gate_id, lon=lon, lat=lat, source="survey",
                     accuracy_m=25.0, reference="dashboard test survey")
    located = client.get(f"{ITEMS.format('gates')}/{gate_id}").json()
    assert located["geometry"]["type"] == "Point"
    assert located["geometry"]["coordinates"] == pytest.approx([lon, lat], abs=1e-7)
    assert located["properties"]["location_source"] == "survey"
    assert client.get(f"{ITEMS.format('gates')}/{other}").json()["geometry"] is None
    drawn = client.get(ITEMS.format("gates"), params={
        "bbox": f"{lon - 0.01},{lat - 0.01},{lon + 0.01},{lat + 0.01}", "zoom": 9}).json()
    assert [f["id"] for f in drawn["features"]] == [gate_id]
