"""Limits: body size (413, declared or streamed), rate per key (429), vertices per geometry
and items per batch (413 naming the field)."""

from __future__ import annotations

import pytest
import shapely
from fastapi.testclient import TestClient

from api.app import create_app
from api.errors import STATUS
from api.limits import TokenBucket, rate_limits
from geo.common.errors import PayloadTooLarge
from geo.common.limits import check_batch, check_vertices, count_vertices
from geo.common.security import Role
from tests.api.security.security_support import key_header, role_keys, settings

POINT = {"lon": 106.7615, "lat": 21.8537}


@pytest.fixture(scope="module")
def small_body(db_url, loaded):
    with TestClient(create_app(settings(max_body_bytes=1000), url=db_url)) as client:
        yield client


def test_body__declared_length_over_limit_is_413_before_reading(small_body):
    answer = small_body.post("/v1/auth/token", content=b"x" * 1001,
                             headers={"content-type": "application/x-www-form-urlencoded"})
    assert answer.status_code == 413
    body = answer.json()
    assert body["error"] == "payload_too_large" and body["field"] == "body"
    assert body["limit_bytes"] == 1000


def test_body__streamed_body_over_limit_is_413(small_body):
    def chunks():  # no Content-Length: sent chunked, counted as it arrives
        for _ in range(50):
            yield b"grant_type=client_credentials&" * 10

    answer = small_body.post("/v1/auth/token", content=chunks(),
                             headers={"content-type": "application/x-www-form-urlencoded"})
    assert answer.status_code == 413
    assert answer.json()["field"] == "body"


def test_body__under_limit_passes(small_body):
    answer = small_body.post("/v1/auth/token", data={"grant_type": "client_credentials"})
    assert answer.status_code == 401  # reached the endpoint: no credentials


@pytest.fixture(scope="module")
def small_json(db_url, loaded):
    with TestClient(create_app(settings(max_json_bytes=1000), url=db_url)) as client:
        yield client


def _json_of(size: int) -> bytes:
    return b'{"number":"1/QD","reason_text":"' + b"x" * (size - 34) + b'"}'


@pytest.mark.parametrize("kind", ["application/json", "application/geo+json", "text/plain",
                                  None])
def test_body__json_bodies_have_their_own_lower_limit_whatever_their_type(small_json, kind):
    """Every body but a file upload or a batch is decoded as JSON (a route decodes a body
    sent without a type too), so the JSON limit cannot be passed by naming another type."""
    headers = {"content-type": kind} if kind else {}
    answer = small_json.post("/v1/decisions", content=_json_of(1001), headers=headers)
    assert answer.status_code == 413, answer.text
    body = answer.json()
    assert (body["error"], body["field"], body["limit_bytes"]) == ("payload_too_large", "body",
                                                                   1000)
    assert body["message"] == "JSON request body over the limit of 1,000 bytes"
    streamed = small_json.post("/v1/decisions", content=iter([_json_of(1001)]), headers=headers)
    assert streamed.status_code == 413
    assert small_json.post("/v1/decisions", content=_json_of(1000),
                           headers=headers).status_code == 401  # reached the route


def test_body__uploads_and_batches_keep_the_general_limit(small_json):
    upload = small_json.post("/v1/surveys", files={"file": ("sketch.geojson", b" " * 5000)})
    assert upload.status_code == 401  # past the body limit: refused for its credentials
    rows = "id,lon,lat\n" + "".join(f"p{i},106.7615,21.8537\n" for i in range(200))
    batch = small_json.post("/v1/check/batch", content=rows,
                            headers={"content-type": "text/csv"})
    assert batch.status_code == 200 and len(rows) > 4000
    features = ",".join(['{"type":"Feature","geometry":{"type":"Point",'
                         '"coordinates":[106.7615,21.8537]}}'] * 100)
    geojson = small_json.post("/v1/check/batch", content=(
        '{"type":"FeatureCollection","features":[' + features + "]}"),
        headers={"content-type": "application/geo+json"})
    assert geojson.status_code == 200 and len(geojson.text.splitlines()) == 100


def test_body__every_route_with_a_json_body_decodes_it_off_the_event_loop(db_url):
    """FastAPI decodes a model body on the event loop, before the route's credentials are
    checked; ``SafeJsonRoute`` decodes it first, in a worker thread when it is large."""
    from fastapi.routing import APIRoute

    from api.json_route import SafeJsonRoute

    def routes(items):
        for route in items:
            inner = getattr(route, "original_router", None)  # an included router
            yield from routes(inner.routes) if inner is not None else [route]

    app = create_app(settings(), url=db_url)
    bodied = [r for r in routes(app.routes) if isinstance(r, APIRoute)
              and r.body_field is not None]
    assert len(bodied) >= 10  # decisions, admin, auth, gates, zones, surveys, crossings
    assert [r.path for r in bodied if not isinstance(r, SafeJsonRoute)] == []


def test_rate__per_key_429_with_retry_after(db_url, engine, loaded):
    tight = settings(rate_per_s=0.001, rate_burst=3)  # no refill during the test
    with role_keys(engine, (Role.APP, Role.PLANNER)) as keys, \
            TestClient(create_app(tight, url=db_url)) as client:
        app_key = key_header(keys[Role.APP])
        codes = [client.get("/v1/check/point", params=POINT, headers=app_key).status_code
                 for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        refused = client.get("/v1/check/point", params=POINT, headers=app_key)
        assert refused.json()["error"] == "rate_limited"
        assert int(refused.headers["retry-after"]) >= 1
        other = client.get("/v1/check/point", params=POINT, headers=key_header(keys[Role.PLANNER]))
        assert other.status_code == 200  # its own bucket
        assert client.get("/v1/check/point", params=POINT).status_code == 200  # by address
        assert client.get("/health").status_code == 200  # probes are never limited


def test_rate__token_bucket_refills():
    bucket = TokenBucket(rate_per_s=2.0, burst=2)
    assert [bucket.take("k", at=0.0) for _ in range(3)] == [0.0, 0.0, pytest.approx(0.5)]
    assert bucket.take("k", at=0.5) == 0.0
    assert bucket.take("other", at=0.5) == 0.0


def test_rate__off_in_development_on_elsewhere():
    assert rate_limits(settings(env="development", rate_per_s=None))[0] == 0.0
    assert rate_limits(settings(env="production", rate_per_s=None)) == (100.0, 200)
    assert rate_limits(settings(rate_per_s=5, rate_burst=None)) == (5.0, 10)


POLYGON = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}


def test_vertices__counted_in_geojson_and_shapely():
    assert count_vertices(POLYGON) == 5
    assert count_vertices(shapely.geometry.shape(POLYGON)) == 5
    feature = {"type": "Feature", "geometry": POLYGON, "properties": {}}
    collection = {"type": "FeatureCollection", "features": [feature, feature]}
    assert count_vertices(collection) == 10
    assert count_vertices({"type": "GeometryCollection", "geometries": [POLYGON]}) == 5
    assert count_vertices({"type": "Point", "coordinates": [106.7, 21.8]}) == 1
    assert count_vertices(None) == 0


def test_vertices__over_limit_is_413_naming_the_field():
    assert check_vertices(POLYGON, 5) == 5
    with pytest.raises(PayloadTooLarge) as refused:
        check_vertices(POLYGON, 4, field="route")
    assert refused.value.field == "route"
    assert refused.value.detail == {"limit": 4, "count": 5}
    assert STATUS[PayloadTooLarge] == (413, "payload_too_large")


def test_batch__over_limit_is_413_naming_the_field():
    check_batch(1000, 1000)
    with pytest.raises(PayloadTooLarge, match="1,001 items") as refused:
        check_batch(1001, 1000)
    assert refused.value.field == "points"
