"""Backups: dump and restore round trips preserve every row of every table.

Restores go only into throwaway databases (created and dropped here). The real-data round
trip reads the shared test database inside one exported snapshot, so concurrent writers
cannot make the counts disagree.
"""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, insert, text

from api.cli.commands import main as cli
from geo.common.errors import Conflict, DataError
from geo.common.security import Principal, Role
from geo.store import audit, backup, migrate, users
from geo.store.db import make_engine, transaction
from geo.store.models import data_version
from tests.api.security.security_support import throwaway_db


def _fingerprints(conn) -> dict[str, str]:
    """An md5 of every table's rows (as text, sorted), by table name."""
    quote = conn.dialect.identifier_preparer.quote
    return {name: conn.execute(text(  # test-only: names from the catalogue
        f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "
        f"FROM {quote(name)} t")).scalar_one() for name in backup.row_counts(conn)}


def _fingerprints_at(url: str) -> dict[str, str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return _fingerprints(conn)
    finally:
        engine.dispose()


def test_backup__round_trip_of_the_real_data_preserves_every_row(db_url, loaded, tmp_path):
    source = create_engine(db_url)
    with source.connect() as conn:
        conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        before = backup.row_counts(conn)
        dump = backup.dump(db_url, tmp_path / "real.dump", snapshot=snapshot)
        content = _fingerprints(conn)
        conn.rollback()
    source.dispose()
    assert before["commune"] == 1985 and before["border_segment"] > 0
    with throwaway_db(db_url, "restore") as target:
        engine = make_engine(target)
        backup.restore(target, dump, engine)
        after = backup.row_counts(engine)
        assert migrate.current(target) == migrate.current(db_url)
        assert _fingerprints_at(target) == content
        engine.dispose()
    assert after == before
    assert set(before) >= {"audit_log", "app_user", "api_key", "zone", "checkpoint_area"}


def _seed(url: str) -> None:
    migrate.upgrade(url)
    engine = make_engine(url)
    admin = Principal("backup-test", frozenset({Role.ADMIN}))
    with transaction(engine) as conn:
        users.create_user(conn, admin, "officer-lang-son", ["officer"], ["20"])
        users.add_key(conn, admin, "officer-lang-son")
        audit.record(conn, admin, "backup.test", "note", 1, None, {"ok": True})
    engine.dispose()


def test_backup__cli_dump_and_restore_round_trip(db_url, tmp_path, monkeypatch, capsys):
    file = tmp_path / "small.dump"
    with throwaway_db(db_url, "src") as source, throwaway_db(db_url, "dst") as target:
        _seed(source)
        monkeypatch.setenv("DATABASE_URL", source)
        assert cli(["db", "dump", str(file)]) == 0
        monkeypatch.setenv("DATABASE_URL", target)
        assert cli(["db", "restore", str(file)]) == 0
        assert "restored" in capsys.readouterr().out
        assert _fingerprints_at(target) == _fingerprints_at(source)
        counts = backup.row_counts(make_engine(target))
        assert counts["app_user"] == 1 and counts["api_key"] == 1 and counts["audit_log"] == 3
        assert cli(["db", "restore", str(file)]) == 2  # refuses a database with a schema
        assert "already has a schema" in capsys.readouterr().err
        engine = make_engine(target)
        with transaction(engine) as conn:  # changed after the backup ...
            conn.execute(insert(data_version).values(id=2, version=99))
        assert cli(["db", "restore", str(file), "--clean"]) == 0  # ... and put back
        assert _fingerprints_at(target) == _fingerprints_at(source)
        engine.dispose()


def test_backup__restore_refuses_nonempty_target_and_missing_file(db_url, tmp_path):
    with throwaway_db(db_url, "refuse") as target:
        migrate.upgrade(target)
        engine = make_engine(target)
        dump = backup.dump(target, tmp_path / "x.dump")
        with pytest.raises(Conflict, match="already has a schema"):
            backup.restore(target, dump, engine)
        with pytest.raises(DataError, match="no dump file"):
            backup.restore(target, tmp_path / "none.dump", engine, clean=True)
        engine.dispose()
    assert cli(["db", "restore"]) == 2  # no FILE
