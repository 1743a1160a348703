"""Edge inputs against a live server in its own process (issue 8, finding 5): the batch
stream cases and the overflowing instants are 422s naming the field, never a 5xx, a cut
stream or invalid NDJSON, and the server stays up."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.live_server import live_server

LANG_SON = [106.7615, 21.8537]
EARLY, LATE = "0001-01-01T00:00+14:00", "9999-12-31T23:59:59-14:00"
GEOJSON = {"content-type": "application/geo+json"}


@pytest.fixture(scope="module")
def server(db_url, loaded):
    with live_server(db_url) as srv:
        yield srv


def _collection(raw_id: bytes) -> bytes:
    return (b'{"type":"FeatureCollection","features":[{"type":"Feature","id":' + raw_id
            + b',"properties":{},"geometry":{"type":"Point","coordinates":[106.7615,21.8537]}}]}')


def _strict(line: str):
    def refuse(constant: str):
        raise AssertionError(f"invalid JSON constant {constant} in {line!r}")
    return json.loads(line, parse_constant=refuse)


@pytest.mark.parametrize("body, field, words", [
    (b'{"type":"FeatureCollection","features":' + b"[" * 100_000 + b"]" * 100_000 + b"}",
     "body", "nested 100001 levels deep"),
    (_collection(b'"\\ud800"'), "features[0].id", "lone surrogate"),
    (_collection(b"NaN"), "features[0].id", "NaN is not a finite number"),
    (_collection(b"Infinity"), "features[0].id", "Infinity is not a finite number"),
])
def test_live__batch_stream_edge_cases_are_422(server, body, field, words):
    response = httpx.post(server.url + "/v1/check/batch", content=body, headers=GEOJSON,
                          timeout=30)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field and words in response.json()["message"]
    server.assert_alive()


@pytest.mark.parametrize("at", [EARLY, LATE])
def test_live__overflowing_instants_are_422_naming_the_field(server, at):
    url = server.url
    answers = {
        "point": httpx.get(url + "/v1/check/point", params={"lon": LANG_SON[0],
                                                            "lat": LANG_SON[1], "at": at}),
        "check": httpx.post(url + "/v1/check", json={
            "geometry": {"type": "Point", "coordinates": LANG_SON}, "at": at}),
        "batch": httpx.post(url + "/v1/check/batch", params={"at": at},
                            content=b"id,lon,lat\na,106.7615,21.8537\n",
                            headers={"content-type": "text/csv"}),
        "times": httpx.post(url + "/v1/check", json={
            "geometry": {"type": "LineString", "coordinates": [LANG_SON, [106.70, 22.05]]},
            "times": ["2026-03-01T08:00", at]}),
    }
    for name, response in answers.items():
        assert response.status_code == 422, (name, response.text)
        expected = "times" if name == "times" else "at"
        assert response.json()["field"] == expected, (name, response.text)
        assert "outside the accepted range" in response.json()["message"]
    server.assert_alive()


def test_live__awkward_but_valid_ids_stream_as_valid_ndjson(server):
    ids = ["\U0001F600", "a\u2028b", 'quote"d', "back\\slash", "tab\there", "",
           12345678901234567890, -0.5, 1e300, "Lạng Sơn"]
    features = [{"type": "Feature", "id": i, "properties": {},
                 "geometry": {"type": "Point", "coordinates": LANG_SON}} for i in ids]
    response = httpx.post(server.url + "/v1/check/batch", headers=GEOJSON, timeout=30,
                          content=json.dumps({"type": "FeatureCollection",
                                              "features": features}).encode())
    assert response.status_code == 200, response.text
    lines = response.content.decode("utf-8").split("\n")
    assert lines[-1] == ""  # every line complete
    rows = [_strict(line) for line in lines[:-1]]
    assert [r["id"] for r in rows] == ids
    assert all(r["province"] == {"code": "20", "name": "Lạng Sơn"} for r in rows)
    server.assert_alive()
