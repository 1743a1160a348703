"""``borderzone decision ...``: issue, extend, revoke, list, show and render decisions.

Inputs are JSON files (``-`` for stdin) in the shapes of the HTTP API's POST bodies
(``api.schemas.decisions``); they pass the same checks. The shell acts as an administrator
named ``cli:<login>`` (whoever can run it on the server can reach the database anyway); every
act is recorded under that name in the event and audit logs.
"""

from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path

from pydantic import BaseModel, ValidationError
from shapely.geometry import shape as to_shape

from api.database import store_engine
from api.schemas.decisions import DecisionIn, ExtensionIn, RevocationIn
from api.settings import Settings
from geo.common.errors import InvalidInput
from geo.common.security import Principal, Role
from geo.common.timeutil import now, parse_instant, stamp
from geo.decisions.codec import (
    decision_from_dict,
    extension_from_dict,
    file_to_dict,
    revocation_from_dict,
)
from geo.decisions.query import DecisionQuery
from geo.store.decisions import notices as decision_notices
from geo.store.decisions import repository as decisions


def _principal() -> Principal:
    return Principal(subject=f"cli:{getpass.getuser()}", roles=frozenset({Role.ADMIN}))


def _body(path: str, model: type[BaseModel]) -> dict:
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
        return model.model_validate(json.loads(text)).model_dump(mode="json")
    except OSError as exc:
        raise InvalidInput(f"{path}: {exc.strerror}", field="file") from exc
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{path}: not JSON ({exc})", field="file") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InvalidInput(f"{path}: {where}: {first['msg']}", field=where) from exc


def _print(data: object) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def geometry_summary(geojson: dict) -> dict:
    """What a reader needs of an area without its coordinates: type, parts, vertices and
    bounding box (west, south, east, north; EPSG:4326 degrees)."""
    geom = to_shape(geojson)
    parts = list(getattr(geom, "geoms", [geom]))
    vertices = sum(len(p.exterior.coords) + sum(len(r.coords) for r in p.interiors)
                   for p in parts)
    west, south, east, north = geom.bounds
    return {"type": geom.geom_type, "parts": len(parts), "vertices": vertices,
            "bbox": {"west": round(west, 6), "south": round(south, 6),
                     "east": round(east, 6), "north": round(north, 6)}}


def _decision(file, at, geometry: bool) -> dict:
    """The decision as JSON; its area in force as a summary unless ``geometry``."""
    out = file_to_dict(file, at)
    if not geometry:
        out["geometry"] = geometry_summary(out["geometry"])
    return out


def _act(recorded: decisions.Recorded, geometry: bool = False) -> int:
    for warning in recorded.warnings:
        print(f"WARNING: {warning}", file=sys.stderr)
    _print({"act_number": recorded.act_number, "rule_id": recorded.rule_id,
            "citation": recorded.citation, "form_id": recorded.form_id,
            "decision": _decision(recorded.file, now(), geometry)})
    return 0


def _create(args, engine) -> int:
    dec = decision_from_dict(_body(args.file, DecisionIn))
    return _act(decisions.issue(engine, _principal(), dec))


def _extend(args, engine) -> int:
    ext = extension_from_dict(_body(args.file, ExtensionIn), args.number)
    return _act(decisions.extend(engine, _principal(), args.number, ext))


def _revoke(args, engine) -> int:
    rev = revocation_from_dict(_body(args.file, RevocationIn), args.number)
    return _act(decisions.revoke(engine, _principal(), args.number, rev))


def _list(args, engine) -> int:
    query = DecisionQuery.parse(active_at=args.active_at, as_known_at=args.as_known_at,
                                province=args.province, scope=args.scope, status=args.status,
                                bbox=args.bbox, limit=args.limit)
    at = query.instant(now())
    files = decisions.list_decisions(engine, query)
    if args.json:
        _print([_decision(f, at, args.geometry) for f in files])
        return 0
    for f in files:
        row = file_to_dict(f, at)
        print(f"{row['number']:<28} {row['scope']:<17} {row['status']:<8} "
              f"{row['effective_from']} -> {row['effective_to']}  {row['area_text'][:60]}")
    print(f"{len(files)} decision(s), status at {stamp(at)}", file=sys.stderr)
    return 0


def _show(args, engine) -> int:
    moment = parse_instant(args.as_known_at, field="as_known_at")
    _print(_decision(decisions.get(engine, args.number, moment), moment or now(),
                     args.geometry))
    return 0


def _notice(args, engine) -> int:
    options = {k: v for k, v in (("agreement", args.agreement), ("addressee", args.addressee),
                                 ("notice_number", args.notice_number),
                                 ("extension", args.extension)) if v}
    text = decision_notices.render_notice(engine, args.number, args.form, args.format, options)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"written to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


ACTIONS = {"create": _create, "extend": _extend, "revoke": _revoke, "list": _list,
           "show": _show, "notice": _notice}


def run(args, settings: Settings) -> int:
    with store_engine(settings) as engine:
        return ACTIONS[args.action](args, engine)


def add_parser(sub) -> None:
    """Add ``decision`` and its actions to the ``borderzone`` command."""
    top = sub.add_parser("decision", help="restriction decisions: issue, extend, revoke, ...")
    acts = top.add_subparsers(dest="action", required=True)
    create = acts.add_parser("create", help="record a decision from a JSON file")
    create.add_argument("file", help="JSON as POST /v1/decisions ('-' = stdin)")
    for name, shape in (("extend", "POST /v1/decisions/{number}/extensions"),
                        ("revoke", "POST /v1/decisions/{number}/revocation")):
        act = acts.add_parser(name, help=f"record an act on a decision ({shape})")
        act.add_argument("number")
        act.add_argument("file", help=f"JSON as {shape} ('-' = stdin)")
    listing = acts.add_parser("list", help="decisions by valid and transaction time")
    for flag in ("--active-at", "--as-known-at", "--province", "--scope", "--status", "--bbox"):
        listing.add_argument(flag)
    listing.add_argument("--limit", type=int, default=1000)
    listing.add_argument("--json", action="store_true")
    listing.add_argument("--geometry", action="store_true",
                         help="with --json: each area's coordinates, not a summary")
    show = acts.add_parser("show", help="one decision with its acts, as JSON (its area as "
                                        "a summary)")
    show.add_argument("number")
    show.add_argument("--as-known-at")
    show.add_argument("--geometry", action="store_true",
                      help="print the area's coordinates (GeoJSON) instead of a summary")
    notice = acts.add_parser("notice", help="render a form (17-24, II-01..II-04)")
    notice.add_argument("number")
    notice.add_argument("form")
    notice.add_argument("--format", choices=["html", "text"], default="text")
    for flag in ("--agreement", "--addressee", "--notice-number", "--extension"):
        notice.add_argument(flag)
    notice.add_argument("-o", "--output", help="write to this file")
    top.set_defaults(run=run)

