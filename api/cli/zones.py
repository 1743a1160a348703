"""``borderzone zone add|amend|retire|list|show``: the zone registry from the shell.

``add`` and ``amend`` take the geometry as a file in any intake format (GeoJSON, KML/KMZ,
GPX, GeoPackage, zipped Shapefile, CSV of vertices with ``--crs``, an ODK geoshape in a text
file) and the legal fields as options; they pass the checks of ``POST /v1/zones``. The shell
acts as an administrator named ``cli:<login>``; every act is audited under that name.
"""

from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path

from api.database import store_engine
from api.routers.zone_input import ZoneRequest, answer, intake_of
from api.settings import Settings
from geo.common.errors import InvalidInput
from geo.common.security import Principal, Role
from geo.common.timeutil import json_default, parse_instant
from geo.intake import IntakeLimits
from geo.registry.versions import ZoneLegal
from geo.store.zones import registry

FIELDS = ("kind", "name", "instrument_number", "instrument_date", "issuer", "sensitivity",
          "province_code", "valid_from", "valid_to", "protection_rules_ref", "managing_unit",
          "crs")


def _principal() -> Principal:
    return Principal(subject=f"cli:{getpass.getuser()}", roles=frozenset({Role.ADMIN}))


def _request(args) -> ZoneRequest:
    fields = {k: getattr(args, k) for k in FIELDS if getattr(args, k, None) is not None}
    data = None
    if getattr(args, "file", None):
        try:
            data = Path(args.file).read_bytes()
        except OSError as exc:
            raise InvalidInput(f"{args.file}: {exc.strerror}", field="file") from exc
        fields["filename"] = Path(args.file).name
    return ZoneRequest(fields, data=data)


def _print(data: object) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=json_default))


def _add(args, engine, settings: Settings) -> int:
    req = _request(args)
    legal = ZoneLegal.parse(req.fields)
    intake = intake_of(engine, req, legal, IntakeLimits(max_vertices=settings.max_vertices))
    _print(answer(registry.register(engine, _principal(), legal, intake, settings.footprint),
                  intake))
    return 0


def _amend(args, engine, settings: Settings) -> int:
    req = _request(args)
    intake = None
    if req.data is not None:
        intake = intake_of(engine, req, registry.current_legal(engine, args.id),
                           IntakeLimits(max_vertices=settings.max_vertices))
    _print(answer(registry.amend(engine, _principal(), args.id, req.fields, intake,
                                 settings.footprint), intake))
    return 0


def _retire(args, engine, settings: Settings) -> int:
    done = registry.retire(engine, _principal(), args.id, instrument_number=args.instrument,
                           at=parse_instant(args.at))
    _print({"id": done.id, "version": done.version, "retired": True})
    return 0


def _list(args, engine, settings: Settings) -> int:
    zones = registry.list_zones(engine, province=args.province, kind=args.kind,
                                active_at=parse_instant(args.active_at, field="active_at"))
    for z in zones:
        print(f"{z['id']:>6} v{z['version']:<3} {z['kind']:<31} {z['province_code'] or '--'} "
              f"{z['valid_from']} -> {z['valid_to'] or 'open'}  {z['name']}")
    print(f"{len(zones)} zone(s)", file=sys.stderr)
    return 0


def _show(args, engine, settings: Settings) -> int:
    _print(registry.get(engine, args.id))
    return 0


ACTIONS = {"add": _add, "amend": _amend, "retire": _retire, "list": _list, "show": _show}


def run(args, settings: Settings) -> int:
    with store_engine(settings) as engine:
        return ACTIONS[args.action](args, engine, settings)


def _legal_options(parser, *, required: bool) -> None:
    for name in ("kind", "name", "instrument_number", "instrument_date", "issuer",
                 "sensitivity", "valid_from"):
        parser.add_argument(f"--{name.replace('_', '-')}", dest=name, required=required)
    for name in ("province_code", "valid_to", "protection_rules_ref", "managing_unit", "crs"):
        parser.add_argument(f"--{name.replace('_', '-')}", dest=name)


def add_parser(sub) -> None:
    """Add ``zone`` and its actions to the ``borderzone`` command."""
    top = sub.add_parser("zone", help="the zone registry: add, amend, retire, list, show")
    acts = top.add_subparsers(dest="action", required=True)
    add = acts.add_parser("add", help="register a zone from a geometry file")
    add.add_argument("file", help="GeoJSON, KML/KMZ, GPX, GPKG, zipped SHP, CSV, ODK text")
    _legal_options(add, required=True)
    amend = acts.add_parser("amend", help="a new version (new instrument; fields not given "
                                          "stay)")
    amend.add_argument("id", type=int)
    amend.add_argument("file", nargs="?", help="a new geometry (optional)")
    _legal_options(amend, required=False)
    retire = acts.add_parser("retire", help="close the zone's current version")
    retire.add_argument("id", type=int)
    retire.add_argument("--instrument", required=True, help="the retiring instrument")
    retire.add_argument("--at", help="ISO-8601 instant (default now)")
    listing = acts.add_parser("list", help="current versions")
    for flag in ("--province", "--kind", "--active-at"):
        listing.add_argument(flag)
    show = acts.add_parser("show", help="one zone with its history, as JSON")
    show.add_argument("id", type=int)
    top.set_defaults(run=run)
