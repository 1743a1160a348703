"""The answer rules, defined once, vectorised: where each point is, as columns of arrays
(``COLUMNS``), one entry per point.

The single-point and point-list answers (``geo.location.check.check_points``), route ends
and batches (``geo.batch.check``, for the representative point of every grid region and
for points in touched cells) all read their answers from ``answer_columns``. WGS 84
lon/lat degrees in; distances in geodesic metres.

A new answer field is a new entry of ``COLUMNS``, its rule in ``answer_columns``, and its
rendering in ``PointAnswer`` and ``geo.batch.output``.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass

import numpy as np
import shapely

from geo.common import crs
from geo.common.zones import ZoneKind
from geo.location.border import as_multipolygon, geodesic_buffer, lines_of
from geo.location.index import Layer, ZoneIndex, lowest_per_point
from geo.location.surface import surfaces

#: Near the line, the side of the border is decided by the exact communes alone.
NEAR_BORDER_M = 30.0
#: Outside Vietnam and its neighbours' polygons, the neighbour of the nearest border segment
#: within this distance is the country (neighbour polygons are ~2 km precise).
COUNTRY_BY_LINE_M = 3_000.0
#: Guards ``ZoneIndex.grids``: the lookups here, the batch grids in ``geo.batch.check``.
CACHE_LOCK = threading.RLock()

#: Every column: dtype and the value for "none".
COLUMNS: dict[str, tuple[object, object]] = {
    "in_vietnam": (bool, False),
    "country": ("U3", ""),
    "province_code": ("U8", ""),
    "province_name": (object, None),
    "commune_code": ("U8", ""),
    "commune_name": (object, None),
    "commune_precision": ("U10", ""),
    "in_land_border_area": (bool, False),
    "in_border_belt": (bool, False),
    "belt_index": (np.int32, -1),  # into index.belt.features
    "belt_id": ("U24", ""),
    "belt_depth_m": (np.float64, np.nan),
    "border_distance_m": (np.float64, np.nan),
    "nearest_neighbour": ("U3", ""),
    "zone_count": (np.int16, 0),
    "zones": (object, ()),  # per point: a shared tuple of (kind, Feature)
    "decision_count": (np.int16, 0),
    "decisions": (object, ()),  # per point: a shared tuple of decision Features
    "in_sea_border_area": (bool, False),
    "surface": ("U16", ""),  # land | internal_waters | territorial_sea (``mark_waters``)
    "province_precision": ("U16", ""),  # "nearest_coast" at sea
}


def blank(n: int) -> dict[str, np.ndarray]:
    """Columns for ``n`` points answering "nowhere" (plus ``at``, datetime64[us] UTC)."""
    out = {}
    for name, (dtype, empty) in COLUMNS.items():
        out[name] = np.empty(n, dtype=dtype)
        out[name].fill(empty)
    out["at"] = np.zeros(n, dtype="datetime64[us]")
    return out


@dataclass(frozen=True)
class Lookups:
    """Per index: feature attributes as arrays, each with a trailing "none" entry so that
    a row of -1 reads as none. Commune rows: the exact communes, then the simplified ones.
    Province rows: the province of each commune row (its code, today's name), then the
    province polygons."""

    n_exact: int  # commune rows before the simplified communes
    commune_code: np.ndarray
    commune_name: np.ndarray
    commune_precision: np.ndarray
    commune_has_province: np.ndarray  # bool: the commune row names its province
    n_communes: int  # province rows before the province polygons
    province_code: np.ndarray
    province_name: np.ndarray
    neighbour_id: np.ndarray
    belt_id: np.ndarray
    belt_depth_m: np.ndarray
    line: np.ndarray  # the border line's segments, (n, 4) lon0, lat0, lon1, lat1
    boundaries: np.ndarray  # every validity boundary, int64 microseconds, sorted

    @classmethod
    def of(cls, index: ZoneIndex) -> Lookups:
        b = index.border
        a_lon, a_lat = crs.from_metric(b.a[:, 0], b.a[:, 1])
        b_lon, b_lat = crs.from_metric(b.b[:, 0], b.b[:, 1])
        layers = [*index.layers(cleared=True), index.zones_public]
        stamps = np.concatenate([np.concatenate([layer.starts, layer.ends])
                                 for layer in layers])
        communes = [(f, "exact") for f in index.communes_exact.features] + \
                   [(f, "simplified") for f in index.communes_simplified.features]
        of_commune = [f.props.get("province_code") or "" for f, _ in communes]
        units = [(code, index.province_names.get(code)) for code in of_commune] + \
                [(f.id, f.name) for f in index.provinces.features]
        return cls(
            n_exact=len(index.communes_exact), n_communes=len(communes),
            commune_code=_column([f.id for f, _ in communes], "U8"),
            commune_name=_column([f.name for f, _ in communes], object),
            commune_precision=_column([how for _, how in communes], "U10"),
            commune_has_province=_column([bool(code) for code in of_commune], bool),
            province_code=_column([code for code, _ in units], "U8"),
            province_name=_column([name for _, name in units], object),
            neighbour_id=_column([f.id for f in index.neighbours.features], "U3"),
            belt_id=_column([f.id for f in index.belt.features], "U24"),
            belt_depth_m=_column([f.props["depth_m"] for f in index.belt.features],
                                 np.float64),
            line=np.column_stack([a_lon, a_lat, b_lon, b_lat]).reshape(-1, 4),
            boundaries=np.unique(stamps.astype("datetime64[us]").view(np.int64)))


def lookups(index: ZoneIndex) -> Lookups:
    """The index's ``Lookups``, made once per index (``once_per_index``)."""
    return once_per_index(index, "lookups", Lookups.of)


def once_per_index(index: ZoneIndex, name: str, make):
    """``make(index)``, made once per index and kept in ``ZoneIndex.grids`` as ``name``.
    Once made, read without the lock, which a batch holds while it builds a grid."""
    cache = index.grids
    found = cache.get(name)
    if found is not None:
        return found
    with CACHE_LOCK:
        if name not in cache:
            cache[name] = make(index)
        return cache[name]


def _column(values: list, dtype) -> np.ndarray:
    """``values``, then the dtype's "none" (row -1 reads as none)."""
    empty = {object: None, np.float64: np.nan, bool: False}.get(dtype, "")
    return np.array([*values, empty], dtype=dtype)


def _hits_by_point(n: int, pairs) -> tuple[np.ndarray, np.ndarray]:
    """Object column of tuples (shared empty tuple where none) and the count per point."""
    out = np.empty(n, dtype=object)
    out.fill(())
    count = np.zeros(n, dtype=np.int16)
    grouped: dict[int, list] = {}
    for p, item in pairs:
        grouped.setdefault(p, []).append(item)
    for p, items in grouped.items():
        out[p] = tuple(items)
        count[p] = len(items)
    return out, count


def _zone_pairs(index: ZoneIndex, pts, when, cleared: bool):
    """(point, (kind, Feature)): zones, then checkpoint areas, each in hit order."""
    for layer, fixed_kind in ((index.zone_layer(cleared), None),
                              (index.checkpoint_areas, ZoneKind.CHECKPOINT_AREA.value)):
        pidx, fidx = layer.hits(pts, when)
        for p, f in zip(pidx.tolist(), fidx.tolist(), strict=True):
            feat = layer.features[f]
            yield p, (fixed_kind or feat.props["kind"], feat)


def _decision_pairs(index: ZoneIndex, pts, when):
    pidx, fidx = index.decisions.hits(pts, when)
    for p, f in sorted(zip(pidx.tolist(), fidx.tolist(), strict=True)):
        yield p, index.decisions.features[f]


def overridden_communes(index: ZoneIndex, when: np.datetime64) -> set[str]:
    """Communes whose belt is set by an instrument in force at ``when``: there the
    instrument's belt replaces the default strip entirely (GEO-BELT-04)."""
    layer = index.belt
    return {layer.features[f].props.get("commune_code") for f in layer.instrument_rows
            if layer.starts[f] <= when < layer.ends[f]}


def commune_codes(index: ZoneIndex, exact: np.ndarray, simple: np.ndarray) -> np.ndarray:
    """The commune holding each point ("" none), by the one rule for overlapping communes:
    exact geometry first; where communes overlap in the data (``geo.location.overlaps``),
    the lowest code (``Layer.first_hit``). The belt row and the land border listing of a
    point are those of this commune (``_belt_rows``, ``land_border_rows``)."""
    ex, si = index.communes_exact.ids, index.communes_simplified.ids
    out = np.full(len(exact), "", dtype=object)
    out[exact >= 0] = ex[exact[exact >= 0]]
    use = (exact < 0) & (simple >= 0)
    out[use] = si[simple[use]]
    return out


def land_border_rows(index: ZoneIndex, pts, when, codes: np.ndarray) -> np.ndarray:
    """Per point, the land border row (-1 none) of its commune (``commune_codes``); a point
    in no commune keeps the lowest row holding it."""
    pidx, fidx = index.land_border.hits(pts, when)
    own = (codes[pidx] == "") | (index.land_border.ids[fidx] == codes[pidx])
    return lowest_per_point(len(pts), pidx[own], fidx[own])


def _belt_rows(index: ZoneIndex, pts, when, codes: np.ndarray) -> np.ndarray:
    """The belt feature per point (-1 none): only rows of the point's commune (or of no
    commune) count, so where communes overlap another commune's belt does not apply; an
    instrument's belt replaces the default strip for its commune; else the first segment
    holding the point."""
    out = np.full(len(pts), -1, dtype=np.int32)
    pidx, fidx = index.belt.hits(pts, when)
    if not len(pidx):
        return out
    overridden = overridden_communes(index, when[0])
    feats = index.belt.features
    for p, f in zip(pidx.tolist(), fidx.tolist(), strict=True):
        props = feats[f].props
        owner = props.get("commune_code")
        if owner and codes[p] and owner != codes[p]:
            continue
        if props["is_default"] and (owner in overridden or out[p] >= 0):
            continue
        out[p] = f
    return out


# -- the same rules for routes ---------------------------------------------------------------
def route_cuts(index: ZoneIndex) -> dict[str, dict[int, object]]:
    """Where a point inside a belt or land border row is not answered with that row, per
    row (``{"belt": {row: area}, "land_border": {row: area}}``, lon/lat): routes
    (``geo.location.routes``) cut these areas out of the rows they cross, so a route is in a
    row exactly where its points are. The areas come from the rules above:

    - a row belongs to one commune, and where a commune of lower code overlaps it the
      point is that commune's (``commune_codes``; ``_belt_rows``, ``land_border_rows``);
    - a belt row outside every commune holds land of Vietnam only beyond
      ``NEAR_BORDER_M`` of the line (``answer_columns``: near the line, the exact communes
      alone say Vietnam).

    The instrument's override (``overridden_communes``) depends on the instant and is
    applied per passage. Made once per index (``once_per_index``)."""
    return once_per_index(index, "route_cuts", _route_cuts_of)


def _route_cuts_of(index: ZoneIndex) -> dict[str, dict[int, object]]:
    """Most new data versions are a decision or a zone: the rows, communes and line are
    those of an earlier index, and so are its cuts (called under ``CACHE_LOCK``)."""
    key = _inputs_key(index)
    if key not in _CUTS_MADE:
        _CUTS_MADE[key] = _make_route_cuts(index)
        while len(_CUTS_MADE) > 4:
            _CUTS_MADE.pop(next(iter(_CUTS_MADE)))
    return _CUTS_MADE[key]


#: ``route_cuts`` made, by ``_inputs_key`` (the last few; guarded by ``CACHE_LOCK``)
_CUTS_MADE: dict[bytes, dict[str, dict[int, object]]] = {}


def _inputs_key(index: ZoneIndex) -> bytes:
    """A digest of what ``route_cuts`` reads: ids, validity, bounds and vertex counts of
    the belt, land border and exact commune rows, and of the border line's pieces."""
    digest = hashlib.blake2b(digest_size=20)
    for layer in (index.belt, index.land_border, index.communes_exact):
        digest.update("\0".join(map(str, layer.ids.tolist())).encode())
        for array in (layer.starts, layer.ends, shapely.bounds(layer.geoms),
                      shapely.get_num_coordinates(layer.geoms)):
            digest.update(np.ascontiguousarray(array).tobytes())
    digest.update("\0".join(str(f.props.get("commune_code")) for f in index.belt.features
                            ).encode())
    lines = index.border.lines
    digest.update(np.ascontiguousarray(shapely.bounds(lines)).tobytes())
    digest.update(np.ascontiguousarray(shapely.get_num_coordinates(lines)).tobytes())
    return digest.digest()


def _make_route_cuts(index: ZoneIndex) -> dict[str, dict[int, object]]:
    belt_owners = [f.props.get("commune_code") or "" for f in index.belt.features]
    belt = _owned_cuts(index, index.belt, belt_owners)
    for row, area in _near_line_cuts(index, belt_owners).items():
        belt[row] = shapely.union_all([belt[row], area]) if row in belt else area
    return {"belt": belt,
            "land_border": _owned_cuts(index, index.land_border,
                                       [f.id for f in index.land_border.features])}


def _owned_cuts(index: ZoneIndex, layer: Layer, owners: list[str]) -> dict[int, object]:
    """Per row of ``layer`` owned by a commune, the part of it inside exact communes of
    lower code valid at some time the row is (a point there is theirs)."""
    communes = index.communes_exact
    if not len(layer) or not len(communes):
        return {}
    # unprepared copies: the query prepares its input, and the shared geometries are
    # prepared for point tests only (``geo.location.index._prepare_for_threads``)
    rows = shapely.transform(layer.geoms, lambda xy: xy)
    r, c = communes.tree.query(rows, predicate="intersects")
    pairs = np.array([(i, j) for i, j in zip(r.tolist(), c.tolist(), strict=True)
                      if owners[i] and communes.ids[j] < owners[i]
                      and communes.starts[j] < layer.ends[i]
                      and layer.starts[i] < communes.ends[j]], dtype=np.int64).reshape(-1, 2)
    i, j = pairs[:, 0], pairs[:, 1]
    inner = shapely.relate_pattern(rows[i], communes.geoms[j], "T********")  # interiors meet
    i, j = i[inner], j[inner]
    cuts = {}
    for row in np.unique(i).tolist():
        area = _beyond_noise(shapely.intersection(
            rows[row], shapely.union_all(communes.geoms[j[i == row]])))
        if area is not None:
            cuts[row] = area
    return cuts


#: Overlaps thinner than this (degrees, ~1 m) are noise along shared commune edges, below
#: the data's precision: routes do not cut them (a route's passage would break there).
SLIVER_DEG = 1e-5


def _wide(parts: np.ndarray) -> np.ndarray:
    """True for the polygons among ``parts`` wider than ``SLIVER_DEG``."""
    out = shapely.get_type_id(parts) == 3
    out[out] = ~shapely.is_empty(shapely.buffer(parts[out], -SLIVER_DEG / 2))
    return out


def _beyond_noise(geom):
    """The polygons of ``geom`` wider than ``SLIVER_DEG`` (a MultiPolygon), or None."""
    parts = shapely.get_parts(geom)
    wide = parts[_wide(parts)]
    return as_multipolygon(shapely.union_all(wide)) if len(wide) else None


def _near_line_cuts(index: ZoneIndex, owners: list[str]) -> dict[int, object]:
    """Per belt row outside every commune, its part within ``NEAR_BORDER_M`` of the line."""
    lines, cuts = index.border.lines, {}
    if not len(lines):
        return cuts
    margin = 2 * NEAR_BORDER_M / 90_000  # degrees, generously
    for i, owner in enumerate(owners):
        if owner:
            continue
        row = index.belt.geoms[i]
        box = np.asarray(row.bounds) + np.array([-margin, -margin, margin, margin])
        clipped = shapely.clip_by_rect(lines[index.border.line_tree.query(shapely.box(*box))],
                                       *box)
        parts = shapely.get_parts(clipped)
        parts = parts[(shapely.get_type_id(parts) == 1) & ~shapely.is_empty(parts)]
        if not len(parts):
            continue
        strip = geodesic_buffer(lines_of(shapely.line_merge(shapely.union_all(parts))),
                                NEAR_BORDER_M)
        area = _beyond_noise(shapely.intersection(shapely.transform(row, lambda xy: xy),
                                                  strip))
        if area is not None:
            cuts[i] = area
    return cuts


def answer_columns(index: ZoneIndex, lon: np.ndarray, lat: np.ndarray, when: np.ndarray,
                   lk: Lookups, dist: np.ndarray | None = None, iso: np.ndarray | None = None,
                   *, cleared: bool = False, pts: np.ndarray | None = None
                   ) -> dict[str, np.ndarray]:
    """Exact answers for points (lon/lat degrees) at instants ``when`` of one epoch, as
    every answer derives them, given each point's distance to the line (metres) and its
    neighbour; without them, the distance is measured only where the answer depends on it
    (``border_distance_m`` is NaN elsewhere). Zones as ``cleared`` callers meet them.
    ``pts``: the points as shapely Points, when the caller has made them already."""
    pts = shapely.points(lon, lat) if pts is None else pts
    hit = {name: getattr(index, name).first_hit(pts, when) for name in (
        "communes_exact", "communes_simplified", "provinces", "territory", "neighbours")}
    exact, simple = hit["communes_exact"], hit["communes_simplified"]
    codes = commune_codes(index, exact, simple)  # the overlap rule of geo.location.check
    hit["land_border"] = land_border_rows(index, pts, when, codes)
    if dist is None or iso is None:  # needed by the 30 m rule, or by the country rule
        dist, iso = np.full(len(lon), np.nan), np.full(len(lon), "", dtype="U3")
        need = np.flatnonzero((exact < 0) & ((hit["territory"] >= 0) | (hit["neighbours"] < 0)))
        dist[need], iso[need] = nearest(index, lon[need], lat[need])
    in_vn = (exact >= 0) | ((hit["territory"] >= 0) & ~(dist <= NEAR_BORDER_M))
    cols = _units(lk, in_vn, exact, simple, hit["provinces"])
    by_line = dist <= COUNTRY_BY_LINE_M  # False for NaN (no line loaded)
    cols["country"] = np.where(in_vn, "VNM", np.where(
        hit["neighbours"] >= 0, lk.neighbour_id[hit["neighbours"]],
        np.where(by_line, iso, ""))).astype("U3")
    cols["in_vietnam"] = in_vn
    cols["in_land_border_area"] = in_vn & (hit["land_border"] >= 0)
    belt = np.where(in_vn, _belt_rows(index, pts, when, codes), -1).astype(np.int32)
    cols.update(in_border_belt=belt >= 0, belt_index=belt, belt_id=lk.belt_id[belt],
                belt_depth_m=lk.belt_depth_m[belt], border_distance_m=np.round(dist, 2),
                nearest_neighbour=np.asarray(iso, dtype="U3"), at=when)
    cols["zones"], cols["zone_count"] = _hits_by_point(len(pts), _zone_pairs(index, pts, when,
                                                                               cleared))
    cols["decisions"], cols["decision_count"] = _hits_by_point(
        len(pts), _decision_pairs(index, pts, when))
    cols["in_sea_border_area"] = index.sea.first_hit(pts, when) >= 0
    return cols


def mark_waters(index: ZoneIndex, pts, when, cols: dict[str, np.ndarray]) -> None:
    """``surface`` (land, internal waters, territorial sea: ``geo.location.surface``); a
    point in Vietnam's waters is in Vietnam (VNM), with the coastal province where it is
    determinable (``province_precision`` "nearest_coast"). Per point, after
    ``answer_columns`` (or a batch grid's answers): the nearest coastal province varies
    inside any one grid region at sea."""
    on_land = cols["in_vietnam"]
    kinds, provinces = surfaces(index, pts, when, on_land)
    cols["surface"] = np.asarray(kinds, dtype="U16")
    at_sea = ~on_land & (cols["surface"] != "")
    cols["province_precision"] = np.where(at_sea, "nearest_coast", "").astype("U16")
    if not at_sea.any():
        return
    codes = np.array([c or "" for c in provinces], dtype=object)
    cols["in_vietnam"] = on_land | at_sea
    cols["country"] = np.where(at_sea, "VNM", cols["country"]).astype("U3")
    for i in np.flatnonzero(at_sea).tolist():
        cols["province_code"][i] = codes[i]
        cols["province_name"][i] = index.province_names.get(codes[i]) if codes[i] else None


def _units(lk: Lookups, in_vn, exact, simple, province) -> dict[str, np.ndarray]:
    """Commune (exact geometry first) and province (the commune's, by its code and with
    today's name, else the province polygon's), for points in Vietnam."""
    any_row = np.where(exact >= 0, exact, np.where(simple >= 0, lk.n_exact + simple, -1))
    commune = np.where(in_vn, any_row, -1)
    by_code = in_vn & lk.commune_has_province[any_row]
    unit = np.where(by_code, any_row,
                    np.where(in_vn & (province >= 0), lk.n_communes + province, -1))
    return {"commune_code": lk.commune_code[commune],
            "commune_name": lk.commune_name[commune],
            "commune_precision": lk.commune_precision[commune],
            "province_code": lk.province_code[unit], "province_name": lk.province_name[unit]}


def nearest(index: ZoneIndex, lon: np.ndarray, lat: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray]:
    """Geodesic distance (m) to the border line and its neighbour (ISO3, "" if none)."""
    if not len(lon):
        return np.empty(0), np.empty(0, dtype="U3")
    if len(lon) == 1 and index.border.tree is not None:  # one point: no array round trip
        one, near = index.border.nearest_one(float(lon[0]), float(lat[0]))
        return np.array([one]), np.array([near or ""], dtype="U3")
    dist, iso = index.border.nearest(lon, lat)  # NaN where EPSG:3405 is undefined
    iso = np.asarray(iso)
    if iso.dtype == object:
        iso = np.where(iso == None, "", iso)  # noqa: E711 (elementwise)
    return np.asarray(dist, float), iso.astype("U3")
