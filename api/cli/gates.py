"""``borderzone gate ...``: the gate list, a gate's status at an instant, a crossing check.

The same checks and answers as ``GET /v1/gates``, ``GET /v1/gates/{id}/status`` and
``POST /v1/crossings/check``; read-only, so the shell needs no role.
"""

from __future__ import annotations

import json

from api.database import store_engine
from api.settings import Settings
from geo.common.timeutil import now
from geo.gates.crossing import check_crossing
from geo.gates.model import CrossingRequest, instant_param
from geo.gates.status import status_to_dict
from geo.rules.crossings import load_crossings
from geo.store.gates import repository as gates


def _print(data: object) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def _list(args, engine) -> int:
    where = gates.GateFilter(args.province, args.neighbour, None, None, args.q)
    for gate in gates.list_gates(engine, where):
        print(f"{gate.id:<12} {gate.gate_type.value:<14} {gate.neighbour_iso3} "
              f"{gate.province_code or '--'}  {gate.name}")
    return 0


def _status(args, engine) -> int:
    at = instant_param(args.at, "at") or now()
    known = instant_param(args.as_known_at, "as_known_at")
    gate, status = gates.status(engine, args.gate_id, at, load_crossings(), known)
    data = {"gate_id": gate.id, "name": gate.name, **status_to_dict(status)}
    if args.json:
        _print(data)
        return 0
    change = data["next_change"]
    print(f"{gate.name} ({gate.id}) at {data['at']}: {data['state']}"
          + ("" if data["hours_known"] else " (working hours unknown: decisions only)"))
    for reason in data["reasons"]:
        print(f"  because: {reason['kind']} {reason.get('number') or ''}".rstrip())
    print(f"  next change: {change['at']} -> {change['state']}" if change
          else "  next change: none known")
    return 0


def _crossing(args, engine) -> int:
    rules = load_crossings()
    docs = [d for d in (args.documents or "").split(",") if d.strip()]
    request = CrossingRequest.parse(gate_id=args.gate_id, direction=args.direction,
                                    nationality=args.nationality, category=args.category,
                                    documents=docs, arrival=args.arrival or now().isoformat(),
                                    vocabulary=rules.vocabulary)
    gate, status = gates.status(engine, request.gate_id, request.arrival, rules)
    _print(check_crossing(rules, gate, request, status_to_dict(status), now()))
    return 0


ACTIONS = {"list": _list, "status": _status, "crossing": _crossing}


def run(args, settings: Settings) -> int:
    with store_engine(settings) as engine:
        return ACTIONS[args.action](args, engine)


def add_parser(sub) -> None:
    """Add ``gate`` and its actions to the ``borderzone`` command."""
    top = sub.add_parser("gate", help="border gates: list, status at T, crossing check")
    acts = top.add_subparsers(dest="action", required=True)
    listing = acts.add_parser("list", help="gates, filtered")
    for flag in ("--province", "--neighbour", "--q"):
        listing.add_argument(flag)
    status = acts.add_parser("status", help="open or closed at an instant, why, next change")
    status.add_argument("gate_id", help="e.g. VN-GATE-004")
    status.add_argument("--at", help="ISO-8601 instant (no offset = Hanoi; default now)")
    status.add_argument("--as-known-at", help="as recorded at this instant")
    status.add_argument("--json", action="store_true")
    cross = acts.add_parser("crossing", help="documents, status at arrival, e-procedure")
    cross.add_argument("gate_id")
    cross.add_argument("--nationality", required=True, help="ISO3, e.g. VNM")
    cross.add_argument("--category", required=True,
                       help="vietnamese_citizen | border_resident | third_country_national "
                            "| tourist_group | official_delegation | vehicle")
    cross.add_argument("--documents", help="comma-separated codes, e.g. passport,visa")
    cross.add_argument("--arrival", help="ISO-8601 (no offset = Hanoi; default now)")
    cross.add_argument("--direction", default="entry", choices=["entry", "exit"])
    top.set_defaults(run=run)
