"""Every bad input is a 4xx naming the field, over HTTP (issue 8, finding 5): instants out
of range, non-text times, over-deep or unechoable JSON, hostile GPX, formula-looking CSV
ids, and /health while degraded."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from tests.api.decisions import decision_support
from tests.api.decisions.decision_support import auth, decision_body

client = decision_support.client  # fixture (module scope, raises server errors)
tx_client = decision_support.tx_client  # fixture

ROUTE = [[106.7615, 21.8537], [106.70, 22.05]]
LANG_SON = (106.7615, 21.8537)
EARLY, LATE = "0001-01-01T00:00+14:00", "9999-12-31T23:59:59-14:00"
DEEP = b"[" * 100_000 + b"]" * 100_000


def _gpx(time_text: str = "2026-03-01T01:00:00Z", prolog: str = "",
         encoding: str = "UTF-8") -> bytes:
    declared = encoding[:6]  # UTF-8 or UTF-16 (expat knows no -LE/-BE names; BOM says)
    text = (f'<?xml version="1.0" encoding="{declared}"?>{prolog}'
            '<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>'
            f'<trkpt lat="21.8537" lon="106.7615"><time>{time_text}</time></trkpt>'
            '<trkpt lat="22.05" lon="106.70"><time>2026-03-01T02:00:00Z</time></trkpt>'
            '</trkseg></trk></gpx>')
    bom = "\ufeff" if encoding.endswith(("-LE", "-BE")) else ""  # "UTF-16" writes its own
    return (bom + text).encode(encoding.lower())


def _refused(response, field: str, *words: str, status: int = 422) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["field"] == field, body
    assert all(w in body["message"] for w in words), body
    return body


# -- instants ----------------------------------------------------------------------------
@pytest.mark.parametrize("at", [EARLY, LATE])
def test_edge__point_at_out_of_range_is_422(client, at):
    response = client.get("/v1/check/point", params={"lon": LANG_SON[0], "lat": LANG_SON[1],
                                                     "at": at})
    _refused(response, "at", "outside the accepted range")


@pytest.mark.parametrize("at", [EARLY, LATE])
def test_edge__check_at_out_of_range_is_422(client, at):
    response = client.post("/v1/check", json={
        "geometry": {"type": "Point", "coordinates": list(LANG_SON)}, "at": at})
    _refused(response, "at", "outside the accepted range")


@pytest.mark.parametrize("times, index, words", [
    ([EARLY, "2026-03-01T09:00"], 0, "outside the accepted range"),
    (["2026-03-01T09:00", LATE], 1, "outside the accepted range"),
    ([1, 2], 0, "got a number"),
    ([{}, []], 0, "got an object"),
    (["2026-03-01T09:00", []], 1, "got a list"),
    ([None, None], 0, "got null"),
    (["2026-03-01T09:00", " "], 1, "got empty text"),
])
def test_edge__route_times_bad_vertex_is_422_naming_its_index(client, times, index, words):
    response = client.post("/v1/check", json={
        "geometry": {"type": "LineString", "coordinates": ROUTE}, "times": times})
    body = _refused(response, "times", f"times[{index}]", words)
    assert body["index"] == index


def test_edge__multiline_times_name_part_and_vertex(client):
    response = client.post("/v1/check", json={
        "geometry": {"type": "MultiLineString", "coordinates": [ROUTE, ROUTE]},
        "times": [["2026-03-01T08:00", "2026-03-01T09:00"], ["2026-03-01T10:00", 7]]})
    assert _refused(response, "times", "times[1][1]", "got a number")["index"] == [1, 1]


@pytest.mark.parametrize("at", [EARLY, LATE])
def test_edge__gpx_time_out_of_range_is_422_naming_the_point(client, at):
    response = client.post("/v1/check", files={"file": ("t.gpx", _gpx(at))})
    _refused(response, "file", "segment 0, point 0", "outside the accepted range")


@pytest.mark.parametrize("at", [EARLY, LATE])
def test_edge__batch_instants_out_of_range_are_422(client, at):
    csv_type = {"content-type": "text/csv"}
    row = "id,lon,lat,time\na,{},{},{}\n"
    response = client.post("/v1/check/batch", params={"at": at}, headers=csv_type,
                           content=row.format(*LANG_SON, "").encode())
    _refused(response, "at", "outside the accepted range")
    response = client.post("/v1/check/batch", headers=csv_type,
                           content=row.format(*LANG_SON, at).encode())
    assert _refused(response, "time", "line 2")["line"] == 2
    feature = {"type": "Feature", "id": "a", "properties": {"time": at},
               "geometry": {"type": "Point", "coordinates": list(LANG_SON)}}
    response = client.post("/v1/check/batch", json={"type": "FeatureCollection",
                                                   "features": [feature]})
    assert _refused(response, "time", "features[0]")["feature"] == 0  # as for geometry


@pytest.mark.parametrize("field", ["valid_from", "valid_to", "signed_at"])
@pytest.mark.parametrize("at", [EARLY, LATE])
def test_edge__decision_dates_out_of_range_are_422(tx_client, field, at):
    response = tx_client.post("/v1/decisions", json=decision_body(**{field: at}),
                              headers=auth(tx_client))
    _refused(response, field)


# -- JSON bodies -------------------------------------------------------------------------
@pytest.mark.parametrize("path, content", [
    ("/v1/check", b'{"geometry":' + DEEP + b"}"),
    ("/v1/check/batch", b'{"type":"FeatureCollection","features":' + DEEP + b"}"),
    ("/v1/decisions", b'{"number":' + DEEP + b"}"),
])
def test_edge__json_nested_100000_deep_is_422(tx_client, path, content):
    response = tx_client.post(path, content=content, headers={
        "content-type": "application/json", **auth(tx_client)})
    _refused(response, "body", "nested 100001 levels deep", "limit of 32")


@pytest.mark.parametrize("raw, words", [
    (b'"\\ud800"', "lone surrogate"), (b"NaN", "NaN is not a finite number"),
    (b"Infinity", "Infinity is not"), (b"1e400", "1e400 is not"),
    (b"[1]", "expected a string or a number"), (b"true", "got bool"),
])
def test_edge__batch_unechoable_id_is_422_naming_it(client, raw, words):
    body = (b'{"type":"FeatureCollection","features":[{"type":"Feature","id":' + raw
            + b',"properties":{},"geometry":{"type":"Point","coordinates":[106.7615,21.8537]}}]}')
    response = client.post("/v1/check/batch", content=body,
                           headers={"content-type": "application/geo+json"})
    field = "id" if raw in (b"[1]", b"true") else "features[0].id"
    _refused(response, field, words)


def test_edge__batch_not_utf8_is_422(client):
    body = b'{"type":"FeatureCollection","features":[{"id":"\xed\xa0\x80"}]}'
    response = client.post("/v1/check/batch", content=body,
                           headers={"content-type": "application/geo+json"})
    _refused(response, "body", "not UTF-8")
    response = client.post("/v1/check/batch", content=b"id,lon,lat\n\xff,106.7,21.8\n",
                           headers={"content-type": "text/csv"})
    _refused(response, "body", "not UTF-8")


@pytest.mark.parametrize("body, field", [
    (b'{"geometry":{"type":"Point","coordinates":[106.7,21.8]},"person":"\\ud800"}',
     "person"),
    (b'{"geometry":{"type":"Point","coordinates":[NaN,21.8]}}', "geometry.coordinates[0]"),
    (b'{"geometry":{"type":"LineString","coordinates":[[106.7615,21.8537],[106.7,22.05]]},'
     b'"times":["2026-03-01T08:00",Infinity]}', "times[1]"),
])
def test_edge__check_body_unechoable_value_is_422_naming_it(client, body, field):
    response = client.post("/v1/check", content=body,
                           headers={"content-type": "application/json"})
    _refused(response, field)


def test_edge__decision_text_with_lone_surrogate_is_422_not_stored(tx_client):
    body = decision_body()
    text = (str(body).replace("'", '"').replace("None", "null")
            .replace("mưa lũ gây sạt lở đất", "\\ud800"))
    response = tx_client.post("/v1/decisions", content=text.encode(), headers={
        "content-type": "application/json", **auth(tx_client)})
    _refused(response, "reason_text", "lone surrogate")
    assert tx_client.get(f"/v1/decisions/{body['number']}",
                         headers=auth(tx_client)).status_code == 404


# -- GPX ---------------------------------------------------------------------------------
ENTITY = '<!DOCTYPE gpx [<!ENTITY x "y">]>'
LAUGHS = ('<!DOCTYPE gpx [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
          '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>')
EXTERNAL = '<!DOCTYPE gpx SYSTEM "file:///etc/passwd">'


@pytest.mark.parametrize("encoding", ["UTF-8", "UTF-16", "UTF-16-LE", "UTF-16-BE"])
@pytest.mark.parametrize("prolog", [ENTITY, LAUGHS, EXTERNAL])
def test_edge__gpx_with_doctype_refused_in_any_encoding(client, encoding, prolog):
    response = client.post("/v1/check", files={"file": ("t.gpx", _gpx(prolog=prolog,
                                                                      encoding=encoding))})
    _refused(response, "file", "DOCTYPE")


def test_edge__utf16_gpx_without_doctype_is_answered(client):
    response = client.post("/v1/check", files={"file": ("t.gpx", _gpx(encoding="UTF-16"))})
    assert response.status_code == 200, response.text
    first = response.json()["zones"][0]
    assert first["kind"] == "land_border_area" and first["name"] == "Đồng Đăng"
    assert first["entry"]["time"].startswith("2026-03-01T08:")


# -- CSV output --------------------------------------------------------------------------
def test_edge__csv_output_neutralises_formula_ids_not_numbers(client):
    ids = ["=1+2", "+x", "-y", "@z", "\tq", "\rr", "plain", "-5"]
    rows = "".join('"{}",{},{}\n'.format(i, *LANG_SON) for i in ids)
    response = client.post("/v1/check/batch", content=("id,lon,lat\n" + rows).encode(),
                           headers={"content-type": "text/csv", "accept": "text/csv"})
    assert response.status_code == 200, response.text
    out = list(csv.DictReader(io.StringIO(response.text, newline="")))
    assert [r["id"] for r in out] == ["'=1+2", "'+x", "'-y", "'@z", "'\tq", "'\rr", "plain",
                                      "'-5"]
    assert response.text.splitlines()[1].startswith("'=1+2,106.7615,21.8537,")
    assert all(r["lon"] == "106.7615" and r["province_name"] == "Lạng Sơn" for r in out)
    assert float(out[0]["border_distance_m"]) > 0


def test_edge__csv_negative_coordinates_stay_numbers(client):
    response = client.post("/v1/check/batch", content=b"id,lon,lat\nwest,-75.5,-12.25\n",
                           headers={"content-type": "text/csv", "accept": "text/csv"})
    [row] = list(csv.DictReader(io.StringIO(response.text)))
    assert (row["id"], row["lon"], row["lat"], row["in_vietnam"]) == (
        "west", "-75.5", "-12.25", "false")


# -- /health -----------------------------------------------------------------------------
def test_edge__health_is_503_when_degraded_with_the_same_body():
    app = create_app(Settings(), url="postgresql+psycopg://nobody:x@127.0.0.1:9/none")
    with TestClient(app) as c:
        response = c.get("/health")
    assert response.status_code == 503
    assert response.json() == {
        "status": "degraded", "database": False, "index_version": None, "prepared": False,
        "message": "database unavailable", "role": None, "data_version": None,
        "wal_lsn": None, "lag_s": None, "index_build_s": None, "index_warm_s": None,
        "stale": False, "stale_error": None, "writes": True}


def test_edge__health_is_200_when_up(client):
    response = client.get("/health")
    assert response.status_code == 200 and response.json()["status"] == "ok"
