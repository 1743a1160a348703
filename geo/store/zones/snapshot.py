"""Reading a consistent snapshot of every zone layer into a ``geo.location.index.ZoneIndex``.

One repeatable-read transaction, one query per layer (never one per feature), every layer
read in a fixed order (features are indexed in that order, and where features overlap the
lowest index answers: ``geo.location.check.commune_codes``). Also the cheap version probe
that tells a worker when to rebuild.
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
from geo.store import models as m
from geo.store.db import reading
from geo.store.decisions.repository import all_files
from geo.store.zones.derive import PRIMARY_BORDER

FALLBACK_BORDER = "natural_earth_10m"


def data_version(conn: Connection) -> int:
    """The data version ``conn`` sees: the base row plus every table's count of writes
    (migration 0009). Monotonic: each part only grows."""
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


def _units(conn: Connection, table, where=None) -> list[Feature]:
    extra = [table.c[c] for c in ("province_code", "precision") if c in table.c]
    query = select(table.c.code, table.c.name, table.c.valid_from, table.c.valid_to,
                   table.c.geom, *extra)
    if where is not None:
        query = query.where(where)
    query = query.order_by(table.c.code, table.c.valid_from)
    return [Feature(id=r.code, name=r.name, geom=to_shape(r.geom),
                    props={"province_code": getattr(r, "province_code", None),
                           "precision": getattr(r, "precision", None)},
                    valid_from=_day(r.valid_from), valid_to=_day(r.valid_to))
            for r in conn.execute(query)]


def _land_border(conn: Connection) -> list[Feature]:
    """Land border rows, each with every version of its commune's shape that overlaps the
    row's validity: a feature per (row, version), valid where both are, so that an answer
    at a past instant meets the commune as it was then."""
    lbc, com = m.land_border_commune, m.commune
    start = func.greatest(lbc.c.valid_from, com.c.valid_from)  # NULLs ignored: open ends
    end = func.least(lbc.c.valid_to, com.c.valid_to)
    rows = conn.execute(
        select(lbc.c.id, lbc.c.commune_code, lbc.c.neighbours, lbc.c.basis,
               start.label("start"), end.label("end"), com.c.name, com.c.geom)
        .join(com, and_(com.c.code == lbc.c.commune_code,
                        or_(lbc.c.valid_to.is_(None), com.c.valid_from < lbc.c.valid_to),
                        or_(com.c.valid_to.is_(None), lbc.c.valid_from < com.c.valid_to)))
        .order_by(lbc.c.commune_code, start, lbc.c.id))
    return [Feature(id=r.commune_code, name=r.name, geom=to_shape(r.geom),
                    props={"neighbours": list(r.neighbours), "basis": r.basis},
                    valid_from=_day(r.start), valid_to=_day(r.end)) for r in rows]


def _belt(conn: Connection) -> list[Feature]:
    t = m.belt_segment
    return [Feature(id=str(r.id), name=f"border belt {r.commune_code or r.province_code}",
                    geom=to_shape(r.geom),
                    props={"depth_m": r.depth_m, "is_default": r.is_default,
                           "instrument": r.instrument, "commune_code": r.commune_code,
                           "province_code": r.province_code},
                    valid_from=_day(r.valid_from), valid_to=_day(r.valid_to))
            for r in conn.execute(select(t).order_by(t.c.commune_code.nulls_last(),
                                                     t.c.valid_from, t.c.id))]


def _zones(conn: Connection) -> list[Feature]:
    """Zones with their stored footprints; a sensitive zone written without one (or whose
    footprint no longer contains it) gets it made when the index is built."""
    t = m.zone
    out = []
    for r in conn.execute(select(t).order_by(t.c.id)):
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


def _checkpoint_areas(conn: Connection) -> list[Feature]:
    t, g = m.checkpoint_area, m.gate
    rows = conn.execute(select(t, g.c.name.label("gate_name"), g.c.gate_type)
                        .join(g, g.c.id == t.c.gate_id).where(t.c.status == "approved")
                        .order_by(t.c.id))
    return [Feature(id=str(r.id), name=f"Khu vực cửa khẩu {r.gate_name}", geom=to_shape(r.geom),
                    props={"gate_id": r.gate_id, "gate_type": r.gate_type, "status": r.status,
                           "version": r.version, "sensitivity": "public",
                           "legal_basis": r.source, "authority": None},
                    valid_from=r.valid_from, valid_to=r.valid_to) for r in rows]


def _decisions(conn: Connection) -> list[Feature]:
    """Decisions as recorded now, valid over their effective windows (empty ones dropped)."""
    return [decision_feature(f) for f in all_files(conn) if f.window[0] < f.window[1]]


def _border(conn: Connection) -> BorderLine:
    t = m.border_segment
    for source in (PRIMARY_BORDER, FALLBACK_BORDER):
        rows = conn.execute(select(t.c.neighbour_iso3, t.c.geom).where(t.c.source == source)
                            .order_by(t.c.neighbour_iso3, t.c.seq)).all()
        if rows:
            return BorderLine([(r.neighbour_iso3, to_shape(r.geom)) for r in rows], source)
    return BorderLine([], "none")


def _sea(conn: Connection) -> list[Feature]:
    t = m.sea_area
    return [Feature(id=r.commune_code or f"waters-{r.id}",
                    name="sea border area" + (f" (coastal commune {r.commune_code})"
                                              if r.commune_code else " (waters)"),
                    geom=to_shape(r.geom), props={"part": r.part, "method": r.method})
            for r in conn.execute(select(t).order_by(t.c.id))]


def _territory(conn: Connection, source: str) -> list[Feature]:
    t = m.territory
    return [Feature(id=r.name if source == "neighbours" else "VNM", name=r.name,
                    geom=to_shape(r.geom))
            for r in conn.execute(select(t.c.name, t.c.geom).where(t.c.source == source)
                                  .order_by(t.c.name, t.c.id))]


def build_index(engine: Engine, spec: FootprintSpec = DEFAULT_SPEC) -> ZoneIndex:
    """Read every layer in one repeatable-read snapshot and prepare the index (``spec``:
    footprints of sensitive zones stored without one)."""
    with reading(engine) as conn:
        conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        return index_from(conn, spec)


def index_from(conn: Connection, spec: FootprintSpec = DEFAULT_SPEC) -> ZoneIndex:
    """The index of what ``conn`` sees (its transaction decides the snapshot)."""
    provinces = _units(conn, m.province)
    communes = _units(conn, m.commune)
    index = ZoneIndex(
        version=data_version(conn),
        territory=Layer(_territory(conn, "land_polygon")),
        neighbours=Layer(_territory(conn, "neighbours")),
        provinces=Layer(provinces),
        communes_exact=Layer([f for f in communes if f.props["precision"] == "exact"]),
        communes_simplified=Layer([f for f in communes if f.props["precision"] != "exact"]),
        land_border=Layer(_land_border(conn)),
        belt=Layer(_belt(conn)),
        zones=Layer(_zones(conn)),
        checkpoint_areas=Layer(_checkpoint_areas(conn)),
        border=_border(conn),
        province_names={f.id: f.name for f in provinces if f.valid_to is None},
        built_at=now(),
        decisions=Layer(_decisions(conn)),
        sea=Layer(_sea(conn)),
        footprint_spec=spec,
    )
    if not len(index.territory):
        raise DataError("no boundary data is loaded yet: run `borderzone data load`")
    return index
