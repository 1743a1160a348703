"""POST /v1/check/batch over HTTP, on the real data: CSV and GeoJSON in, NDJSON or CSV
streamed out, 413 over the configured limit, 422 naming the line and the field, and zones
redacted for public callers."""

from __future__ import annotations

import csv
import io
import json
from unittest.mock import ANY

import numpy as np
import pytest
import shapely
from fastapi.testclient import TestClient
from geoalchemy2.shape import from_shape
from sqlalchemy import delete, insert

from api.app import create_app
from geo.common.security import Role
from geo.common.timeutil import now
from geo.store.db import transaction
from geo.store.models import zone
from geo.store.zones import snapshot
from tests.api.security.security_support import key_header, role_keys, settings, unique

LIMIT = 60_000
LANG_SON = (106.7615, 21.8537)
LUNG_CU = (105.3208, 23.3590)  # 400 m south of the China line, in Lũng Cú
ZONE_AT = (104.9135, 21.4671)  # inland Yên Bái, away from other tests' points
CSV_TYPE = {"content-type": "text/csv"}


@pytest.fixture(scope="module")
def restricted_zone(engine, loaded):
    name = unique("Khu cấm lô")
    lon, lat = ZONE_AT
    square = shapely.MultiPolygon([shapely.box(lon - 0.001, lat - 0.001, lon + 0.001,
                                               lat + 0.001)])
    with transaction(engine) as conn:
        conn.execute(insert(zone).values(
            kind="prohibited_zone_land", name=name, authority="Bộ Quốc phòng",
            legal_basis="Decree 164/2018/ND-CP Art 7", sensitivity="restricted",
            province_code=None, valid_from=now().replace(year=2020),
            geom=from_shape(square, 4326)))
    yield name
    with transaction(engine) as conn:
        conn.execute(delete(zone).where(zone.c.name == name))


@pytest.fixture(scope="module")
def world(db_url, engine, restricted_zone):
    app = create_app(settings(max_batch_points=LIMIT, min_version_wait_s=300), url=db_url)
    with role_keys(engine, (Role.APP, Role.PLANNER)) as keys, TestClient(app) as client:
        _wait_for(client, engine, restricted_zone, keys[Role.PLANNER])
        yield client, keys


def _post(client, body: str, headers=None, **params):
    return client.post("/v1/check/batch", content=body.encode(), params=params,
                       headers={**CSV_TYPE, **(headers or {})})


def _lines(response) -> list[dict]:
    assert response.status_code == 200, response.text
    return [json.loads(line) for line in response.text.splitlines()]


def _wait_for(client, engine, name: str, key: str) -> None:
    """Once the index holds every write made so far (``X-Min-Index-Version``: the server
    waits for its rebuild, no polling), the zone is answered."""
    body = f"id,lon,lat\nz,{ZONE_AT[0]},{ZONE_AT[1]}\n"
    version = {"X-Min-Index-Version": str(snapshot.current_version(engine))}
    [row] = _lines(_post(client, body, {**key_header(key), **version}))
    assert [z["name"] for z in row["zones"] if z.get("name") == name] == [name]


def test_batch__csv_in_ndjson_out_in_input_order(world):
    client, _ = world
    body = ("id,lon,lat,time\nls,{},{},\nlc,{},{},2026-01-05T08:00:00\n"
            .format(*LANG_SON, *LUNG_CU))
    response = _post(client, body, at="2026-02-01T00:00:00+07:00")
    assert response.headers["content-type"].startswith("application/x-ndjson")
    assert "content-length" not in response.headers  # streamed, not buffered
    ls, lc = _lines(response)
    assert ls["id"] == "ls" and ls["at"] == "2026-02-01T00:00:00+07:00"
    assert ls["province"] == {"code": "20", "name": "Lạng Sơn"} and ls["in_vietnam"]
    assert lc["at"] == "2026-01-05T08:00:00+07:00"
    assert lc["commune"] == {"code": "00715", "name": "Lũng Cú", "precision": "exact"}
    assert lc["in_land_border_area"] and lc["nearest_neighbour"] == "CHN"
    point = client.get("/v1/check/point", params={"lon": LUNG_CU[0], "lat": LUNG_CU[1],
                                                  "at": "2026-01-05T08:00:00"}).json()
    assert {k: v for k, v in lc.items() if k != "id"} == point


def test_batch__accept_csv_streams_csv_rows(world):
    client, _ = world
    body = "{},{},{}\n{},{},{}\n".format("a", *LANG_SON, "b", *LUNG_CU)  # no header
    response = _post(client, body, {"accept": "text/csv"})
    assert response.status_code == 200 and response.headers["content-type"].startswith(
        "text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["id"] for r in rows] == ["a", "b"]
    assert rows[0]["province_name"] == "Lạng Sơn" and rows[0]["in_vietnam"] == "true"
    assert rows[1]["commune_code"] == "00715" and rows[1]["country"] == "VNM"
    assert float(rows[1]["border_distance_m"]) > 0


def test_batch__geojson_feature_ids_and_times(world):
    client, _ = world
    features = [
        {"type": "Feature", "id": 7, "properties": {},
         "geometry": {"type": "Point", "coordinates": list(LANG_SON)}},
        {"type": "Feature", "properties": {"id": "old", "time": "2024-06-01T00:00:00"},
         "geometry": {"type": "Point", "coordinates": list(LUNG_CU)}},
    ]
    response = client.post("/v1/check/batch", json={"type": "FeatureCollection",
                                                   "features": features},
                           headers={"content-type": "application/geo+json"})
    first, second = _lines(response)
    assert first["id"] == 7 and first["province"]["code"] == "20"
    assert second["id"] == "old" and second["at"] == "2024-06-01T00:00:00+07:00"
    assert second["province"] is None  # the 2025 units were not in force yet


def test_batch__55000_points_stream_back_in_order(world):
    client, _ = world
    rng = np.random.default_rng(30)
    lon, lat = rng.uniform(102.2, 109.4, 55_000), rng.uniform(8.6, 23.3, 55_000)
    body = "id,lon,lat\n" + "".join(f"p{i},{x!r},{y!r}\n"
                                    for i, (x, y) in enumerate(zip(lon.tolist(), lat.tolist(),
                                                                   strict=True)))
    with client.stream("POST", "/v1/check/batch", content=body.encode(),
                       headers=CSV_TYPE) as response:
        assert response.status_code == 200
        ids = [json.loads(line)["id"] for line in response.iter_lines() if line]
    assert ids == [f"p{i}" for i in range(55_000)]


def test_batch__over_the_limit_is_413_naming_it(world):
    client, _ = world
    body = "id,lon,lat\n" + "x,105.8,21.0\n" * (LIMIT + 1)
    response = _post(client, body)
    assert response.status_code == 413
    answer = response.json()
    assert answer["limit"] == LIMIT and f"{LIMIT:,}" in answer["message"]


@pytest.mark.parametrize("rows, line, field, words", [
    ("a,105.8,21.0\nb,21.0285,105.8542\n", 3, "lat", "swapped"),
    ("a,105.8,21.0\nb,200,10\n", 3, "lon", "outside"),
    ("a,105.8,21.0\nb,105.8,-91\n", 3, "lat", "outside"),
    ("a,105.8,21.0\n\nb,abc,21\n", 4, "lon", "not a number"),
    ("a,105.8,21.0\nb,105.8,\n", 3, "lat", "missing"),
    ("a,105.8,21.0,\nb,105.8,21.0,yesterday\n", 3, "time", "ISO-8601"),
])
def test_batch__one_bad_row_gets_its_error_the_others_their_answers(world, rows, line,
                                                                     field, words):
    client, _ = world
    header = "id,lon,lat,time\n" if "yesterday" in rows else "id,lon,lat\n"
    response = _post(client, header + rows)
    good, bad = _lines(response)
    assert good["id"] == "a" and good["province"]["name"] == "Hà Nội"
    assert bad == {"id": "b", "line": line, "error": {"field": field, "message": ANY}}
    assert bad["error"]["message"].startswith(f"line {line}:")
    assert words in bad["error"]["message"]
    assert (response.headers["X-Point-Count"], response.headers["X-Rows-Answered"],
            response.headers["X-Rows-Refused"]) == ("2", "1", "1")


@pytest.mark.parametrize("rows, line, field, words", [
    ("a,105.8,\n", 2, "lat", "missing"),
    ("a,105.8,21.0,yesterday\n", 2, "time", "ISO-8601"),
    ("a,105.8,21.0,,9\n", 2, "body", "more fields"),
    ("a,abc,21\nb,105.8,91\n", 2, "lon", "not a number"),
])
def test_batch__only_bad_rows_or_a_bad_shape_is_422_naming_line_and_field(world, rows, line,
                                                                          field, words):
    client, _ = world
    header = "id,lon,lat,time\n" if "yesterday" in rows or ",,9" in rows else "id,lon,lat\n"
    response = _post(client, header + rows)
    assert response.status_code == 422
    answer = response.json()
    assert answer["field"] == field and answer["line"] == line
    assert f"line {line}:" in answer["message"] and words in answer["message"]


def test_batch__csv_output_has_an_error_column_in_the_row_s_place(world):
    client, _ = world
    response = _post(client, "id,lon,lat\nb,abc,21\na,105.8,21.0\n", {"Accept": "text/csv"})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["id"] for r in rows] == ["b", "a"]
    assert rows[0]["error"] == "line 2: lon: 'abc' is not a number"
    assert rows[0]["in_vietnam"] == "" and rows[1]["error"] == ""
    assert rows[1]["province_name"] == "Hà Nội"


def test_batch__semicolons_and_decimal_commas_are_read(world):
    client, _ = world
    [row] = _lines(_post(client, "id;lon;lat\na;105,3208;23,3590\n"))
    assert (row["id"], row["lon"], row["lat"]) == ("a", 105.3208, 23.359)
    assert row["commune"]["name"] == "Lũng Cú"


def test_batch__bad_geojson_feature_gets_its_error_in_place(world):
    client, _ = world
    features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [105.8, 21]}},
                {"type": "Feature", "id": "x",
                 "geometry": {"type": "LineString", "coordinates": []}}]
    response = client.post("/v1/check/batch", json={"type": "FeatureCollection",
                                                   "features": features})
    good, bad = _lines(response)
    assert good["province"]["name"] == "Hà Nội"
    assert bad["feature"] == 1 and bad["error"]["field"] == "geometry"
    assert bad["error"]["message"].startswith("features[1]: geometry")
    only_bad = client.post("/v1/check/batch", json={"type": "FeatureCollection",
                                                   "features": features[1:]})
    assert only_bad.status_code == 422 and only_bad.json()["feature"] == 0


def test_batch__public_callers_see_restricted_zones_redacted(world, restricted_zone):
    client, keys = world
    body = f"id,lon,lat\nz,{ZONE_AT[0]},{ZONE_AT[1]}\n"
    [public] = _lines(_post(client, body))
    [app] = _lines(_post(client, body, key_header(keys[Role.APP])))
    [planner] = _lines(_post(client, body, key_header(keys[Role.PLANNER])))
    for row in (public, app):
        [hit] = row["zones"]
        assert hit["name"] == "restricted — prohibited zone land" and hit.get("id") is None
        assert restricted_zone not in json.dumps(row, ensure_ascii=False)
    [hit] = planner["zones"]
    assert hit["name"] == restricted_zone and hit["authority"] == "Bộ Quốc phòng"
    csv_public = _post(client, body, {"accept": "text/csv"}).text
    assert ",1,prohibited_zone_land,0," in csv_public and restricted_zone not in csv_public
