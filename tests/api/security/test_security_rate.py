"""Rate limits per principal and per address, failed authentications, batch points.

Timing is deterministic: buckets refill at 0.001 token/s (one token per 1,000 s), so no
refill can happen during a test; ``TokenBucket`` itself is tested with an injected clock.
"""

from __future__ import annotations

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.limits import TokenBucket, parse_networks, peer_address
from geo.common.errors import InvalidInput
from geo.common.security import Role
from geo.store import users
from tests.api.security.security_support import drop_users, make_user, settings
from tests.live_server import live_server

POINT = {"lon": 106.7615, "lat": 21.8537}  # Lạng Sơn
FROZEN = {"BORDERZONE_RATE_PER_S": "0.001", "BORDERZONE_RATE_BURST": "3",
          "BORDERZONE_AUTH_FAILURE_RATE_PER_S": "0.001", "BORDERZONE_AUTH_FAILURE_BURST": "3"}


@pytest.fixture()
def app_user(engine, loaded):
    name, key = make_user(engine, Role.APP)
    yield name, key
    drop_users(engine, [name])


def test_rate__header_variants_and_forged_forwarding_share_a_bucket_live(db_url, app_user):
    _, key = app_user
    with live_server(db_url, **FROZEN) as server, \
            httpx.Client(base_url=server.url, timeout=30) as http:
        token = http.post("/v1/auth/token", data={"grant_type": "client_credentials",
                                                  "client_secret": key}).json()["access_token"]
        variants = [{"X-API-Key": key}, {"Authorization": f"bearer {key}"},
                    {"Authorization": f"BEARER   {key}"},
                    {"Authorization": f"Bearer \t {key}"}, {"x-api-key": key},
                    {"Authorization": f"Bearer {token}"}]
        codes = [http.get("/v1/check/point", params=POINT, headers=h).status_code
                 for h in variants]
        assert codes == [200, 200, 200, 429, 429, 429]  # one user, one bucket of 3
        anonymous = [http.get("/v1/check/point", params=POINT,
                              headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code
                     for i in range(5)]
        # the token request (key in the form body) was the address's first: 2 are left
        assert anonymous == [200, 200, 429, 429, 429]  # one peer, whatever it claims
        server.assert_alive()


def test_rate__bogus_keys_limited_per_address_live(db_url, app_user):
    _, key = app_user
    with live_server(db_url, **FROZEN) as server, \
            httpx.Client(base_url=server.url, timeout=30) as http:
        codes = [http.get("/v1/auth/whoami",
                          headers={"X-API-Key": f"bzk_{i:043d}"}).status_code for i in range(5)]
        assert codes == [401, 401, 401, 429, 429]
        limited = http.get("/v1/auth/whoami", headers={"Authorization": "Bearer x.y.z"})
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) > 100
        server.assert_alive()


def test_rate__limited_bogus_keys_cost_no_lookup(db_url, loaded, monkeypatch):
    lookups = []
    real = users.principal_for_key
    monkeypatch.setattr(users, "principal_for_key",
                        lambda conn, k: lookups.append(k) or real(conn, k))
    tight = settings(rate_per_s=0.001, rate_burst=100, auth_failure_rate_per_s=0.001,
                     auth_failure_burst=3)
    with TestClient(create_app(tight, url=db_url)) as http:
        codes = [http.get("/v1/auth/whoami", headers={"X-API-Key": f"bzk_{i:043d}"})
                 .status_code for i in range(20)]
    assert codes == [401] * 3 + [429] * 17
    assert len(lookups) == 3


def _csv(n: int) -> bytes:
    rows = [f"p{i},{106.70 + i * 1e-5:.5f},21.85" for i in range(n)]
    return ("id,lon,lat\n" + "\n".join(rows)).encode()


def test_rate__batch_points_consume_the_budget(db_url, loaded):
    tight = settings(rate_per_s=0.001, rate_burst=10, rate_points_per_token=100)
    csv = {"content-type": "text/csv"}
    with TestClient(create_app(tight, url=db_url)) as http:
        first = http.post("/v1/check/batch", content=_csv(500), headers=csv)
        assert first.status_code == 200 and first.headers["x-point-count"] == "500"
        # 10 - (1 request + 5 for 500 points) = 4 left: the request takes 1, 500 points cost 5
        second = http.post("/v1/check/batch", content=_csv(500), headers=csv)
        assert second.status_code == 429, second.text
        assert second.json()["field"] == "points" and second.json()["cost_tokens"] == 5
        # the refused batch paid its request (1) but not its points: 3 requests are left
        codes = [http.get("/v1/check/point", params=POINT).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]


def test_rate__batch_over_the_burst_served_once_then_in_debt():
    clock = [0.0]
    bucket = TokenBucket(rate_per_s=8.0, burst=16, clock=lambda: clock[0])
    assert bucket.take("k", cost=1600) == 0.0  # 160,000 points at 100 per token, full bucket
    assert bucket.take("k") == (1 + 1584) / 8  # 198.125 s of debt to repay first
    clock[0] = 198.0
    assert bucket.take("k") == 0.125
    clock[0] = 198.125
    assert bucket.take("k") == 0.0
    assert bucket.take("other", cost=17) == 0.0  # a fresh bucket is full


def test_peer__forwarded_for_trusted_only_from_configured_proxies():
    def scope(peer: str, forwarded: str | None) -> dict:
        headers = [] if forwarded is None else [(b"x-forwarded-for", forwarded.encode())]
        return {"client": (peer, 5000), "headers": headers}

    proxies = parse_networks("10.0.0.0/8, 192.0.2.7")
    assert peer_address(scope("198.51.100.9", "203.0.113.5"), ()) == "198.51.100.9"
    assert peer_address(scope("198.51.100.9", "203.0.113.5"), proxies) == "198.51.100.9"
    assert peer_address(scope("10.1.2.3", "203.0.113.5"), proxies) == "203.0.113.5"
    # forged left-most entries are ignored: the right-most untrusted hop is the caller
    assert peer_address(scope("10.1.2.3", "1.1.1.1, 203.0.113.5, 192.0.2.7"),
                        proxies) == "203.0.113.5"
    assert peer_address(scope("10.1.2.3", "junk"), proxies) == "10.1.2.3"
    assert peer_address(scope("2001:db8::1", None), ()) == "2001:db8::/64"
    with pytest.raises(InvalidInput, match="'proxy.example' is not an address") as err:
        parse_networks("10.0.0.0/8, proxy.example")
    assert err.value.field == "BORDERZONE_TRUSTED_PROXIES"


def test_rate__anonymous_callers_limited_per_address_behind_a_trusted_proxy(db_url, loaded):
    """Each anonymous address has a bucket of its own (3 here, refilled every 1,000 s: no
    timing in play); an IPv6 caller's bucket is its /64; the proxy's own address is none."""
    tight = settings(rate_per_s=0.001, rate_burst=3, trusted_proxies="10.0.0.0/8")
    with TestClient(create_app(tight, url=db_url), client=("10.0.0.7", 5000)) as http:
        def codes(forwarded: str, n: int) -> list[int]:
            return [http.get("/v1/check/point", params=POINT,
                             headers={"X-Forwarded-For": forwarded}).status_code
                    for _ in range(n)]

        assert codes("203.0.113.5", 4) == [200, 200, 200, 429]
        assert codes("203.0.113.6", 4) == [200, 200, 200, 429]  # the next address: its own
        assert codes("203.0.113.5", 1) == [429]  # the first is still spent
        assert codes("2001:db8:1:2::1", 2) + codes("2001:db8:1:2::ffff", 2) == [
            200, 200, 200, 429]  # one /64, one bucket
        assert codes("2001:db8:1:3::1", 1) == [200]  # the next /64
        refused = http.get("/v1/check/point", params=POINT,
                           headers={"X-Forwarded-For": "203.0.113.5"})
        assert refused.json()["error"] == "rate_limited" and "retry-after" in refused.headers
