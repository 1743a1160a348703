"""Storing zones: the footprint is written with every sensitive zone, made again when the
zone changes, cleared for public zones; bad input is refused and nothing is written."""

from __future__ import annotations

from datetime import timedelta

import pytest
import shapely
from geoalchemy2.shape import to_shape
from sqlalchemy import delete, func, select

from geo.common.errors import InvalidInput
from geo.common.timeutil import now
from geo.location.footprint import footprint
from geo.store.db import transaction
from geo.store.models import audit_log, zone
from geo.store.zones.edit import add_zone, update_zone
from tests.api.security.security_support import SETUP, unique

LANG_SON = (106.7615, 21.8537)  # Lạng Sơn city centre


def _square(half_deg: float):
    lon, lat = LANG_SON
    return shapely.box(lon - half_deg, lat - half_deg, lon + half_deg, lat + half_deg)


def _add(conn, **overrides) -> int:
    values = dict(kind="prohibited_zone_land", name=unique("Khu cấm"), authority="Bộ Quốc phòng",
                  legal_basis="Decree 164/2018/ND-CP Art 7", sensitivity="public",
                  geom=_square(0.002), valid_from=now() - timedelta(days=1), province_code="20")
    return add_zone(conn, SETUP, **{**values, **overrides})


def test_zones__footprint_follows_sensitivity_and_geometry(engine, loaded):
    with transaction(engine) as conn:
        zid = _add(conn)
        try:
            row = conn.execute(select(zone).where(zone.c.id == zid)).one()
            assert row.footprint is None  # public: answered exactly for everyone
            update_zone(conn, SETUP, zid, sensitivity="secret")
            row = conn.execute(select(zone).where(zone.c.id == zid)).one()
            stored = to_shape(row.footprint)
            assert stored.equals(footprint(to_shape(row.geom)))
            assert conn.execute(select(func.ST_Covers(zone.c.footprint, zone.c.geom))
                                .where(zone.c.id == zid)).scalar_one()
            update_zone(conn, SETUP, zid, geom=_square(0.02))
            grown = to_shape(conn.execute(select(zone.c.footprint)
                                          .where(zone.c.id == zid)).scalar_one())
            assert grown.area > 5 * stored.area and grown.covers(_square(0.02))
            actions = conn.execute(select(audit_log.c.action).where(
                audit_log.c.entity == "zone", audit_log.c.entity_id == str(zid))).scalars()
            assert sorted(actions) == ["zone.add", "zone.update", "zone.update"]
        finally:
            conn.execute(delete(zone).where(zone.c.id == zid))


@pytest.mark.parametrize(("overrides", "field"), [
    ({"kind": "belt"}, "kind"), ({"sensitivity": "top"}, "sensitivity"),
    ({"geom": shapely.Polygon([(106, 21), (106.1, 21.1), (106.1, 21), (106, 21.1)])},
     "geometry"), ({"geom": shapely.Point(*LANG_SON)}, "geometry"),
    ({"name": " "}, "name"), ({"province_code": "Lạng Sơn"}, "province_code"),
])
def test_zones__bad_input_is_refused_and_nothing_is_written(engine, loaded, overrides, field):
    before = _count(engine)
    with pytest.raises(InvalidInput) as err, transaction(engine) as conn:
        _add(conn, **overrides)
    assert err.value.field == field
    assert _count(engine) == before


def _count(engine) -> int:
    with transaction(engine) as conn:
        return conn.execute(select(func.count()).select_from(zone)).scalar_one()
