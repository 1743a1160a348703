"""Migrations from an earlier revision, with data (in a throwaway database): a database at
"0003" holding a user, a key, a zone and an audit entry is brought to head with every row
kept and the new columns at their documented defaults; down to "0005" and up again keeps
them too (the later revisions' downgrades only drop what they added)."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import text

from geo.store import migrate
from geo.store.db import make_engine
from tests.api.security.security_support import throwaway_db

SQUARE = "SRID=4326;MULTIPOLYGON(((104.81 21.36,104.82 21.36,104.82 21.37,104.81 21.37," \
         "104.81 21.36)))"


def _seed_at_0003(engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO app_user (name, roles, provinces) VALUES "
                          "('old-officer', ARRAY['officer'], ARRAY['20'])"))
        conn.execute(text("INSERT INTO api_key (user_id, key_id, key_hash) SELECT id, "
                          "'bzk_oldkey00', 'hash-of-old-key' FROM app_user WHERE name = "
                          "'old-officer'"))
        conn.execute(text(
            "INSERT INTO zone (kind, name, authority, legal_basis, sensitivity, valid_from, "
            "geom) VALUES ('prohibited_zone_land', 'old zone', 'Bộ Quốc phòng', "
            "'Decree 164/2018/ND-CP Art 7', 'secret', '2025-01-01T00:00+07:00', "
            "ST_GeomFromEWKT(:g))"), {"g": SQUARE})


def _head(url: str) -> str:
    return ScriptDirectory.from_config(migrate.alembic_config(url)).get_current_head()


def _state(engine) -> dict:
    with engine.connect() as conn:
        return {
            "user": tuple(conn.execute(text(
                "SELECT name, roles, provinces, active FROM app_user")).one()),
            "key": tuple(conn.execute(text(
                "SELECT key_id, key_hash, revoked_at FROM api_key")).one()),
            "zone": tuple(conn.execute(text(
                "SELECT name, sensitivity, ST_AsText(geom), valid_to FROM zone")).one()),
        }


@pytest.fixture(scope="module")
def old_database(db_url):
    with throwaway_db(db_url, "migrate") as url:
        migrate.upgrade(url, "0003")
        engine = make_engine(url)
        try:
            _seed_at_0003(engine)
            yield url, engine
        finally:
            engine.dispose()


def test_migrate__0003_with_data_to_head_keeps_every_row(old_database):
    url, engine = old_database
    assert migrate.current(url) == "0003"
    before = _state(engine)
    migrate.upgrade(url)
    assert migrate.current(url) == _head(url)
    assert _state(engine) == before
    with engine.connect() as conn:
        token_version, disabled_at = conn.execute(text(
            "SELECT token_version, disabled_at FROM app_user")).one()
        version, record_id, closed, covered, grown = conn.execute(text(
            "SELECT version, record_id, closed_reason, ST_Covers(footprint, geom), "
            "ST_Area(footprint::geography) / ST_Area(geom::geography) FROM zone")).one()
    assert (token_version, disabled_at) == (0, None)  # 0006: old users' tokens stay valid
    assert (version, closed) == (1, None)  # 0008's defaults
    assert covered and grown > 4  # 0005 made the secret zone's public footprint
    assert record_id is None  # a zone of before the registry: a record of its own


def test_migrate__down_to_0005_and_up_again_keeps_the_rows(old_database):
    url, engine = old_database
    migrate.upgrade(url)
    before = _state(engine)
    command.downgrade(migrate.alembic_config(url), "0005")
    assert migrate.current(url) == "0005"
    with engine.connect() as conn:
        assert conn.execute(text("SELECT to_regclass('gate_location')")).scalar() is None
    assert _state(engine) == before
    migrate.upgrade(url)
    assert migrate.current(url) == _head(url) and _state(engine) == before
