"""A rebuild that fails on the data keeps the last good index serving, and /health says so."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from geo.common.errors import DataError, StoreUnavailable
from geo.store.zones import snapshot

HOAN_KIEM = {"lon": 105.8542, "lat": 21.0285}


@pytest.fixture(scope="module")
def client(db_url, loaded):
    app = create_app(Settings(), url=db_url)
    with TestClient(app) as c:
        yield c


@pytest.mark.parametrize("error", [DataError("belt row 44: invalid geometry"),
                                   ValueError("GEOSException: TopologyException")])
def test_index__failed_rebuild_keeps_serving_the_last_good_index(client, monkeypatch, error):
    live = client.app.state.live
    good = live.get()
    assert live.prepared.is_set() and good.belt._cells is not None  # prepared before the swap

    def broken(*_args, **_kwargs):
        raise error

    monkeypatch.setattr(snapshot, "build_index", broken)
    assert live.refresh(force=True) is False
    assert live.get() is good
    health = client.get("/health")
    assert health.status_code == 200
    body = health.json()
    assert body["status"] == "ok" and body["stale"] is True
    assert body["stale_error"] == type(error).__name__
    assert body["index_version"] == good.version
    answer = client.get("/v1/check/point", params=HOAN_KIEM)
    assert answer.status_code == 200 and answer.json()["province"]["name"] == "Hà Nội"
    monkeypatch.undo()
    assert live.refresh(force=True) is True  # the data is fine again: a fresh index
    assert client.get("/health").json()["stale"] is False and live.get() is not good


def test_index__an_unreachable_database_still_means_unavailable(client, monkeypatch):
    live = client.app.state.live

    def lost(*_args, **_kwargs):
        raise StoreUnavailable("the database is unavailable; try again shortly "
                               "(OperationalError)")

    monkeypatch.setattr(snapshot, "build_index", lost)
    with pytest.raises(StoreUnavailable):
        live.refresh(force=True)
    assert live.stale is False
