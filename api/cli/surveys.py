"""``borderzone survey upload|submit|approve|reject|publish|show|list|diff|export|sketch``:
checkpoint-area surveys from the shell, with the checks of ``/v1/surveys``.

``upload`` takes the sketch in any intake format (GeoJSON, KML/KMZ, GPX, GeoPackage, zipped
Shapefile, CSV of vertices with ``--crs``, an ODK geoshape in a text file). The shell acts as
an administrator named ``cli:<login>``; every act is audited under that name. A refused
upload prints its validation report.
"""

from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path

from api.database import store_engine
from api.settings import Settings
from geo.common.errors import InvalidInput
from geo.common.security import Principal, Role
from geo.intake import IntakeLimits
from geo.store.surveys import repository as store
from geo.surveys import diff, export, render, rules
from geo.surveys.meta import SurveyMeta


def _principal() -> Principal:
    return Principal(subject=f"cli:{getpass.getuser()}", roles=frozenset({Role.ADMIN}))


def _print(data: object) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise InvalidInput(f"{path}: {exc.strerror}", field="file") from exc


def _upload(args, engine, settings: Settings) -> int:
    data = _read(args.file)
    meta = SurveyMeta.parse({"gate_id": args.gate, "survey_date": args.survey_date,
                             "agencies": args.agencies, "minutes_ref": args.minutes_ref,
                             "notes": args.notes}, store.today())
    read = store.file_reader(data, Path(args.file).name, args.crs,
                             IntakeLimits(max_vertices=settings.max_vertices))
    try:
        _print(store.upload(engine, _principal(), meta, read, rules.load(),
                            Path(args.file).name))
    except InvalidInput as exc:
        if "report" in exc.detail:
            _print(exc.detail["report"])
        raise
    return 0


def _act(name: str):
    def run(args, engine, settings: Settings) -> int:
        given = {k: getattr(args, k) for k in ("instrument_number", "instrument_date",
                                              "reason") if getattr(args, k, None)}
        _print(store.act(engine, _principal(), args.id, name, **given))
        return 0
    return run


def _publish(args, engine, settings: Settings) -> int:
    _print(store.publish(engine, _principal(), args.id))
    return 0


def _show(args, engine, settings: Settings) -> int:
    out, geom = store.get(engine, _principal(), args.id)
    _print({**out, "geometry": geom.__geo_interface__})
    return 0


def _list(args, engine, settings: Settings) -> int:
    for v in store.history(engine, _principal(), args.gate):
        print(f"{v['id']:>6} v{v['version']:<3} {v['state']:<10} {v['area_ha']:>9,.2f} ha  "
              f"{v['survey_date']}  {v['minutes_ref']}")
    return 0


def _diff(args, engine, settings: Settings) -> int:
    (_, a), (_, b) = (store.get(engine, _principal(), i) for i in (args.id, args.other_id))
    _print({"from": args.id, "to": args.other_id, **diff.compare(a, b)})
    return 0


def _export(args, engine, settings: Settings) -> int:
    out, geom = store.get(engine, _principal(), args.id)
    store.require_exportable(out["state"])
    epsg = export.target_crs(args.crs, out["province_code"])
    data, _, _ = export.export(geom, {"id": out["id"], "gate_id": out["gate_id"],
                                      "version": out["version"]}, args.format, epsg)
    Path(args.output).write_bytes(data)
    print(f"wrote {args.output} ({len(data):,} bytes, EPSG:{epsg})", file=sys.stderr)
    return 0


def _sketch(args, engine, settings: Settings) -> int:
    out, geom = store.get(engine, _principal(), args.id)
    border, gate = store.drawing(engine, args.id)
    zones = export.vn2000.province_zones(out["province_code"])
    Path(args.output).write_text(render.sketch_page(out, geom, zones[0] if zones else None,
                                                    border, gate), encoding="utf-8")
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


ACTIONS = {"upload": _upload, "submit": _act("submit"), "approve": _act("approve"),
           "reject": _act("reject"), "publish": _publish, "show": _show, "list": _list,
           "diff": _diff, "export": _export, "sketch": _sketch}


def run(args, settings: Settings) -> int:
    with store_engine(settings) as engine:
        return ACTIONS[args.action](args, engine, settings)


def add_parser(sub) -> None:
    """Add ``survey`` and its actions to the ``borderzone`` command."""
    top = sub.add_parser("survey", help="checkpoint-area surveys: upload, review, publish")
    acts = top.add_subparsers(dest="action", required=True)
    up = acts.add_parser("upload", help="a new version of a gate's area from a file")
    up.add_argument("file", help="GeoJSON, KML/KMZ, GPX, GPKG, zipped SHP, CSV, ODK text")
    up.add_argument("--gate", required=True, help="gate id of the gate list (VN-GATE-…)")
    up.add_argument("--survey-date", required=True, help="YYYY-MM-DD")
    up.add_argument("--agencies", required=True, help="participating agencies, ';'-separated")
    up.add_argument("--minutes-ref", required=True, help="the survey minutes' reference")
    up.add_argument("--notes")
    up.add_argument("--crs", help="CRS of the coordinates when the file states none")
    for name in ("submit", "publish", "show", "sketch", "export"):
        p = acts.add_parser(name)
        p.add_argument("id", type=int)
        if name in ("sketch", "export"):
            p.add_argument("-o", "--output", required=True)
        if name == "export":
            p.add_argument("--format", default="geojson", choices=sorted(export.FORMATS))
            p.add_argument("--crs", help="EPSG:… or vn2000 (the province's 3° zone)")
    approve = acts.add_parser("approve", help="record the approving instrument")
    approve.add_argument("id", type=int)
    approve.add_argument("--instrument-number", required=True)
    approve.add_argument("--instrument-date", required=True, help="YYYY-MM-DD")
    reject = acts.add_parser("reject")
    reject.add_argument("id", type=int)
    reject.add_argument("--reason", required=True)
    listing = acts.add_parser("list", help="every version of a gate's area")
    listing.add_argument("--gate", required=True)
    compare = acts.add_parser("diff", help="what changed between two versions")
    compare.add_argument("id", type=int)
    compare.add_argument("other_id", type=int)
    top.set_defaults(run=run)
