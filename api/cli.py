"""The ``borderzone`` command: database, data, server and checks from the shell."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from api.settings import Settings, database_url
from geo.check import check_points, to_lonlat, validate_lonlat
from geo.crs import WGS84, parse_crs
from geo.errors import GeoError
from geo.store import migrate
from geo.store.db import make_engine
from geo.store.embedded import Cluster
from geo.store.load import Loader
from geo.store.snapshot import build_index
from geo.timeutil import parse_instant


def _db(args, settings: Settings) -> int:
    cluster = Cluster(settings.state_dir)
    if args.action == "up":
        url = database_url(settings)
        migrate.upgrade(url)
        print(f"database ready: {url.split('@')[-1]} (schema {migrate.current(url)})")
    elif args.action == "down":
        print("stopped" if cluster.down() else "not running")
    elif args.action == "status":
        status = cluster.status()
        if settings.database_url:
            status = {"database_url": "set (embedded cluster not used)", **status}
        print(json.dumps(status, indent=2))
    return 0


def _data_load(args, settings: Settings) -> int:
    data_dir = Path(args.data_dir or settings.data_dir)
    url = database_url(settings)
    migrate.upgrade(url)
    print(f"loading boundary data from {data_dir.resolve()}")
    report = Loader(make_engine(url), data_dir).run()
    for warning in report.warnings:
        print(f"WARNING: {warning}", file=sys.stderr)
    print("rows per table:")
    for table, count in report.counts.items():
        print(f"  {table:<22} {count:>7,}")
    return 0


def _serve(args, settings: Settings) -> int:
    import uvicorn

    from api.app import create_app

    url = database_url(settings)
    migrate.upgrade(url)
    app = create_app(settings, url=url)
    uvicorn.run(app, host=args.host or settings.host, port=args.port or settings.port,
                log_level="info")
    return 0


def _check(args, settings: Settings) -> int:
    epsg = parse_crs(args.crs)
    if epsg in (WGS84, 4756):
        validate_lonlat(args.lon, args.lat)
    lon, lat = to_lonlat([args.lon], [args.lat], epsg)
    url = database_url(settings, log=lambda _: None)
    migrate.upgrade(url)
    index = build_index(make_engine(url))
    answer = check_points(index, lon, lat, parse_instant(args.at))[0].as_dict()
    if args.json:
        print(json.dumps(answer, ensure_ascii=False, indent=2))
        return 0
    for key, value in answer.items():
        print(f"{key:<20} {json.dumps(value, ensure_ascii=False)}")
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="borderzone", description=__doc__)
    sub = top.add_subparsers(dest="command", required=True)
    db = sub.add_parser("db", help="the embedded PostgreSQL + PostGIS database")
    db.add_argument("action", choices=["up", "down", "status"])
    db.set_defaults(run=_db)
    data = sub.add_parser("data", help="boundary datasets")
    data.add_argument("action", choices=["load"])
    data.add_argument("--data-dir", help="folder with the datasets (BORDERZONE_DATA_DIR)")
    data.set_defaults(run=_data_load)
    serve = sub.add_parser("serve", help="serve the HTTP API")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.set_defaults(run=_serve)
    check = sub.add_parser("check", help="where is this point?")
    check.add_argument("lon", type=float)
    check.add_argument("lat", type=float)
    check.add_argument("--at", help="ISO-8601 instant (no offset = Hanoi time)")
    check.add_argument("--crs", help="EPSG code of the input (default EPSG:4326)")
    check.add_argument("--json", action="store_true")
    check.set_defaults(run=_check)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args, Settings())
    except GeoError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
