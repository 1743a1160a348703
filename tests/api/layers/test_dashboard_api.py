"""The dashboard over HTTP: the page, its packaged Leaflet, the layers' contract and refusals."""

from __future__ import annotations

import json
import re
from importlib import resources

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from geo.common.security import Principal, Role
from tests.api.decisions.decision_support import LUNG_CU, auth
from tests.api.security.security_support import settings

ITEMS = "/dashboard/collections/{}/items"
LUNG_CU_BBOX = "105.25,23.30,105.42,23.40"
PLANNER = Principal(subject="planner-dashboard-test", roles=frozenset({Role.PLANNER}))


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


def test_dashboard_items__geojson_of_the_view(client):
    answer = client.get(ITEMS.format("land_border_communes"),
                        params={"bbox": LUNG_CU_BBOX, "zoom": 11})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/geo+json"
    body = answer.json()
    assert body["type"] == "FeatureCollection" and body["numberReturned"] == len(body["features"])
    names = {f["id"]: f["properties"]["name"] for f in body["features"]}
    assert names[LUNG_CU] == "Lũng Cú"


@pytest.mark.parametrize(("params", "status", "field"), [
    ({"zoom": 99}, 422, "zoom"),
    ({"bbox": "105,23,104,24"}, 422, "bbox"),
    ({"bbox": "a,b,c,d"}, 422, "bbox"),
    ({"datetime": "yesterday"}, 422, "datetime"),
    ({"datetime": "2026-01-01/2026-02-01"}, 422, "datetime"),
    ({"limit": 0}, 422, "limit"),
    ({"as_known_at": "2026-01-01T00:00"}, 403, "as_known_at"),
])
def test_dashboard_items__refuses_bad_input_naming_the_field(client, params, status, field):
    answer = client.get(ITEMS.format("decisions"), params=params)
    assert answer.status_code == status, answer.text
    assert field in answer.text


def test_dashboard_items__unknown_layer_named(client):
    answer = client.get(ITEMS.format("roads"))
    assert answer.status_code == 422 and "land_border_communes" in answer.text


def test_dashboard_items__planner_may_ask_as_known_at(client):
    answer = client.get(ITEMS.format("decisions"), headers=auth(client, PLANNER),
                        params={"as_known_at": "2020-01-01T00:00", "bbox": LUNG_CU_BBOX})
    assert answer.status_code == 200 and answer.json()["features"] == []  # nothing known then
