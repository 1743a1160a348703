"""OGC API – Features: paging, CRS (Part 2, pinned EPSG:6960), CQL2 (Part 3) against real
PostGIS, the OpenAPI additions GDAL/QGIS read, HTML."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from geo.common import crs
from tests.api.decisions.decision_support import client  # noqa: F401 (fixture)
from tests.conftest import count

pytestmark = pytest.mark.db
BORDER = "/ogc/collections/land_border/items"


def _border(client, **params):  # noqa: F811
    """Segments of the China border line (first vertex of each), lon/lat or in ``crs``."""
    r = client.get(BORDER, params={"limit": 60, "neighbour_iso3": "CHN", **params})
    assert r.status_code == 200, r.text
    return r


@pytest.mark.parametrize("code", [3405, 9210])
def test_items_crs__vn2000_agrees_with_the_pinned_transformation(client, code):  # noqa: F811
    lonlat = {f["id"]: f["geometry"]["coordinates"][0] for f in _border(client)
              .json()["features"]}
    r = _border(client, crs=f"http://www.opengis.net/def/crs/EPSG/0/{code}")
    assert r.headers["content-crs"] == f"<http://www.opengis.net/def/crs/EPSG/0/{code}>"
    got = {f["id"]: f["geometry"]["coordinates"][0] for f in r.json()["features"]}
    assert got.keys() == lonlat.keys() and len(got) == 60
    ids = sorted(got)
    lon, lat = np.array([lonlat[i] for i in ids]).T
    e, n = crs.transformer(crs.WGS84, code).transform(lon, lat)
    assert np.abs(np.array([got[i] for i in ids]) - np.column_stack([e, n])).max() < 0.001


def test_items_crs__epsg4326_is_lat_lon_and_crs84_lon_lat(client):  # noqa: F811
    a = _border(client).json()["features"][0]
    r = client.get(f"{BORDER}/{a['id']}", params={"crs": "EPSG:4326"})
    assert r.headers["content-crs"] == "<http://www.opengis.net/def/crs/EPSG/0/4326>"
    assert r.json()["geometry"]["coordinates"][0] == pytest.approx(
        a["geometry"]["coordinates"][0][::-1])
    assert client.get(BORDER, params={"crs": "EPSG:2000"}).json()["field"] == "crs"


def test_items_bbox_crs__a_vn2000_box_selects_what_its_lonlat_box_does(client):  # noqa: F811
    ring = shapely.segmentize(shapely.box(600_000, 2_300_000, 800_000, 2_600_000), 1_000)
    e, n = shapely.get_coordinates(ring).T
    lon, lat = crs.transformer(3405, crs.WGS84).transform(e, n)
    west, south, east, north = lon.min(), lat.min(), lon.max(), lat.max()
    projected = client.get("/ogc/collections/belt/items", params={
        "bbox": "600000,2300000,800000,2600000", "bbox-crs": "EPSG:3405", "limit": 1})
    lonlat = client.get("/ogc/collections/belt/items", params={
        "bbox": f"{west},{south},{east},{north}", "limit": 1})
    assert projected.json()["numberMatched"] == lonlat.json()["numberMatched"] > 0


def test_items_paging__next_links_walk_every_feature_once(client, conn):  # noqa: F811
    url, seen = "/ogc/collections/belt/items?limit=100", []
    while url:
        page = client.get(url).json()
        assert page["numberMatched"] == count(conn, "belt_segment")
        seen += [f["id"] for f in page["features"]]
        url = next((li["href"] for li in page["links"] if li["rel"] == "next"), None)
    assert len(seen) == len(set(seen)) == count(conn, "belt_segment")


def test_items_properties_sortby_and_property_filter(client):  # noqa: F811
    r = client.get("/ogc/collections/communes/items", params={
        "province_code": "08", "properties": "name,code", "sortby": "-code", "limit": 5})
    features = r.json()["features"]
    assert all(set(f["properties"]) == {"name", "code"} for f in features)
    codes = [f["properties"]["code"] for f in features]
    assert codes == sorted(codes, reverse=True)
    lung_cu = client.get("/ogc/collections/communes/items", params={"code": "00715"}).json()
    assert [f["properties"]["name"] for f in lung_cu["features"]] == ["Lũng Cú"]


@pytest.mark.parametrize("text, lang", [
    ("name = 'Lũng Cú' AND province_code = '08'", "cql2-text"),
    ('{"op":"and","args":[{"op":"=","args":[{"property":"name"},"Lũng Cú"]},'
     '{"op":"s_intersects","args":[{"property":"geometry"},{"bbox":[105.2,23.2,105.4,23.4]}]}]}',
     "cql2-json"),
    ("S_INTERSECTS(geometry, POINT(105.332 23.378))", "cql2-text"),
])
def test_items_filter__cql2_finds_lung_cu(client, text, lang):  # noqa: F811
    r = client.get("/ogc/collections/communes/items", params={"filter": text,
                                                               "filter-lang": lang})
    assert r.status_code == 200, r.text
    assert "Lũng Cú" in [f["properties"]["name"] for f in r.json()["features"]]


INJECTIONS = [
    "name = 'x'' OR 1=1 --'",
    "name = 'x''; DROP TABLE commune; --'",
    "\"name; DROP TABLE commune\" = 'x'",
    "name = 'x' OR pg_sleep(5) IS NULL",
    "name LIKE '%' ; DELETE FROM commune",
    "geometry = 1",
    "S_INTERSECTS(geometry, POLYGON((0 0, 1 1)))",
    "code IN ((SELECT 1))",
    "\"code) OR (1=1\" = 'x'",
]


@pytest.mark.parametrize("text", INJECTIONS)
def test_items_filter__injection_is_refused_or_harmless(client, conn, text):  # noqa: F811
    before = count(conn, "commune")
    r = client.get("/ogc/collections/communes/items", params={"filter": text, "limit": 3})
    assert r.status_code in (200, 422), r.text
    if r.status_code == 200:  # a literal compared as a literal: nothing matches it
        assert r.json()["numberMatched"] == 0
    else:
        assert r.json()["field"] == "filter"
    assert count(conn, "commune") == before


def test_items_filter__json_property_names_cannot_escape(client):  # noqa: F811
    for name in ("name\" OR 1=1 --", "commune.geom", "pg_catalog.pg_user"):
        r = client.get("/ogc/collections/communes/items", params={
            "filter": f'{{"op":"=","args":[{{"property":"{name.replace(chr(34), "")}"}},"x"]}}',
            "filter-lang": "cql2-json"})
        assert r.status_code == 422 and r.json()["field"] == "filter"


def test_openapi__declares_the_page_size_and_each_items_path(client):  # noqa: F811
    doc = client.get("/openapi.json").json()
    assert doc["components"]["parameters"]["limit"]["schema"]["maximum"] == 10_000
    for cid in ("belt", "decisions", "gates"):
        params = doc["paths"][f"/ogc/collections/{cid}/items"]["get"]["parameters"]
        assert {"$ref": "#/components/parameters/limit"} in params


def test_landing_and_html__links_and_no_external_assets(client):  # noqa: F811
    rels = {li["rel"] for li in client.get("/ogc").json()["links"]}
    assert {"service-desc", "service-doc", "conformance", "data"} <= rels
    for url in ("/ogc?f=html", "/ogc/collections?f=html",
                "/ogc/collections/belt/items?f=html&limit=2"):
        r = client.get(url)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
        assert "<script" not in r.text and "https://" not in r.text.split("<body>")[0]


def test_items__a_bbox_over_lung_cu_has_its_belt(client):  # noqa: F811
    r = client.get("/ogc/collections/belt/items", params={"bbox": "105.33,23.37,105.34,23.38"})
    shapes = [shapely.geometry.shape(f["geometry"]) for f in r.json()["features"]]
    assert any(s.intersects(shapely.box(105.33, 23.37, 105.34, 23.38)) for s in shapes)
    assert {f["properties"]["province_code"] for f in r.json()["features"]} == {"08"}
