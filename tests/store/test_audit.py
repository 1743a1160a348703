"""The audit log is append-only and written in the writer's transaction; approved checkpoint
areas (legal records) are never deleted or edited in place."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
import shapely
from geoalchemy2.shape import from_shape
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import DBAPIError

from geo.common.security import Principal, Role
from geo.store import audit, users
from geo.store.models import audit_log, checkpoint_area, gate

OFFICER = Principal("officer-audit-test", frozenset({Role.OFFICER}), frozenset({"20"}),
                    key_id="bzk_abcdefgh")
ADMIN = Principal("admin-audit-test", frozenset({Role.ADMIN}))
NAME = f"audit-user-{uuid.uuid4().hex[:8]}"


def _refused(conn, statement) -> DBAPIError:
    """Run ``statement`` in a savepoint; return the refusal (the outer test transaction
    stays usable)."""
    with pytest.raises(DBAPIError) as refused, conn.begin_nested():
        conn.execute(statement)
    return refused.value


def test_audit__record_writes_who_role_what_before_after(conn):
    at = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
    entry_id = audit.record(conn, OFFICER, "decision.extend", "decision", 42,
                            {"valid_to": at, "hours": 12}, {"valid_to": at, "hours": 24})
    [row] = audit.query(conn, audit.AuditFilter(entity="decision", entity_id="42",
                                                who=OFFICER.subject))
    assert row["id"] == entry_id
    assert (row["who"], row["role"], row["key_id"]) == (OFFICER.subject, "officer",
                                                         "bzk_abcdefgh")
    assert row["action"] == "decision.extend" and row["entity_id"] == "42"
    assert row["before"] == {"valid_to": "2026-01-05T08:00:00+07:00", "hours": 12}  # Hanoi
    assert row["after"]["hours"] == 24
    assert row["at"] is not None


def test_audit__geometry_and_sets_become_json(conn):
    square = shapely.box(106.0, 21.0, 106.1, 21.1)
    audit.record(conn, ADMIN, "zone.create", "zone", "z1", None,
                 {"geom": square, "provinces": {"20", "11"}})
    [row] = audit.query(conn, audit.AuditFilter(entity="zone", entity_id="z1",
                                                who=ADMIN.subject))
    assert row["after"]["geom"]["type"] == "Polygon"
    assert row["after"]["provinces"] == ["11", "20"]


def test_audit__rolled_back_with_the_write(engine, loaded):
    before = _count(engine)
    with engine.connect() as conn, conn.begin() as trans:
        audit.record(conn, OFFICER, "decision.issue", "decision", "rolled-back", None, {})
        trans.rollback()
    with engine.connect() as conn:
        gone = conn.execute(select(func.count()).select_from(audit_log)
                            .where(audit_log.c.entity_id == "rolled-back")).scalar_one()
    assert gone == 0 and _count(engine) >= before


def _count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(audit_log)).scalar_one()


@pytest.mark.parametrize("statement", [
    update(audit_log).values(who="someone else"),
    audit_log.delete(),
])
def test_audit__update_and_delete_are_refused(conn, statement):
    audit.record(conn, OFFICER, "decision.issue", "decision", "immutable", None, {})
    refused = _refused(conn, statement.where(audit_log.c.entity_id == "immutable"))
    assert refused.orig.sqlstate == "BZ001"
    assert "never changed or deleted" in str(refused.orig)


def test_audit__truncate_is_refused(conn):
    with pytest.raises(DBAPIError) as refused, conn.begin_nested():
        conn.exec_driver_sql("TRUNCATE audit_log")
    assert refused.value.orig.sqlstate == "BZ001"


def test_audit__user_writes_are_recorded(conn):
    users.create_user(conn, ADMIN, NAME, ["officer"], ["20"])
    key, entry = users.add_key(conn, ADMIN, NAME)
    users.revoke_key(conn, ADMIN, entry["key_id"])
    rows = audit.query(conn, audit.AuditFilter(who=ADMIN.subject, limit=3))
    assert [r["action"] for r in rows] == ["api_key.revoke", "api_key.create", "user.create"]
    revoke, create_key, create_user = rows
    assert revoke["before"]["revoked_at"] is None and revoke["after"]["revoked_at"]
    assert create_user["after"]["provinces"] == ["20"] and create_user["before"] is None
    assert key not in str(rows) and entry["key_id"] in str(create_key["after"])


def _checkpoint(conn, status: str) -> int:
    gate_id = conn.execute(select(gate.c.id).order_by(gate.c.id).limit(1)).scalar_one()
    geom = from_shape(shapely.MultiPolygon([shapely.box(106.7, 21.9, 106.71, 21.91)]), 4326)
    return conn.execute(insert(checkpoint_area).values(
        gate_id=gate_id, version=999, status=status, source="test", area_m2=1.0,
        valid_from=datetime(2026, 1, 1, tzinfo=UTC), geom=geom)
        .returning(checkpoint_area.c.id)).scalar_one()


def test_legal_record__approved_checkpoint_area_is_never_deleted_or_edited(conn):
    row = _checkpoint(conn, "approved")
    where = checkpoint_area.c.id == row
    for statement in (checkpoint_area.delete().where(where),
                      update(checkpoint_area).where(where).values(area_m2=2.0),
                      update(checkpoint_area).where(where).values(status="draft"),
                      update(checkpoint_area).where(where).values(
                          geom=from_shape(shapely.MultiPolygon([shapely.box(0, 0, 1, 1)]), 4326))):
        assert _refused(conn, statement).orig.sqlstate == "BZ001"
    closed = datetime(2026, 6, 1, tzinfo=UTC)
    conn.execute(update(checkpoint_area).where(where).values(status="superseded",
                                                             valid_to=closed))
    assert _refused(conn, update(checkpoint_area).where(where).values(status="approved")) \
        .orig.sqlstate == "BZ001"
    assert _refused(conn, checkpoint_area.delete().where(where)).orig.sqlstate == "BZ001"


def test_legal_record__drafts_may_be_edited_and_deleted(conn):
    row = _checkpoint(conn, "draft")
    where = checkpoint_area.c.id == row
    conn.execute(update(checkpoint_area).where(where).values(area_m2=3.0))
    assert conn.execute(checkpoint_area.delete().where(where)).rowcount == 1
