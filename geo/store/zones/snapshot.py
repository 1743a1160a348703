"""Reading a consistent snapshot of every zone layer into a ``geo.location.index.ZoneIndex``.

One repeatable-read transaction, one query per layer (never one per feature), every layer
read in a fixed order (features are indexed in that order, and where features overlap the
lowest index answers: ``geo.location.check.commune_codes``). Also the cheap version probe
that tells a worker when to rebuild, and ``index_around``: the same layers cut to the
neighbourhood of one point (``geo.store.zones.around``), for a one-off check that answers
exactly as the full index without building it.
"""

from __future__ import annotations

from datetime import date, datetime, time

from geoalchemy2.shape import to_shape
from sqlalchemy import and_, func, or_, select
from sqlalchemy.engine import Connection, Engine

from geo.common.errors import DataError, StoreUnavailable
from geo.common.timeutil import HANOI, now
from geo.location.decision_features import decision_feature
from geo.location.footprint import DEFAULT_SPEC, FootprintSpec, covers
from geo.location.index import BorderLine, Feature, Layer, ZoneIndex
from geo.location.surface import PROVINCE_SEARCH_DEG
from geo.store import models as m
from geo.store.db import reading
from geo.store.decisions.repository import all_files
from geo.store.zones.around import EVERYWHERE, Around, Region
from geo.store.zones.derive import PRIMARY_BORDER

FALLBACK_BORDER = "natural_earth_10m"


def data_version(conn: Connection) -> int:
    """The data version ``conn`` sees: the base row plus every table's count of writes
    (migration 0010). Monotonic: each part only grows."""
    base = select(m.data_version.c.version).where(m.data_version.c.id == 1).scalar_subquery()
    counted = select(func.coalesce(func.sum(m.data_version_table.c.version), 0)
                     ).scalar_subquery()
    return int(conn.execute(select(base + counted)).scalar_one())


def current_version(engine: Engine) -> int:
    with reading(engine) as conn:
        return data_version(conn)


def version_after_write(bind: Engine | Connection) -> int | None:
    """The data version now, read where the write went: at least the version the write
    produced (what a caller passes as ``X-Min-Index-Version``). None when the database
    cannot say (the write itself is committed either way)."""
    try:
        if isinstance(bind, Connection):
            return data_version(bind)
        return current_version(bind)
    except StoreUnavailable:
        return None


def _day(d: date | None) -> datetime | None:
    """A validity date as the instant it starts: 00:00 Hanoi time."""
    return None if d is None else datetime.combine(d, time(0), tzinfo=HANOI)


def _units(conn: Connection, table, where=None, near: Region = EVERYWHERE) -> list[Feature]:
    extra = [table.c[c] for c in ("province_code", "precision") if c in table.c]
    query = select(table.c.code, table.c.name, table.c.valid_from, table.c.valid_to,
                   near.geom(table.c.geom), *extra)
    if where is not None:
        query = query.where(where)
    query = near.filter(query, table.c.geom)
    query = query.order_by(table.c.code, table.c.valid_from)
    return [Feature(id=r.code, name=r.name, geom=to_shape(r.geom),
                    props={"province_code": getattr(r, "province_code", None),
                           "precision": getattr(r, "precision", None)},
                    valid_from=_day(r.valid_from), valid_to=_day(r.valid_to))
            for r in conn.execute(query)]


def _land_border(conn: Connection, near: Region = EVERYWHERE) -> list[Feature]:
    """Land border rows, each with every version of its commune's shape that overlaps the
    row's validity: a feature per (row, version), valid where both are, so that an answer
    at a past instant meets the commune as it was then."""
    lbc, com = m.land_border_commune, m.commune
    start = func.greatest(lbc.c.valid_from, com.c.valid_from)  # NULLs ignored: open ends
    end = func.least(lbc.c.valid_to, com.c.valid_to)
    rows = conn.execute(near.filter(
        select(lbc.c.id, lbc.c.commune_code, lbc.c.neighbours, lbc.c.basis,
               start.label("start"), end.label("end"), com.c.name, near.geom(com.c.geom))
        .join(com, and_(com.c.code == lbc.c.commune_code,
                        or_(lbc.c.valid_to.is_(None), com.c.valid_from < lbc.c.valid_to),
                        or_(com.c.valid_to.is_(None), lbc.c.valid_from < com.c.valid_to)))
        .order_by(lbc.c.commune_code, start, lbc.c.id), com.c.geom))
    return [Feature(id=r.commune_code, name=r.name, geom=to_shape(r.geom),
                    props={"neighbours": list(r.neighbours), "basis": r.basis},
                    valid_from=_day(r.start), valid_to=_day(r.end)) for r in rows]


def _belt(conn: Connection, near: Region = EVERYWHERE) -> list[Feature]:
    """Belt segments; near a point, those around it and every instrument's belt (an
    instrument in force replaces the default strip of its whole commune)."""
    t = m.belt_segment
    query = near.filter(select(*[c for c in t.c if c.name != "geom"],
                                       near.geom(t.c.geom)), t.c.geom,
                          keep=t.c.is_default.is_(False))
    return [Feature(id=str(r.id), name=f"border belt {r.commune_code or r.province_code}",
                    geom=to_shape(r.geom),
                    props={"depth_m": r.depth_m, "is_default": r.is_default,
                           "instrument": r.instrument, "commune_code": r.commune_code,
                           "province_code": r.province_code},
                    valid_from=_day(r.valid_from), valid_to=_day(r.valid_to))
            for r in conn.execute(query.order_by(t.c.commune_code.nulls_last(),
                                                 t.c.valid_from, t.c.id))]


def _zones(conn: Connection, near: Region = EVERYWHERE) -> list[Feature]:
    """Zones with their stored footprints; a sensitive zone written without one (or whose
    footprint no longer contains it) gets it made when the index is built. Near a point:
    the zones whose footprint could hold it, whole."""
    t = m.zone
    out = []
    for r in conn.execute(near.filter_zones(select(t).order_by(t.c.id), t.c.geom)):
        geom = to_shape(r.geom)
        stored = to_shape(r.footprint) if r.footprint is not None else None
        # registry versions share their record's id (their validities do not overlap)
        out.append(Feature(id=str(r.record_id or r.id), name=r.name, geom=geom,
                           props={"kind": r.kind, "authority": r.authority,
                                  "legal_basis": r.legal_basis, "sensitivity": r.sensitivity,
                                  "province_code": r.province_code, "version": r.version},
                           valid_from=r.valid_from, valid_to=r.valid_to,
                           footprint=stored if covers(stored, geom) else None))
    return out


def _checkpoint_areas(conn: Connection, near: Region = EVERYWHERE) -> list[Feature]:
    t, g = m.checkpoint_area, m.gate
    rows = conn.execute(near.filter(select(t, g.c.name.label("gate_name"), g.c.gate_type)
                                      .join(g, g.c.id == t.c.gate_id)
                                      .where(t.c.status == "approved")
                                      .order_by(t.c.id), t.c.geom))
    return [Feature(id=str(r.id), name=f"Khu vực cửa khẩu {r.gate_name}", geom=to_shape(r.geom),
                    props={"gate_id": r.gate_id, "gate_type": r.gate_type, "status": r.status,
                           "version": r.version, "sensitivity": "public",
                           "legal_basis": r.source, "authority": None},
                    valid_from=r.valid_from, valid_to=r.valid_to) for r in rows]


def _decisions(conn: Connection, near: Region = EVERYWHERE) -> list[Feature]:
    """Decisions as recorded now, valid over their effective windows (empty ones dropped)."""
    features = [decision_feature(f) for f in all_files(conn) if f.window[0] < f.window[1]]
    return features if near.everywhere else [f for f in features if near.touches(f.geom)]


def _border(conn: Connection, near: Region = EVERYWHERE) -> BorderLine:
    t = m.border_segment
    for source in (PRIMARY_BORDER, FALLBACK_BORDER):
        query = (select(t.c.neighbour_iso3, t.c.geom).where(t.c.source == source)
                 .order_by(t.c.neighbour_iso3, t.c.seq))
        rows = conn.execute(near.filter_border(conn, query, t.c.geom)).all()
        if rows:
            return BorderLine([(r.neighbour_iso3, to_shape(r.geom)) for r in rows], source)
    return BorderLine([], "none")


def _sea(conn: Connection, near: Region = EVERYWHERE) -> list[Feature]:
    t = m.sea_area
    query = select(*[c for c in t.c if c.name != "geom"], near.geom(t.c.geom))
    return [Feature(id=r.commune_code or f"waters-{r.id}",
                    name="sea border area" + (f" (coastal commune {r.commune_code})"
                                              if r.commune_code else " (waters)"),
                    geom=to_shape(r.geom), props={"part": r.part, "method": r.method})
            for r in conn.execute(near.filter(query.order_by(t.c.id), t.c.geom))]


def _gate_points(conn: Connection) -> list[tuple[str, str, str, float, float]]:
    """Gates with a recorded location (``gate.location``): id, name, neighbour, lon, lat."""
    g = m.gate
    rows = conn.execute(select(g.c.id, g.c.name, g.c.neighbour_iso3, g.c.location)
                        .where(g.c.location.is_not(None)).order_by(g.c.id))
    return [(r.id, r.name, r.neighbour_iso3, to_shape(r.location).x, to_shape(r.location).y)
            for r in rows]


def _territory(conn: Connection, source: str, near: Region = EVERYWHERE) -> list[Feature]:
    t = m.territory
    query = select(t.c.name, near.geom(t.c.geom)).where(t.c.source == source)
    return [Feature(id=r.name if source == "neighbours" else "VNM", name=r.name,
                    geom=to_shape(r.geom))
            for r in conn.execute(near.filter(query, t.c.geom).order_by(t.c.name, t.c.id))]


def build_index(engine: Engine, spec: FootprintSpec = DEFAULT_SPEC) -> ZoneIndex:
    """Read every layer in one repeatable-read snapshot and prepare the index (``spec``:
    footprints of sensitive zones stored without one)."""
    with reading(engine) as conn:
        conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        return index_from(conn, spec)


def index_around(engine: Engine, lon: float, lat: float,
                 spec: FootprintSpec = DEFAULT_SPEC) -> ZoneIndex:
    """The index cut to the neighbourhood of one point (WGS 84 lon/lat): checks of that
    point, and of it only, answer as the full index's do (``geo.store.zones.around``)."""
    with reading(engine) as conn:
        conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        return index_from(conn, spec, Around(lon, lat, spec))


def _province_names(conn: Connection) -> dict[str, str]:
    t = m.province
    return dict(conn.execute(select(t.c.code, t.c.name).where(t.c.valid_to.is_(None))).all())


def index_from(conn: Connection, spec: FootprintSpec = DEFAULT_SPEC,
               near: Region = EVERYWHERE) -> ZoneIndex:
    """The index of what ``conn`` sees (its transaction decides the snapshot), of the
    whole country or of the neighbourhood ``near``."""
    communes = _units(conn, m.commune, near=near)
    index = ZoneIndex(
        version=data_version(conn),
        territory=Layer(_territory(conn, "land_polygon", near)),
        neighbours=Layer(_territory(conn, "neighbours", near)),
        # at sea the coastal province is the nearest within PROVINCE_SEARCH_DEG: read that far
        provinces=Layer(_units(conn, m.province,
                               near=near.widened(2 * PROVINCE_SEARCH_DEG))),
        communes_exact=Layer([f for f in communes if f.props["precision"] == "exact"]),
        communes_simplified=Layer([f for f in communes if f.props["precision"] != "exact"]),
        land_border=Layer(_land_border(conn, near)),
        belt=Layer(_belt(conn, near)),
        zones=Layer(_zones(conn, near)),
        checkpoint_areas=Layer(_checkpoint_areas(conn, near)),
        border=_border(conn, near),
        province_names=_province_names(conn),
        built_at=now(),
        decisions=Layer(_decisions(conn, near)),
        sea=Layer(_sea(conn, near)),
        gates=_gate_points(conn),
        footprint_spec=spec,
    )
    if not (len(index.territory) or data_loaded(conn)):
        raise DataError("no boundary data is loaded yet: run `borderzone data load`")
    return index


def data_loaded(conn: Connection) -> bool:
    t = m.territory
    return conn.execute(select(t.c.source).where(t.c.source == "land_polygon").limit(1)
                        ).first() is not None
