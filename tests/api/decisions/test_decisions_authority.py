"""Every issuer × scope × duration rule of Law 66/2020 Art 11 through the HTTP API: within the
limit (201, with the UNCONFIRMED warning) and beyond it (422 citing the rule).

Runs in the test's rolled-back transaction (``tx_client``); the gates get an approved
checkpoint area there, since the real gate list has no coordinates (see
``test_decisions_api.py`` for that refusal on the real data)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.api.decisions import decision_support
from tests.api.decisions.decision_support import (
    LAW,
    MINUTE,
    H,
    add_test_gates,
    auth,
    decision_body,
    extension_body,
    path,
)

client = decision_support.client  # fixture
tx_client = decision_support.tx_client  # fixture

DECIDE_RULES = [  # rule, scope, gate type, issuer, max hours, citation
    ("DEC-10", "border_belt", None, "post", 12, f"{LAW} Art 11(3)(a)"),
    ("DEC-11", "land_border_area", None, "commander", 24, f"{LAW} Art 11(3)(b)"),
    ("DEC-14", "gate", "auxiliary", "post", 6, f"{LAW} Art 11(4)(a)"),
    ("DEC-14", "gate", "border_opening", "post", 6, f"{LAW} Art 11(4)(a)"),
    ("DEC-15", "gate", "auxiliary", "commander", 12, f"{LAW} Art 11(4)(a) 2nd sentence"),
    ("DEC-15", "gate", "border_opening", "commander", 12, f"{LAW} Art 11(4)(a) 2nd sentence"),
    ("DEC-16", "gate", "main", "commander", 6, f"{LAW} Art 11(4)(b)"),
    ("DEC-17", "gate", "main", "chairman", 24, f"{LAW} Art 11(4)(c)"),
]
EXTEND_RULES = [  # rule, scope, gate type, decision issuer, extension issuer, max h, citation
    ("DEC-12", "land_border_area", None, "commander", "committee", 24,
     f"{LAW} Art 11(3)(b) 2nd para"),
    ("DEC-20", "gate", "auxiliary", "post", "post", 6, f"{LAW} Art 11(5)(a)"),
    ("DEC-20", "gate", "border_opening", "post", "post", 6, f"{LAW} Art 11(5)(a)"),
    ("DEC-21", "gate", "main", "commander", "commander", 6, f"{LAW} Art 11(5)(b)"),
    ("DEC-22", "gate", "auxiliary", "commander", "commander", 12, f"{LAW} Art 11(5)(b)"),
    ("DEC-22", "gate", "border_opening", "commander", "commander", 12, f"{LAW} Art 11(5)(b)"),
    ("DEC-23", "gate", "main", "chairman", "chairman", 24, f"{LAW} Art 11(5)(c)"),
]
WRONG_ISSUER = [  # scope, gate type, issuer, rules cited, citation
    ("border_belt", None, "commander", "DEC-10", f"{LAW} Art 11(3)(a)"),
    ("border_belt", None, "committee", "DEC-10", f"{LAW} Art 11(3)(a)"),
    ("land_border_area", None, "post", "DEC-11", f"{LAW} Art 11(3)(b)"),
    ("gate", "main", "post", "DEC-16, DEC-17", f"{LAW} Art 11(4)(c)"),
    ("gate", "international", "chairman", "DEC-18", f"{LAW} Art 11(4)(d)"),
    ("gate", "auxiliary", "chairman", "DEC-14, DEC-15", f"{LAW} Art 11(4)(a)"),
]


def _dt(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _plus(text: str, delta: timedelta) -> str:
    return (_dt(text) + delta).isoformat()


@pytest.fixture()
def api(tx_client, conn):
    add_test_gates(conn)
    return tx_client


def _issue(api, body: dict):
    return api.post("/v1/decisions", json=body, headers=auth(api))


def _refused_with(response, rule_id: str, citation: str) -> None:
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "authority_exceeded"
    assert body["rule_id"] == rule_id
    assert citation in body["citation"] and citation in body["message"]


@pytest.mark.parametrize(("rule_id", "scope", "gate_type", "who", "max_h", "citation"),
                         DECIDE_RULES)
def test_issue__within_limit_recorded_with_rule_and_warning(api, rule_id, scope, gate_type,
                                                             who, max_h, citation):
    response = _issue(api, decision_body(scope, who, max_h, gate_type))
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["rule_id"], body["citation"]) == (rule_id, citation)
    assert any("UNCONFIRMED" in w for w in body["warnings"])
    decision = body["decision"]
    assert decision["geometry"]["type"] == "MultiPolygon" and decision["area_m2"] > 0
    assert decision["authority"] == {"rule_id": rule_id, "citation": citation}


@pytest.mark.parametrize(("rule_id", "scope", "gate_type", "who", "max_h", "citation"),
                         DECIDE_RULES)
def test_issue__beyond_limit_refused_citing_rule(api, rule_id, scope, gate_type, who, max_h,
                                                 citation):
    body = decision_body(scope, who, max_h, gate_type)
    body["valid_to"] = _plus(body["valid_from"], max_h * H + MINUTE)
    response = _issue(api, body)
    _refused_with(response, rule_id, citation)
    assert response.json()["max_hours"] == max_h
    assert f"at most {max_h} h" in response.json()["message"]


def test_issue__prime_minister_international_gate_has_no_maximum(api):
    response = _issue(api, decision_body("gate", "pm", 72, "international"))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["rule_id"] == "DEC-18" and body["citation"] == f"{LAW} Art 11(4)(d)"
    assert any("no maximum duration" in w for w in body["warnings"])


@pytest.mark.parametrize(("scope", "gate_type", "who", "rule_ids", "citation"), WRONG_ISSUER)
def test_issue__issuer_without_competence_refused(api, scope, gate_type, who, rule_ids,
                                                  citation):
    _refused_with(_issue(api, decision_body(scope, who, 1, gate_type)), rule_ids, citation)


def _base(api, scope: str, gate_type: str | None, who: str) -> dict:
    response = _issue(api, decision_body(scope, who, 6, gate_type))
    assert response.status_code == 201, response.text
    return response.json()["decision"]


def _extend(api, decision: dict, who: str, added, **changes):
    end = decision["valid_to"]
    body = extension_body(_dt(end) + added, who, _dt(end) - H, **changes)
    return api.post(path(decision["number"], "/extensions"), json=body, headers=auth(api))


@pytest.mark.parametrize(("rule_id", "scope", "gate_type", "base_who", "who", "max_h",
                          "citation"), EXTEND_RULES)
def test_extend__within_limit_recorded(api, rule_id, scope, gate_type, base_who, who, max_h,
                                       citation):
    decision = _base(api, scope, gate_type, base_who)
    response = _extend(api, decision, who, max_h * H)
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["rule_id"], body["citation"]) == (rule_id, citation)
    after = body["decision"]
    assert after["effective_to"] == _plus(decision["valid_to"], max_h * H)
    assert [e["rule_id"] for e in after["extensions"]] == [rule_id]


@pytest.mark.parametrize(("rule_id", "scope", "gate_type", "base_who", "who", "max_h",
                          "citation"), EXTEND_RULES)
def test_extend__beyond_limit_refused_citing_rule(api, rule_id, scope, gate_type, base_who,
                                                  who, max_h, citation):
    decision = _base(api, scope, gate_type, base_who)
    _refused_with(_extend(api, decision, who, max_h * H + MINUTE), rule_id, citation)


def test_extend__prime_minister_international_gate_accepted_with_warning(api):
    decision = _base(api, "gate", "international", "pm")
    response = _extend(api, decision, "pm", 48 * H)
    assert response.status_code == 201, response.text
    assert response.json()["rule_id"] == "DEC-18-EXT"
    assert any("Art 11(5) states no extension" in w for w in response.json()["warnings"])


@pytest.mark.parametrize("who", ["post", "commander", "committee"])
def test_extend__belt_decision_cannot_be_extended(api, who):
    decision = _base(api, "border_belt", None, "post")
    _refused_with(_extend(api, decision, who, 1 * H), "DEC-26", f"{LAW} Art 11(3)")


def test_extend__signed_after_the_period_ended_refused(api):
    decision = _base(api, "land_border_area", None, "commander")
    end = _dt(decision["valid_to"])
    body = extension_body(end + 12 * H, "committee", end)
    response = api.post(path(decision["number"], "/extensions"), json=body, headers=auth(api))
    _refused_with(response, "DEC-EXT-TIMING", f"{LAW} Art 11(5)")
