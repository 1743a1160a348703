"""The ``borderzone`` command: database, data, server and checks from the shell."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from api.auth import Authenticator, resolve_jwt_secret
from api.cli import batch as cli_batch
from api.cli import decisions as cli_decisions
from api.cli import gates as cli_gates
from api.cli import point as cli_point
from api.cli import surveys as cli_surveys
from api.cli import zones as cli_zones
from api.database import start_database
from api.settings import Settings
from geo.common.errors import GeoError, InvalidInput
from geo.common.security import Principal, Role
from geo.common.timeutil import json_default, now, parse_instant, stamp
from geo.location.border import BeltIssuer
from geo.rules.browse import rules_at, rules_markdown
from geo.store import backup, migrate, users
from geo.store.db import make_engine, transaction
from geo.store.embedded import Cluster
from geo.store.zones.derive import set_belt_depth
from geo.store.zones.load import Loader


def _db(args, settings: Settings) -> int:
    cluster = Cluster(settings.state_dir)
    if args.action == "up":
        url = start_database(settings)
        migrate.upgrade(url)
        print(f"database ready: {url.split('@')[-1]} (schema {migrate.current(url)})")
    elif args.action == "down":
        print("stopped" if cluster.down() else "not running")
    elif args.action == "status":
        status = cluster.status()
        if settings.database_url:
            status = {"database_url": "set (embedded cluster not used)", **status}
        print(json.dumps(status, indent=2))
    elif args.action in ("dump", "restore"):
        return _db_backup(args, settings)
    return 0


def _db_backup(args, settings: Settings) -> int:
    if not args.file:
        raise InvalidInput(f"db {args.action} needs a FILE", field="file")
    url = start_database(settings, log=lambda _: None)
    if args.action == "dump":
        print(f"dumped to {backup.dump(url, Path(args.file))}")
        return 0
    migrate.ensure_database(url)
    engine = make_engine(url)
    try:
        backup.restore(url, Path(args.file), engine, clean=args.clean)
        migrate.upgrade(url)
        total = sum(backup.row_counts(engine).values())
    finally:
        engine.dispose()
    print(f"restored {args.file}: {total:,} rows (schema {migrate.current(url)})")
    return 0


def _cli_principal() -> Principal:
    import getpass

    return Principal(subject=f"cli:{getpass.getuser()}", roles=frozenset({Role.ADMIN}))


def _user(args, settings: Settings) -> int:
    if args.action != "list" and not args.name:
        raise InvalidInput(f"user {args.action} needs a NAME", field="name")
    url = start_database(settings, log=lambda _: None)
    migrate.upgrade(url)
    engine = make_engine(url)
    try:
        return {"add": _user_add, "keys": _user_keys, "list": _user_list,
                "token": _user_token, "revoke": _user_revoke, "disable": _user_active,
                "enable": _user_active}[args.action](args, settings, engine)
    finally:
        engine.dispose()


def _user_add(args, settings: Settings, engine) -> int:
    with transaction(engine) as conn:
        user = users.create_user(conn, _cli_principal(), args.name, args.role or [],
                                 args.province or [], args.gate_type or [])
    print(json.dumps(user, default=json_default, ensure_ascii=False, indent=2))
    return 0


def _user_keys(args, settings: Settings, engine) -> int:
    if args.new:
        with transaction(engine) as conn:
            key, entry = users.add_key(conn, _cli_principal(), args.name)
        print(f"new API key for {args.name} (shown once; store it now):\n{key}")
        return 0
    with transaction(engine) as conn:
        for entry in users.list_keys(conn, args.name):
            state = f"revoked {stamp(entry['revoked_at'])}" if entry["revoked_at"] else "active"
            print(f"{entry['key_id']}  created {stamp(entry['created_at'])}  {state}")
    return 0


def _user_list(args, settings: Settings, engine) -> int:
    with transaction(engine) as conn:
        for u in users.list_users(conn):
            print(f"{u['name']:<24} {','.join(u['roles']):<20} provinces="
                  f"{','.join(u['provinces']) or '-'} keys={u['keys']} "
                  f"created={stamp(u['created_at'])}"
                  + ("" if u["active"] else " (inactive)"))
    return 0


def _user_revoke(args, settings: Settings, engine) -> int:
    with transaction(engine) as conn:
        entry = users.revoke_key(conn, _cli_principal(), args.name)
    print(f"revoked {entry['key_id']} at {stamp(entry['revoked_at'])}")
    return 0


def _user_active(args, settings: Settings, engine) -> int:
    """disable: the user's keys and all its tokens stop working (in running servers within
    BORDERZONE_KEY_CACHE_S seconds); enable: its keys work again, old tokens do not."""
    active = args.action == "enable"
    with transaction(engine) as conn:
        user = users.set_active(conn, _cli_principal(), args.name, active)
    print(f"{'enabled' if active else 'disabled'} {user['name']}"
          + ("" if active else "; every token minted before is refused from now on"))
    return 0


def _user_token(args, settings: Settings, engine) -> int:
    if settings.jwt_secret is None:
        raise InvalidInput("BORDERZONE_JWT_SECRET is not set: a token must be signed with "
                           "the server's secret", field="BORDERZONE_JWT_SECRET")
    with transaction(engine) as conn:
        principal = users.principal_for_user(conn, args.name)
    authenticator = Authenticator(resolve_jwt_secret(settings), ttl_s=settings.jwt_ttl_s)
    print(authenticator.mint(principal)[0])
    return 0


def _data_load(args, settings: Settings) -> int:
    data_dir = Path(args.data_dir or settings.data_dir)
    url = start_database(settings)
    migrate.upgrade(url)
    print(f"loading boundary data from {data_dir.resolve()}")
    report = Loader(make_engine(url), data_dir).run()
    for warning in report.warnings:
        print(f"WARNING: {warning}", file=sys.stderr)
    print("rows per table:")
    for table, count in report.counts.items():
        print(f"  {table:<22} {count:>7,}")
    return 0


def _belt(args, settings: Settings) -> int:
    url = start_database(settings, log=lambda _: None)
    migrate.upgrade(url)
    start = date.fromisoformat(args.valid_from) if args.valid_from else date.today()
    with transaction(make_engine(url)) as conn:
        result = set_belt_depth(conn, args.commune, args.depth_m, args.instrument, start,
                                issuer=args.issuer, principal=_cli_principal())
    print(json.dumps(result, ensure_ascii=False))
    return 0


def _rules(args, settings: Settings) -> int:
    if args.markdown:
        sys.stdout.write(rules_markdown())
        return 0
    listing = rules_at(parse_instant(args.at) or now(), args.zone, args.person)
    if args.json:
        print(json.dumps(listing, ensure_ascii=False, indent=2))
        return 0
    print(f"{listing['count']} rules in force on {listing['on']}")
    for rule in listing["rules"]:
        flag = f"  UNCONFIRMED: {rule['unconfirmed_reason']}" if rule["unconfirmed"] else ""
        cites = "; ".join(f"{c['label']} [{c['rules_ref']}]" for c in rule["citations"])
        print(f"- {rule['kind']:<11} {rule['id']}\n    {cites}{flag}")
    return 0


def _serve(args, settings: Settings) -> int:
    """Migrate once here, then run N uvicorn worker processes sharing the port; each
    builds the app (and its zone index) from the environment (see api/replicas.py)."""
    import os

    import uvicorn

    from api.replicas import topology

    workers = args.workers or settings.workers
    if workers < 1:
        raise InvalidInput("--workers must be at least 1", field="workers")
    topo = topology(settings)
    if topo.write_url is not None:
        migrate.upgrade(topo.write_url)
        if not settings.database_url and not settings.read_only:
            os.environ["DATABASE_URL"] = topo.write_url  # the embedded cluster, for workers
    # X-Forwarded-For is the app's business (BORDERZONE_TRUSTED_PROXIES), not uvicorn's: its
    # default would trust any caller on 127.0.0.1 to name its own address
    uvicorn.run("api.app:create_app", factory=True, workers=workers,
                host=args.host or settings.host, port=args.port or settings.port,
                log_level="info", access_log=not args.no_access_log, proxy_headers=False)
    return 0


def _check(args, settings: Settings) -> int:
    if args.file:
        return cli_batch.check_file(args, settings)
    return cli_point.run(args, settings)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="borderzone", description=__doc__)
    sub = top.add_subparsers(dest="command", required=True)
    db = sub.add_parser("db", help="the embedded PostgreSQL + PostGIS database")
    db.add_argument("action", choices=["up", "down", "status", "dump", "restore"])
    db.add_argument("file", nargs="?", help="dump/restore: the backup file (custom format)")
    db.add_argument("--clean", action="store_true",
                    help="restore: replace what the database holds (default: refuse unless empty)")
    db.set_defaults(run=_db)
    user = sub.add_parser("user", help="users, their roles and API keys")
    user.add_argument("action", choices=["add", "keys", "list", "token", "revoke", "disable",
                                         "enable"],
                      help="revoke takes a key id (bzk_xxxxxxxx) instead of a NAME")
    user.add_argument("name", nargs="?")
    user.add_argument("--role", action="append", help="add: a role (repeat for several)")
    user.add_argument("--province", action="append", help="add: a province code, e.g. 20")
    user.add_argument("--gate-type", action="append", help="add: approver's gate type")
    user.add_argument("--new", action="store_true", help="keys: issue a new key")
    user.set_defaults(run=_user)
    data = sub.add_parser("data", help="boundary datasets")
    data.add_argument("action", choices=["load"])
    data.add_argument("--data-dir", help="folder with the datasets (BORDERZONE_DATA_DIR)")
    data.set_defaults(run=_data_load)
    belt = sub.add_parser("belt", help="set the belt depth of a border commune by instrument")
    belt.add_argument("action", choices=["set-depth"])
    belt.add_argument("--commune", required=True, help="official commune code, e.g. 00715")
    belt.add_argument("--depth-m", type=float, required=True)
    belt.add_argument("--instrument", required=True,
                      help="the resolution or decision setting it, e.g. 'Nghị quyết …/NQ-HĐND'")
    belt.add_argument("--issuer", required=True, choices=[i.value for i in BeltIssuer],
                      help="who issued the instrument: 100-1,000 m is the province's; under "
                           "100 m or over 1,000 m only the Prime Minister's (GEO-BELT-06)")
    belt.add_argument("--from", dest="valid_from", help="date it applies from (default today)")
    belt.set_defaults(run=_belt)
    rules = sub.add_parser("rules", help="the rules in force at an instant, with citations")
    rules.add_argument("--at", help="ISO-8601 instant or date (no offset = Hanoi; default now)")
    rules.add_argument("--zone", help="zone kind, e.g. border_belt")
    rules.add_argument("--person", help="person category, e.g. foreign_visitor")
    rules.add_argument("--json", action="store_true")
    rules.add_argument("--markdown", action="store_true",
                       help="print docs/rules.md (every rule version with its sources)")
    rules.set_defaults(run=_rules)
    serve = sub.add_parser("serve", help="serve the HTTP API")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int,
                       help="worker processes sharing the port (BORDERZONE_WORKERS, default 1); "
                            "each holds its own zone index")
    serve.add_argument("--no-access-log", action="store_true",
                       help="no line per request (the proxy in front usually logs them)")
    serve.set_defaults(run=_serve)
    check = sub.add_parser("check", help="where is this point (or each point of --file)?")
    cli_point.add_arguments(check)
    check.set_defaults(run=_check)
    cli_decisions.add_parser(sub)
    cli_gates.add_parser(sub)
    cli_zones.add_parser(sub)
    cli_surveys.add_parser(sub)
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
