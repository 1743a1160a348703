"""Integrity, committed for real: concurrent extensions (one wins, the other 409), and a failed
request writes nothing (no decision, event or audit row)."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import text

from tests.api.decisions import decision_support
from tests.api.decisions.decision_support import (
    T0,
    H,
    auth,
    decision_body,
    extension_body,
    path,
    revocation_body,
)

client = decision_support.client  # fixture

START = T0 + timedelta(days=120)


def _issue(client, **changes) -> str:
    body = decision_body("land_border_area", "commander", 24, start=START, **changes)
    response = client.post("/v1/decisions", json=body, headers=auth(client))
    assert response.status_code == 201, response.text
    return body["number"]


def _rows(engine, number: str) -> dict[str, int]:
    """Rows that mention ``number`` in every table a request may write."""
    with engine.connect() as conn:
        return {
            "decision": conn.execute(text("SELECT count(*) FROM decision WHERE number = :n"),
                                     {"n": number}).scalar_one(),
            "extension": conn.execute(text(
                "SELECT count(*) FROM decision_extension e JOIN decision d ON d.id = "
                "e.decision_id WHERE d.number = :n OR e.number = :n"), {"n": number}).scalar_one(),
            "event": conn.execute(text(
                "SELECT count(*) FROM decision_event e JOIN decision d ON d.id = e.decision_id "
                "WHERE d.number = :n OR e.act_number = :n"), {"n": number}).scalar_one(),
            "audit": conn.execute(text("SELECT count(*) FROM audit_log WHERE entity = 'decision' "
                                       "AND entity_id = :n"), {"n": number}).scalar_one(),
        }


def _extension(number_base: str):
    return extension_body(START + 48 * H, "committee", START + 20 * H)


def test_extend__two_officers_at_once_one_wins_other_409(client, engine):
    number = _issue(client)
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def officer() -> None:
        body = _extension(number)
        barrier.wait()
        statuses.append(client.post(path(number, "/extensions"), json=body,
                                    headers=auth(client)).status_code)

    threads = [threading.Thread(target=officer) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [201, 409]
    assert _rows(engine, number) == {"decision": 1, "extension": 1, "event": 2, "audit": 2}


def test_extend__decision_locked_by_another_act_409_and_nothing_written(client, engine):
    number = _issue(client)
    with engine.connect() as other:
        other.begin()
        other.execute(text("SELECT id FROM decision WHERE number = :n FOR UPDATE"),
                      {"n": number})
        response = client.post(path(number, "/extensions"), json=_extension(number),
                               headers=auth(client))
        other.rollback()
    assert response.status_code == 409, response.text
    assert "being recorded right now" in response.json()["message"]
    assert _rows(engine, number) == {"decision": 1, "extension": 0, "event": 1, "audit": 1}


def test_extend__same_extension_again_409_naming_the_first(client, engine):
    number = _issue(client)
    first = _extension(number)
    assert client.post(path(number, "/extensions"), json=first,
                       headers=auth(client)).status_code == 201
    response = client.post(path(number, "/extensions"), json=_extension(number),
                           headers=auth(client))
    assert response.status_code == 409
    assert f"already extended to {(START + 48 * H).isoformat()}" in response.json()["message"]
    assert first["number"] in response.json()["message"]


def test_revoke__twice_409(client, engine):
    number = _issue(client)
    rev = revocation_body(START + 2 * H, "commander")
    assert client.post(path(number, "/revocation"), json=rev,
                       headers=auth(client)).status_code == 201
    again = client.post(path(number, "/revocation"), json=revocation_body(START + 3 * H,
                                                                          "commander"),
                        headers=auth(client))
    assert again.status_code == 409 and rev["number"] in again.json()["message"]
    extend = client.post(path(number, "/extensions"), json=_extension(number),
                         headers=auth(client))
    assert extend.status_code == 409 and "revoked" in extend.json()["message"]


def test_issue__failing_after_the_insert_writes_nothing(client, engine):
    """The decision row is inserted, then its event collides with an extension's number:
    the whole request is rolled back."""
    number = _issue(client)
    ext = _extension(number)
    assert client.post(path(number, "/extensions"), json=ext,
                       headers=auth(client)).status_code == 201
    clash = ext["number"]
    before = _rows(engine, clash)
    response = client.post("/v1/decisions", json=decision_body(
        "land_border_area", "commander", 6, start=START, number=clash), headers=auth(client))
    assert response.status_code == 409, response.text
    assert "uq_decision_event_act_number" in response.json()["message"]
    assert _rows(engine, clash) == before


def test_issue__refused_by_authority_writes_nothing(client, engine):
    body = decision_body("border_belt", "post", 13, start=START)
    response = client.post("/v1/decisions", json=body, headers=auth(client))
    assert response.status_code == 422
    assert _rows(engine, body["number"]) == {"decision": 0, "extension": 0, "event": 0,
                                             "audit": 0}
