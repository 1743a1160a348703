"""Backups: ``pg_dump`` / ``pg_restore`` in custom format, and row counts to compare them.

The programs come from the embedded cluster's PostgreSQL install (``find_binaries``) or the
PATH; they must be at least the server's major version. A restore runs in one transaction
(all or nothing) and, unless ``clean``, refuses a database that already holds a schema.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from sqlalchemy import func, inspect, select, table
from sqlalchemy.engine import Connection, Engine, make_url

from geo.common.errors import Conflict, DataError, StoreUnavailable
from geo.store.embedded import find_binaries


def program(name: str) -> Path:
    """``pg_dump`` or ``pg_restore`` from the PostgreSQL install, else from the PATH."""
    found = find_binaries()
    if found and (found.bindir / name).exists():
        return found.bindir / name
    on_path = shutil.which(name)
    if on_path:
        return Path(on_path)
    raise StoreUnavailable(f"{name} not found: install the PostgreSQL client programs")


def _libpq(url: str) -> tuple[list[str], dict[str, str]]:
    """Connection arguments and environment (password via PGPASSWORD, never argv)."""
    u = make_url(url)
    args = ["--host", u.host or "127.0.0.1", "--port", str(u.port or 5432),
            "--username", u.username or "postgres", "--dbname", u.database or "postgres"]
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    if u.password:
        env["PGPASSWORD"] = str(u.password)
    return args, env


def _run(cmd: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise StoreUnavailable(f"{what} failed: {done.stderr.strip()[-1500:]}")


def dump(url: str, path: Path, *, snapshot: str | None = None) -> Path:
    """Write the whole database at ``url`` to ``path`` (custom format, compressed).

    ``snapshot``: an id from ``pg_export_snapshot()`` to dump exactly what that open
    transaction sees (pg_dump otherwise takes its own consistent snapshot)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    args, env = _libpq(url)
    partial = path.with_name(path.name + ".partial")
    extra = [f"--snapshot={snapshot}"] if snapshot else []
    _run([str(program("pg_dump")), *args, "--format=custom", "--no-owner", "--no-privileges",
          *extra, f"--file={partial}"], env, "pg_dump")
    partial.replace(path)  # never leave a half-written file under the final name
    return path


def has_schema(engine: Engine) -> bool:
    return "alembic_version" in inspect(engine).get_table_names()


def restore(url: str, path: Path, engine: Engine, *, clean: bool = False) -> None:
    """Load a dump into the database at ``url`` in one transaction. Without ``clean`` the
    database must be empty (no schema yet); with it, existing objects are replaced."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"no dump file at {path}")
    if has_schema(engine) and not clean:
        raise Conflict("the target database already has a schema: restore into an empty "
                       "database, or pass --clean to replace its contents")
    args, env = _libpq(url)
    extra = ["--clean", "--if-exists"] if clean else []
    _run([str(program("pg_restore")), *args, "--no-owner", "--no-privileges",
          "--single-transaction", "--exit-on-error", *extra, str(path)], env, "pg_restore")


def row_counts(bind: Engine | Connection, schema: str = "public") -> dict[str, int]:
    """Rows per table of ``schema``, by table name (on a connection: in its transaction)."""
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            return row_counts(conn, schema)
    names = sorted(inspect(bind).get_table_names(schema=schema))
    return {name: int(bind.execute(select(func.count()).select_from(
        table(name, schema=schema))).scalar_one()) for name in names}
