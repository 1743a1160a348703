"""Loading the boundary datasets into PostGIS, idempotently and with history.

A dataset whose file hash matches the last load is skipped, so a second run changes
nothing. Provinces and communes are versioned: a changed unit closes its current row
(``valid_to``) and opens a new one; nothing is overwritten. Derived layers (land border
communes, the default border belt) are recomputed only when one of their inputs changed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import geopandas as gpd
import shapely
from geoalchemy2.shape import from_shape, to_shape
from sqlalchemy import and_, func, insert, select, update
from sqlalchemy.engine import Connection, Engine

from geo.common import sources
from geo.common.crs import GEOD
from geo.location import border, sea
from geo.location.overlaps import commune_overlaps
from geo.store import models as m
from geo.store.db import transaction
from geo.store.zones import derive

DERIVATION_VERSION = "belt-v1"
UNIT_KINDS = {"xa": "commune", "phuong": "ward", "dac_khu": "special_zone"}


@dataclass
class LoadReport:
    """What one ``data load`` did, table by table."""

    steps: dict[str, dict] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"steps": self.steps, "warnings": self.warnings, "counts": self.counts}


def _sha_of(*parts: str) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def _previous_sha(conn: Connection, dataset: str) -> str | None:
    return conn.execute(select(m.dataset_load.c.sha256).where(
        m.dataset_load.c.dataset == dataset)).scalar()


def _record(conn: Connection, dataset: str, sha: str, report: dict) -> None:
    conn.execute(m.dataset_load.delete().where(m.dataset_load.c.dataset == dataset))
    conn.execute(insert(m.dataset_load).values(dataset=dataset, sha256=sha,
                                               report=json.loads(json.dumps(report))))


def _mp(geom) -> object:
    return from_shape(border.as_multipolygon(geom), srid=4326)


def _unit_rows(frame: gpd.GeoDataFrame, *, source: str, precision: str | None) -> list[dict]:
    rows = []
    for rec in frame.itertuples():
        wkb = shapely.to_wkb(rec.geometry, hex=True)
        row = {"code": str(rec.code), "name": rec.name, "name_ascii": sources.ascii_name(rec.name),
               "source": source, "content_sha": _sha_of(rec.name, wkb), "geom": rec.geometry}
        if precision:
            row.update(full_name=rec.full_name, precision=precision,
                       kind=UNIT_KINDS.get(rec.unit_type, rec.unit_type),
                       province_code=str(rec.province_code))
        else:
            row.update(name_en=rec.name_en, has_land_border=bool(rec.has_land_border))
        rows.append(row)
    return rows


def sync_versioned(conn: Connection, table, rows: list[dict], valid_from: date,
                   today: date) -> dict:
    """Insert new units, close and reopen changed ones, close vanished ones; keep history."""
    current = {r.code: r.content_sha for r in conn.execute(
        select(table.c.code, table.c.content_sha).where(table.c.valid_to.is_(None)))}
    first_load = not current
    start = valid_from if first_load else today
    changed = [r for r in rows if current.get(r["code"]) not in (None, r["content_sha"])]
    new = [r for r in rows if r["code"] not in current]
    gone = set(current) - {r["code"] for r in rows}
    closing = [r["code"] for r in changed] + sorted(gone)
    if closing:
        conn.execute(update(table).where(and_(table.c.code.in_(closing),
                                              table.c.valid_to.is_(None)))
                     .values(valid_to=today))
    to_insert = [{**r, "geom": _mp(r["geom"]), "valid_from": start} for r in changed + new]
    if to_insert:
        conn.execute(insert(table), to_insert)
    return {"inserted": len(new), "changed": len(changed), "closed": len(gone),
            "unchanged": len(rows) - len(new) - len(changed)}


class Loader:
    """Loads every dataset of the manifest found in ``data_dir`` into the database."""

    def __init__(self, engine: Engine, data_dir: Path, *, log: Callable[[str], None] = print,
                 today: date | None = None):
        self.engine = engine
        self.data_dir = Path(data_dir)
        self.log = log
        self.today = today or date.today()
        self.report = LoadReport()
        self.shas: dict[str, str] = {}
        self.only: tuple[str, ...] | None = None

    def run(self, only: tuple[str, ...] | None = None) -> LoadReport:
        """Load every dataset (or just the steps named in ``only``)."""
        self.only = only
        precise = self._present("land_boundary")
        self._step("provinces", self._provinces)
        self._step("communes", self._communes, inputs=("communes_exact", "communes_simplified"))
        if precise:
            self._step("land_boundary", self._boundary, inputs=("land_boundary",))
        self._step("land_boundary_ne", self._boundary_ne, inputs=("land_boundary_ne",))
        self._step("land_polygon", self._territory)
        self._step("neighbours", self._neighbours)
        self._step("gates", self._gates)
        if precise:
            self._step("derived", self._derived, inputs=(
                "communes_exact", "land_boundary", "land_polygon"), salt=DERIVATION_VERSION)
        else:
            self.report.warnings.append(
                f"land_boundary: {sources.manifest()['land_boundary']['file']} not found: the "
                "Natural Earth 10m line (~2 km off) is the border; no land border communes "
                "and no belt are derived from it")
        self._step("sea", self._sea, inputs=("baseline", "coastline", "land_polygon",
                                             "neighbours", "communes_exact",
                                             "communes_simplified"), salt=sea.METHOD)
        self.report.counts = self.counts()
        return self.report

    # -- bookkeeping ----------------------------------------------------------------------
    def _present(self, name: str) -> bool:
        """Whether the data directory holds dataset ``name`` (the precise border line may be
        missing: the public Natural Earth line stands in for it, README "Data")."""
        return (self.data_dir / sources.manifest()[name]["file"]).exists()

    def _file_sha(self, name: str) -> str:
        if name not in self.shas:
            self.shas[name] = sources.file_sha256(sources.dataset_path(self.data_dir, name))
        return self.shas[name]

    def _step(self, name: str, work, inputs: tuple[str, ...] | None = None, salt: str = ""):
        if self.only is not None and name not in self.only:
            return
        inputs = inputs or (name,)
        sha = _sha_of(salt, *[self._file_sha(i) for i in inputs])
        with transaction(self.engine) as conn:
            if _previous_sha(conn, name) == sha:
                self.log(f"  {name}: unchanged since the last load, skipped")
                self.report.steps[name] = {"skipped": True}
                return
            self.log(f"  {name}: loading ...")
            result = work(conn)
            _record(conn, name, sha, result)
        self.report.steps[name] = result
        self.log(f"  {name}: {json.dumps(result, ensure_ascii=False)[:400]}")

    def _layer(self, name: str, allowed) -> gpd.GeoDataFrame:
        frame, check = sources.read_layer(self.data_dir, name, allowed)
        if check.repaired or check.rejected:
            self.report.warnings.append(
                f"{name}: {check.repaired} geometries repaired, {len(check.rejected)} rejected")
        self._checks = getattr(self, "_checks", {})
        self._checks[name] = check.as_dict()
        return frame

    # -- steps ----------------------------------------------------------------------------
    def _provinces(self, conn: Connection) -> dict:
        frame = self._layer("provinces", sources.POLYGONAL)
        valid_from = date.fromisoformat(sources.manifest()["provinces"]["valid_from"])
        rows = _unit_rows(frame, source="provinces", precision=None)
        return {**sync_versioned(conn, m.province, rows, valid_from, self.today),
                "geometry": self._checks["provinces"]}

    def _communes(self, conn: Connection) -> dict:
        exact = self._layer("communes_exact", sources.POLYGONAL)
        simple = self._layer("communes_simplified", sources.POLYGONAL)
        simple = simple[~simple.code.isin(set(exact.code))]
        rows = (_unit_rows(exact, source="communes_exact", precision="exact")
                + _unit_rows(simple, source="communes_simplified", precision="simplified"))
        valid_from = date.fromisoformat(sources.manifest()["communes_exact"]["valid_from"])
        synced = sync_versioned(conn, m.commune, rows, valid_from, self.today)
        self.log("    looking for overlapping communes ...")
        found = commune_overlaps([r["code"] for r in rows], [r["geom"] for r in rows])
        self.report.warnings.extend(found.warnings())
        return {**synced, "overlaps": found.as_dict(),
                "geometry": {k: self._checks[k] for k in ("communes_exact",
                                                          "communes_simplified")}}

    def _boundary(self, conn: Connection, name: str = "land_boundary") -> dict:
        entry = sources.manifest()[name]
        frame = self._layer(name, sources.LINEAR)
        tag = entry["source_tag"]
        conn.execute(m.border_segment.delete().where(m.border_segment.c.source == tag))
        rows, lengths = [], {}
        for rec in frame.itertuples():
            for seq, piece in enumerate(p for line in border.lines_of(rec.geometry)
                                        for p in border.split_line(line)):
                length = float(GEOD.geometry_length(piece))
                lengths[rec.neighbour_iso3] = lengths.get(rec.neighbour_iso3, 0.0) + length
                rows.append({"neighbour_iso3": rec.neighbour_iso3, "seq": seq, "source": tag,
                             "length_m": length, "geom": from_shape(piece, srid=4326)})
        conn.execute(insert(m.border_segment), rows)
        if entry.get("fallback"):
            self.report.warnings.append(
                f"{name}: Natural Earth 10m border loaded as a fallback; it is ~2 km off the "
                "real line (median 1.8-2.0 km) and is never used for the belt")
        return {"segments": len(rows),
                "length_km": {k: round(v / 1000, 1) for k, v in sorted(lengths.items())}}

    def _boundary_ne(self, conn: Connection) -> dict:
        return self._boundary(conn, "land_boundary_ne")

    def _territory(self, conn: Connection) -> dict:
        land = self._layer("land_polygon", sources.POLYGONAL).union_all()
        conn.execute(m.territory.delete().where(m.territory.c.source == "land_polygon"))
        conn.execute(insert(m.territory).values(name="Viet Nam (land)", source="land_polygon",
                                                geom=_mp(land)))
        return {"parts": len(border.as_multipolygon(land).geoms)}

    def _neighbours(self, conn: Connection) -> dict:
        frame = self._layer("neighbours", sources.POLYGONAL)
        conn.execute(m.territory.delete().where(m.territory.c.source == "neighbours"))
        conn.execute(insert(m.territory), [{"name": r.iso3, "source": "neighbours",
                                            "geom": _mp(r.geometry)} for r in frame.itertuples()])
        return {"countries": sorted(frame.iso3)}

    def _gates(self, conn: Connection) -> dict:
        frame = sources.read_gates(self.data_dir)
        existing = set(conn.execute(select(m.gate.c.id)).scalars())
        rows = [{**{k: (v or None) for k, v in rec.items()}, "source": "gates",
                 "location": None, "location_source": None}
                for rec in frame.to_dict("records") if rec["id"] not in existing]
        if rows:
            conn.execute(insert(m.gate), rows)
        return {"inserted": len(rows), "unchanged": len(existing),
                "with_location": 0, "note": "the gate list has no coordinates"}

    def _sea(self, conn: Connection) -> dict:
        frame, _ = sources.read_layer(self.data_dir, "baseline", (*sources.LINEAR, "Point"))
        baseline = frame[frame.geom_type.isin(sources.LINEAR)].union_all()  # not A1-A11 pts
        coast = self._layer("coastline", sources.LINEAR).union_all()
        land = self._layer("land_polygon", sources.POLYGONAL).union_all()
        neighbours = self._layer("neighbours", sources.POLYGONAL).union_all()
        self.log("    computing the waters of the sea border area ...")
        waters = sea.territorial_waters(baseline, coast, land, neighbours)
        communes = {r.code: to_shape(r.geom) for r in conn.execute(
            select(m.commune.c.code, m.commune.c.geom).where(m.commune.c.valid_to.is_(None)))}
        codes = sea.coastal(communes, coast)
        conn.execute(m.sea_area.delete())
        inner, outer = sea.split_waters(waters, baseline, coast)
        rows = [{"part": part, "commune_code": None, "method": sea.METHOD,
                 "source": "baseline+coastline", "geom": from_shape(geom, srid=4326)}
                for part, geom in (("internal_waters", inner), ("territorial_sea", outer))
                if geom is not None]
        rows += [{"part": "coastal_commune", "commune_code": code, "source": "communes",
                  "method": "commune boundary within ~200 m of the shoreline",
                  "geom": _mp(communes[code])} for code in codes]
        conn.execute(insert(m.sea_area), rows)
        return {"waters_parts": len(waters.geoms), "coastal_communes": len(codes)}

    def _derived(self, conn: Connection) -> dict:
        return derive.rebuild(conn, today=self.today, log=self.log)

    # -- summary --------------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        with transaction(self.engine) as conn:
            return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                    for t in (m.territory, m.province, m.commune, m.border_segment,
                              m.land_border_commune,
                              m.belt_segment, m.zone, m.sea_area, m.gate, m.checkpoint_area)}
