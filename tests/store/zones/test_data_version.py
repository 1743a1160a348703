"""The data version: bumped by every zone and decision write, without serialising them."""

from __future__ import annotations

from sqlalchemy import text

from geo.decisions.codec import decision_from_dict
from geo.store.decisions import repository as decisions
from geo.store.zones.snapshot import current_version, data_version
from tests.api.decisions.decision_support import OFFICER, decision_body

TOUCH_COMMUNE = "UPDATE commune SET name = name WHERE code = '06184' AND valid_to IS NULL"
TOUCH_PROVINCE = "UPDATE province SET name = name WHERE code = '20' AND valid_to IS NULL"


def test_data_version__a_long_load_does_not_block_a_decision(engine, loaded):
    with engine.connect() as load, engine.connect() as officer:
        load_tx = load.begin()
        load.execute(text(TOUCH_COMMUNE))  # a data load in progress: its version bump held
        officer_tx = officer.begin()
        officer.execute(text("SET LOCAL lock_timeout = '2s'"))
        before = data_version(officer)
        recorded = decisions.issue(officer, OFFICER, decision_from_dict(decision_body()))
        assert recorded is not None
        assert data_version(officer) == before + 1  # the officer's own write is counted
        officer_tx.rollback()
        load_tx.rollback()


def test_data_version__concurrent_writes_each_move_it_once_committed(engine, loaded):
    start = current_version(engine)
    with engine.connect() as one, engine.connect() as two:
        one_tx, two_tx = one.begin(), two.begin()
        one.execute(text("SET LOCAL lock_timeout = '2s'"))
        two.execute(text("SET LOCAL lock_timeout = '2s'"))
        one.execute(text(TOUCH_COMMUNE))
        two.execute(text(TOUCH_PROVINCE))
        assert current_version(engine) == start  # nothing committed: nothing seen
        two_tx.commit()
        after_two = current_version(engine)
        one_tx.commit()
        after_both = current_version(engine)
    assert start < after_two < after_both
    assert after_both == start + 2


def test_data_version__a_zone_write_moves_it_by_one_in_its_transaction(conn):
    value = data_version(conn)
    assert isinstance(value, int) and value >= 1
    conn.execute(text(TOUCH_PROVINCE))
    assert data_version(conn) == value + 1


def test_data_version__a_recorded_gate_location_moves_it(conn):
    """Migration 0011: ``gate`` writes (a recorded location sets ``gate.location``) move the
    version and NOTIFY like the zone tables, so the index reloads the gates it names."""
    value = data_version(conn)
    conn.execute(text("UPDATE gate SET location = ST_SetSRID(ST_Point(106.7604, 22.0268), "
                      "4326) WHERE id = 'VN-GATE-010'"))
    assert data_version(conn) == value + 1
    counted = conn.execute(text("SELECT version FROM data_version_table WHERE table_name = "
                                "'gate'")).scalar_one()
    assert counted >= 1
