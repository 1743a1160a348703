"""``borderzone check LON LAT``: one point, answered in well under a second.

The answer is ``geo.location.check.check_points`` on the zone layers cut to the point's
neighbourhood (``geo.store.zones.snapshot.index_around``): the same answer as the server's
full index, without reading and preparing the whole country. ``main`` routes a single-point
check here before the other command families (pandas, GDAL, FastAPI) are imported; the
check's arguments are defined once, here, for both parsers.
"""

from __future__ import annotations

import argparse
import json
import sys

from api.cli import remote


def add_arguments(check: argparse.ArgumentParser) -> None:
    check.add_argument("lon", type=float, nargs="?")
    check.add_argument("lat", type=float, nargs="?")
    check.add_argument("--file", help="CSV id,lon,lat[,time] (or .geojson) of points")
    check.add_argument("--out", help="--file: write answers here (CSV; .ndjson: NDJSON)")
    check.add_argument("--at", help="ISO-8601 instant (no offset = Hanoi time)")
    check.add_argument("--crs", help="EPSG code of the input (default EPSG:4326)")
    check.add_argument("--json", action="store_true")
    check.add_argument("--local", action="store_true",
                       help="check in this process even when a service is running")


def answer(args, settings) -> dict:
    """The answer for ``args.lon``, ``args.lat`` (in ``args.crs``) at ``args.at``, as the
    API's GET /v1/check/point gives it to an uncleared caller."""
    from api.database import start_database
    from geo.common.crs import WGS84, parse_crs
    from geo.common.errors import InvalidInput
    from geo.common.lonlat import to_lonlat, validate_lonlat
    from geo.common.timeutil import parse_instant
    from geo.location.check import check_points
    from geo.store.db import make_engine
    from geo.store.zones.snapshot import index_around

    if args.lon is None or args.lat is None:
        raise InvalidInput("check needs LON LAT, or --file points.csv", field="lon")
    epsg = parse_crs(args.crs)
    if epsg in (WGS84, 4756):
        validate_lonlat(args.lon, args.lat)
    lon, lat = to_lonlat([args.lon], [args.lat], epsg)
    if epsg != WGS84:
        validate_lonlat(float(lon[0]), float(lat[0]),
                        field_prefix=f"transformed from EPSG:{epsg}: ")
    at = parse_instant(args.at, field="at")
    from sqlalchemy.exc import ProgrammingError

    from geo.common.errors import StoreUnavailable

    engine = make_engine(start_database(settings, log=lambda _: None), pool_size=1)
    try:
        index = index_around(engine, float(lon[0]), float(lat[0]), settings.footprint)
    except ProgrammingError as exc:  # tables or columns missing: an older schema
        raise StoreUnavailable("the database schema is older than this borderzone: run "
                               "`borderzone db up` (it applies the migrations)") from exc
    finally:
        engine.dispose()
    return check_points(index, lon, lat, at)[0].as_dict()


def show(result: dict, as_json: bool) -> int:
    if as_json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    for key, value in result.items():
        print(f"{key:<20} {json.dumps(value, ensure_ascii=False)}")
    return 0


def run(args, settings) -> int:
    return show(answer(args, settings), args.json)


def main(argv: list[str]) -> int:
    """``borderzone check LON LAT [--at] [--crs] [--json] [--local]`` without the full
    parser: the running service answers when there is one, else this process does."""
    parser = argparse.ArgumentParser(prog="borderzone check")
    add_arguments(parser)
    args = parser.parse_args(argv)
    if not args.local and args.lon is not None and args.lat is not None:
        asked = remote.ask(args.lon, args.lat, args.at, args.crs)
        if asked is not None:
            status, body = asked
            if status == 200:
                return show(body, args.json)
            if 400 <= status < 500:
                print(f"error: {body.get('message', body)}", file=sys.stderr)
                return 2
    from api.settings import Settings
    from geo.common.errors import GeoError

    try:
        return run(args, Settings())
    except GeoError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2


def is_single_point(argv: list[str]) -> bool:
    """``check`` with no --file (nor --out, nor help): the fast path applies."""
    return (argv[:1] == ["check"]
            and not any(a.split("=")[0] in ("--file", "--out", "-h", "--help") for a in argv))
