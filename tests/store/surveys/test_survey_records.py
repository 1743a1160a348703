"""A survey past its draft is a legal record in the database itself (trigger of migration
0011): its content is never changed, its state only moves forward, its review record
is never rewritten, and only a draft is ever deleted — whatever SQL a client sends."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from geo.store.db import APPEND_ONLY_SQLSTATE

INSERT = text("""
    INSERT INTO survey (gate_id, version, state, survey_date, agencies, minutes_ref, format,
                        epsg, geom, area_m2, written, report, uploaded_by)
    VALUES ('VN-GATE-005', :v, :state, '2026-01-05', ARRAY['BĐBP tỉnh Quảng Ninh'],
            'BB-KS-TEST', 'geojson', 4326,
            ST_Multi(ST_MakeEnvelope(107.48, 21.59, 107.49, 21.60, 4326)), 1160000,
            '{}'::jsonb, '{}'::jsonb, 'test') RETURNING id""")


def _survey(conn, state: str, version: int = 9001) -> int:
    return conn.execute(INSERT, {"v": version, "state": state}).scalar_one()


def _refused(conn, sql: str, **params) -> str:
    with pytest.raises(DBAPIError) as caught, conn.begin_nested():
        conn.execute(text(sql), params)
    assert caught.value.orig.sqlstate == APPEND_ONLY_SQLSTATE
    return str(caught.value.orig)


@pytest.mark.parametrize("state", ["submitted", "approved", "published", "rejected"])
def test_trigger__content_past_the_draft_is_never_edited(conn, state):
    sid = _survey(conn, state)
    message = _refused(conn, "UPDATE survey SET notes = 'sửa' WHERE id = :id", id=sid)
    assert "correction is a new version" in message
    _refused(conn, "UPDATE survey SET geom = ST_Multi(ST_MakeEnvelope(107.48, 21.59, 107.5, "
             "21.6, 4326)) WHERE id = :id", id=sid)
    _refused(conn, "DELETE FROM survey WHERE id = :id", id=sid)


def test_trigger__states_move_forward_only(conn):
    sid = _survey(conn, "submitted")
    conn.execute(text("UPDATE survey SET state = 'approved', instrument_number = '1/NQ-CP', "
                      "instrument_date = '2026-01-06', decided_by = 'a' WHERE id = :id"),
                 {"id": sid})
    assert "review record" in _refused(
        conn, "UPDATE survey SET instrument_number = '2/NQ-CP' WHERE id = :id", id=sid)
    _refused(conn, "UPDATE survey SET state = 'submitted' WHERE id = :id", id=sid)
    _refused(conn, "UPDATE survey SET state = 'superseded' WHERE id = :id", id=sid)
    conn.execute(text("UPDATE survey SET state = 'published' WHERE id = :id"), {"id": sid})
    _refused(conn, "UPDATE survey SET state = 'approved' WHERE id = :id", id=sid)


def test_trigger__a_draft_is_edited_and_may_be_deleted(conn):
    sid = _survey(conn, "draft")
    conn.execute(text("UPDATE survey SET notes = 'sửa' WHERE id = :id"), {"id": sid})
    conn.execute(text("DELETE FROM survey WHERE id = :id"), {"id": sid})
    assert conn.execute(text("SELECT count(*) FROM survey WHERE id = :id"),
                        {"id": sid}).scalar_one() == 0
