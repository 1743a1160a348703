"""The crossing check: documents accepted at a gate, and the land-gate e-border procedure.

Who holds the documents decides the list (RULES.md §5): ``vietnamese`` (nationality VNM,
§5.1 DOC-01..03), ``neighbour`` (a citizen of the country across this gate, §5.2
DOC-10..12) or ``foreign`` (any other country: passport or travel document with a visa or
visa exemption, Circular 09/2016 Art 8(2)(a), international gates only, GL-20..22).
Category ``border_resident`` adds the identity cards of the Vietnam-Cambodia border.

``verdict``: ``accepted`` (a listed option is held), ``not_listed`` (none held; the answer
lists which would be), ``not_permitted_at_gate`` (the gate type is not open to this holder),
``not_determined`` (no list in force: border openings, arrivals before 05/12/2025, vehicle
papers). ``accepted`` is true only for ``accepted``. Every list also admits "other documents
under law or treaties" (``open_clause``), which borderzone cannot assess.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from geo.common.errors import InvalidInput
from geo.common.timeutil import stamp, to_hanoi
from geo.gates.model import CrossingRequest, Gate
from geo.rules.crossings import (
    CrossingRules,
    DocumentOption,
    DocumentRule,
    EProcedure,
    Holder,
    TravellerCategory,
)
from geo.rules.model import Citation, local_date

VIETNAM = "VNM"
C = TravellerCategory


def vocabulary(rules: CrossingRules) -> list[dict[str, str]]:
    return [{"code": v.code, "name_vi": v.name_vi, "name_en": v.name_en}
            for v in rules.vocabulary.values()]


def holder_of(request: CrossingRequest, gate: Gate) -> Holder:
    """Whose list applies; refuses a category that contradicts the nationality (422)."""
    nat, cat = request.nationality, request.category
    if cat is C.VIETNAMESE_CITIZEN and nat != VIETNAM:
        raise InvalidInput(f"nationality: category vietnamese_citizen needs nationality VNM, "
                           f"not {nat}", field="nationality")
    if cat is C.THIRD_COUNTRY_NATIONAL and nat == VIETNAM:
        raise InvalidInput("category: a Vietnamese national crosses as vietnamese_citizen or "
                           "border_resident", field="category")
    if cat is C.BORDER_RESIDENT and nat not in (VIETNAM, gate.neighbour_iso3):
        raise InvalidInput(f"nationality: a border resident crossing at {gate.name} is "
                           f"Vietnamese (VNM) or a citizen of {gate.neighbour_iso3}, not {nat}",
                           field="nationality")
    if nat == VIETNAM:
        return Holder.VIETNAMESE
    return Holder.NEIGHBOUR if nat == gate.neighbour_iso3 else Holder.FOREIGN


def _cite(citation: Citation | None) -> dict[str, Any] | None:
    return None if citation is None else citation.to_dict()


def _option(option: DocumentOption, rule: DocumentRule, rules: CrossingRules) -> dict:
    return {"documents": [list(slot) for slot in option.slots], "label": option.label,
            "names_vi": [" hoặc ".join(rules.vocabulary[c].name_vi for c in slot)
                         for slot in option.slots],
            "citation": _cite(option.citation or rule.citation), "rule_id": rule.rule_id,
            "only_on_borders": sorted(option.borders) if option.borders else None,
            "border_residents_only": option.residents_only,
            "unconfirmed": rule.unconfirmed_reason is not None,
            "unconfirmed_reason": rule.unconfirmed_reason}


def _document_rule(rules: CrossingRules, holder: Holder, gate: Gate,
                   arrival: datetime) -> DocumentRule | None:
    day = local_date(arrival)
    return next((r for r in rules.document_rules if r.holders is holder
                 and gate.gate_type in r.gate_types and r.in_force(day)), None)


def _documents(rules: CrossingRules, request: CrossingRequest, gate: Gate,
               holder: Holder) -> dict[str, Any]:
    users = rules.gate_users[gate.gate_type]
    base: dict[str, Any] = {"gate_users": {"holders": sorted(h.value for h in users.holders),
                                           "condition": users.condition,
                                           "citation": _cite(users.citation)}}
    if request.category is C.VEHICLE:
        return {**base, "verdict": "not_determined", "accepted_documents": [],
                "reason": "RULES.md §5 lists the travel documents of persons; the papers of "
                          "vehicles at land gates are not in the texts read"}
    if holder not in users.holders:
        return {**base, "verdict": "not_permitted_at_gate", "accepted_documents": [],
                "reason": f"a {gate.gate_type.value} gate is not open to a {holder.value} "
                          f"national ({users.citation.label})"}
    rule = _document_rule(rules, holder, gate, request.arrival)
    if rule is None or not rule.listed:
        return {**base, "verdict": "not_determined", "accepted_documents": [],
                "document_rule": _rule_dict(rule), "reason": rule.open_clause if rule else
                "no document list in force on the arrival date"}
    resident = request.category is C.BORDER_RESIDENT
    offered = [o for o in rule.options if o.open_to(gate.neighbour_iso3, resident)]
    held = frozenset(request.documents)
    matched = [o for o in offered if o.satisfied_by(held)]
    out = {**base, "verdict": "accepted" if matched else "not_listed",
           "accepted_documents": [_option(o, rule, rules) for o in offered],
           "held_accepted": [_option(o, rule, rules) for o in matched],
           "document_rule": _rule_dict(rule)}
    partial = [o.label for o in offered if not matched and (held & o.codes)]
    if partial:
        out["incomplete"] = partial
    return out


def _rule_dict(rule: DocumentRule | None) -> dict[str, Any] | None:
    if rule is None:
        return None
    return {"id": rule.id, "rule_id": rule.rule_id, "citation": _cite(rule.citation),
            "open_clause": rule.open_clause,
            "effective_from": rule.effective_from.isoformat(),
            "effective_to": rule.effective_to.isoformat() if rule.effective_to else None,
            "unconfirmed": rule.unconfirmed_reason is not None,
            "unconfirmed_reason": rule.unconfirmed_reason}


def _procedure(rules: CrossingRules, request: CrossingRequest,
               holder: Holder) -> EProcedure | None:
    day = local_date(request.arrival)
    held = frozenset(request.documents)
    return next((p for p in rules.e_procedures if p.in_force(day)
                 and request.category in p.categories and holder in p.holders
                 and (not p.when_holding or held & p.when_holding)
                 and not (held & p.unless_holding)), None)


def _common(rules: CrossingRules, arrival: datetime) -> dict[str, Any]:
    common, day = rules.common, local_date(arrival)
    channels = [{"name": ch["name"], "since": stamp(ch["since"]),
                 "citation": _cite(ch["citation"])}
                for ch in common["channels"] if ch["since"] <= day]
    login = common["login"]
    return {"optional": True, "optional_citation": _cite(common["optional"]["citation"]),
            "portal": {"url": common["portal"]["url"], "hours": common["portal"]["hours"],
                       "citation": _cite(common["portal"]["citation"])},
            "channels": channels,
            "login": {"text": " ".join(login["text"].split()),
                      "citation": _cite(login["citation"]), "unconfirmed": True,
                      "unconfirmed_reason": " ".join(login["unconfirmed_reason"].split())},
            "declaration_fields": " ".join(common["declaration_fields"]["text"].split())}


def _e_procedure(rules: CrossingRules, request: CrossingRequest, gate: Gate,
                 holder: Holder, now: datetime) -> dict[str, Any]:
    proc = _procedure(rules, request, holder)
    if proc is None:
        return {"code": None, "available": False, "optional": True,
                "reason": "none of the land-gate e-border procedures in force on the arrival "
                          f"date applies to a {request.category.value} ({holder.value} "
                          "national) with these documents"}
    arrival = to_hanoi(request.arrival)
    declare_by = arrival - timedelta(hours=proc.declare_before_hours)
    available = gate.gate_type in proc.gate_types
    out = {"code": proc.code, "nsw_item": proc.nsw_item, "name_vi": proc.name_vi,
           "available": available,
           "gate_types": sorted(t.value for t in proc.gate_types),
           "declare_before_hours": proc.declare_before_hours,
           "declare_by": stamp(declare_by), "declare_by_passed": declare_by <= now,
           "confirm_within": f"PT{proc.confirm_within_hours}H",
           "confirm_within_hours": proc.confirm_within_hours,
           "confirm_after": "a complete declaration", "note": proc.note,
           "rule_id": proc.rule_id, "citations": [c.to_dict() for c in proc.citations],
           "unconfirmed": proc.unconfirmed_reason is not None,
           "unconfirmed_reason": proc.unconfirmed_reason,
           **_common(rules, arrival)}
    if not available:
        out["reason"] = (f"{proc.code} runs only at {', '.join(out['gate_types'])} gates; "
                         f"{gate.name} is {gate.gate_type.value}: use the manual procedure")
    if proc.amendment:
        amend = rules.amendments[proc.amendment]
        out["amendment"] = {"code": amend.code, "nsw_item": amend.nsw_item,
                            "name_vi": amend.name_vi,
                            "submit_within": f"PT{amend.submit_within_hours}H",
                            "confirm_within": f"PT{amend.confirm_within_hours}H",
                            "citations": [c.to_dict() for c in amend.citations]}
    return out


def check_crossing(rules: CrossingRules, gate: Gate, request: CrossingRequest,
                   gate_status: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The answer to a crossing check (see the module docstring); ``gate_status`` is the
    gate's status at ``request.arrival`` as ``geo.gates.status.status_to_dict`` gives it."""
    holder = holder_of(request, gate)
    documents = _documents(rules, request, gate, holder)
    return {
        "gate": {"id": gate.id, "name": gate.name, "gate_type": gate.gate_type.value,
                 "neighbour_iso3": gate.neighbour_iso3, "province_code": gate.province_code},
        "direction": request.direction.value, "nationality": request.nationality,
        "category": request.category.value, "holder": holder.value,
        "documents": list(request.documents),
        "arrival": to_hanoi(request.arrival).isoformat(),
        "accepted": documents["verdict"] == "accepted", **documents,
        "gate_status": gate_status,
        "e_procedure": _e_procedure(rules, request, gate, holder, now),
    }
