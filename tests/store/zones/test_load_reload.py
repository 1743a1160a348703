"""Reloading changed data (in a throwaway database): a changed province closes its row and
opens a new one, a vanished one is closed, the others stay as they were; nothing is deleted
or overwritten, and the old rows still answer for their time."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import text

from geo.store import migrate
from geo.store.db import make_engine
from geo.store.zones.load import Loader
from tests.api.security.security_support import throwaway_db
from tests.conftest import DATA_DIR

FIRST, SECOND = date(2026, 1, 1), date(2026, 2, 1)


def _provinces(conn) -> list[tuple]:
    return [tuple(r) for r in conn.execute(text(
        "SELECT code, valid_from, valid_to, ST_AsBinary(geom) FROM province "
        "ORDER BY code, valid_from"))]


@pytest.fixture(scope="module")
def reloaded(db_url, tmp_path_factory, loaded):
    """Provinces loaded on FIRST from the real file, then on SECOND from a copy in which
    the first province moved 0.01° east and the second is gone."""
    data = tmp_path_factory.mktemp("changed-provinces")
    source = json.loads((DATA_DIR / "vn_provinces.geojson").read_text())
    moved, gone = (source["features"][i]["properties"]["province_code"] for i in (0, 1))

    def east(coords):
        return [east(c) for c in coords] if isinstance(coords[0], list) else [
            coords[0] + 0.01, coords[1]]

    geometry = source["features"][0]["geometry"]
    geometry["coordinates"] = east(geometry["coordinates"])
    del source["features"][1]
    (data / "vn_provinces.geojson").write_text(json.dumps(source))
    with throwaway_db(db_url, "reload") as url:
        migrate.upgrade(url)
        engine = make_engine(url)
        try:
            first = Loader(engine, DATA_DIR, log=lambda _: None, today=FIRST).run(
                only=("provinces",))
            with engine.connect() as conn:
                before = _provinces(conn)
            second = Loader(engine, data, log=lambda _: None, today=SECOND).run(
                only=("provinces",))
            with engine.connect() as conn:
                after = _provinces(conn)
                area_then_now = conn.execute(text(
                    "SELECT ST_XMin(geom) FROM province WHERE code = :c ORDER BY valid_from"),
                    {"c": moved}).scalars().all()
            yield {"first": first, "second": second, "before": before, "after": after,
                   "moved": moved, "gone": gone, "xmin": area_then_now}
        finally:
            engine.dispose()


def test_reload__counts_of_the_second_load(reloaded):
    assert reloaded["first"].steps["provinces"]["inserted"] == 34
    step = reloaded["second"].steps["provinces"]
    assert (step["inserted"], step["changed"], step["closed"], step["unchanged"]) == (
        0, 1, 1, 32)


def test_reload__changed_row_closed_and_a_new_one_opened(reloaded):
    moved = reloaded["moved"]
    rows = [r for r in reloaded["after"] if r[0] == moved]
    assert [(r[1], r[2]) for r in rows] == [(date(2025, 7, 1), SECOND), (SECOND, None)]
    old, new = reloaded["xmin"]
    assert new - old == pytest.approx(0.01, abs=1e-9)  # the old shape kept, the new beside it
    [first] = [r for r in reloaded["before"] if r[0] == moved]
    assert rows[0][3] == first[3]  # the old row's geometry is untouched


def test_reload__vanished_row_closed_not_deleted(reloaded):
    gone = [r for r in reloaded["after"] if r[0] == reloaded["gone"]]
    assert [(r[1], r[2]) for r in gone] == [(date(2025, 7, 1), SECOND)]


def test_reload__unchanged_rows_untouched(reloaded):
    skip = {reloaded["moved"], reloaded["gone"]}
    before = [r for r in reloaded["before"] if r[0] not in skip]
    after = [r for r in reloaded["after"] if r[0] not in skip]
    assert len(after) == 32 and after == before
    assert all(r[2] is None for r in after)
