"""``datetime`` against each feature's validity interval (OGC API – Features, intersects)."""

from __future__ import annotations

import pytest

from tests.api.decisions.decision_support import client  # noqa: F401 (fixture)
from tests.api.layers.layer_support import H, a_day, issue

pytestmark = pytest.mark.db


@pytest.fixture(scope="module")
def eight_to_eight(client):  # noqa: F811
    start = a_day()
    return start, issue(client, start, 12)["number"]


def _numbers(client, when: str, number: str) -> list[str]:  # noqa: F811
    r = client.get("/ogc/collections/decisions/items",
                   params={"datetime": when, "number": number})
    assert r.status_code == 200, r.text
    return [f["properties"]["number"] for f in r.json()["features"]]


@pytest.mark.parametrize("when, shown", [
    (lambda s: (s + 4 * H).isoformat(), True),  # 12:00
    (lambda s: f"{(s + 2 * H).isoformat()}/{(s + 3 * H).isoformat()}", True),  # 10:00/11:00
    (lambda s: f"{(s + 11 * H).isoformat()}/..", True),  # 19:00/..
    (lambda s: f"{(s + 12 * H).isoformat()}/..", False),  # 20:00/..: ends as it starts
    (lambda s: f"../{(s - H / 60).isoformat()}", False),  # ../07:59
    (lambda s: f"{(s + 12 * H).isoformat()}", False),  # 20:00 itself: [from, to)
    (lambda s: f"/{(s).isoformat()}", True),  # open start, ends at 08:00 exactly
])
def test_items_datetime__matches_the_validity_interval(client, eight_to_eight, when,  # noqa: F811
                                                       shown):
    start, number = eight_to_eight
    assert _numbers(client, when(start), number) == ([number] if shown else [])


def test_items_datetime__malformed_is_422_naming_datetime(client):  # noqa: F811
    for bad in ("yesterday", "2026-01-01/2025-01-01", "../..", "a/b/c"):
        r = client.get("/ogc/collections/decisions/items", params={"datetime": bad})
        assert r.status_code == 422, bad
        assert r.json()["field"] == "datetime"


def test_items_as_known_at__before_recording_hides_the_decision(client, eight_to_eight):  # noqa: F811
    from tests.api.decisions.decision_support import auth
    start, number = eight_to_eight
    headers = auth(client)  # the officer: cleared
    r = client.get("/ogc/collections/decisions/items",
                   params={"number": number, "as_known_at": "2025-01-01T00:00:00+07:00"},
                   headers=headers)
    assert r.status_code == 200 and r.json()["numberMatched"] == 0
    r = client.get("/ogc/collections/decisions/items", params={"number": number},
                   headers=headers)
    assert r.json()["numberMatched"] == 1
    anonymous = client.get("/ogc/collections/decisions/items",
                           params={"as_known_at": "2025-01-01T00:00:00+07:00"})
    assert anonymous.status_code == 403 and anonymous.json()["field"] == "as_known_at"
