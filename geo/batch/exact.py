"""Exact batch answers, vectorised: the layer queries ``geo.location.check.check_points`` makes,
as columns of arrays (``COLUMNS``) instead of one answer object per point.

Used by ``geo.batch.check`` for the representative point of every grid region and for points in
touched cells. WGS 84 lon/lat degrees in; distances in geodesic metres.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from geo.common import crs
from geo.common.zones import ZoneKind
from geo.location.check import NEAR_BORDER_M, _belt_hits, commune_codes, land_border_rows
from geo.location.index import Layer, ZoneIndex

#: Outside Vietnam and its neighbours' polygons, ``check_points`` names the neighbour of the
#: nearest border segment within this distance (``geo.location.check._country``).
COUNTRY_BY_LINE_M = 3_000.0
#: Every polygon layer of a ``ZoneIndex`` (their validity makes the grid epochs).
POLYGON_LAYERS = ("territory", "neighbours", "provinces", "communes_exact",
                  "communes_simplified", "land_border", "belt", "zones", "checkpoint_areas",
                  "decisions", "sea")

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
}


def polygon_layers(index: ZoneIndex, *, cleared: bool) -> list[Layer]:
    """The index's polygon layers as a caller meets them (uncleared: sensitive zones as
    footprints; an index from before a layer existed lacks it)."""
    return [index.zone_layer(cleared) if n == "zones" else getattr(index, n)
            for n in POLYGON_LAYERS if hasattr(index, n)]


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
    a feature index of -1 reads as none."""

    exact_code: np.ndarray
    exact_name: np.ndarray
    exact_province: np.ndarray
    simple_code: np.ndarray
    simple_name: np.ndarray
    simple_province: np.ndarray
    province_code: np.ndarray
    province_name: np.ndarray
    neighbour_id: np.ndarray
    belt_id: np.ndarray
    belt_depth_m: np.ndarray
    belt_row: dict[str, int]
    province_names: dict[str, str]
    line: np.ndarray  # the border line's segments, (n, 4) lon0, lat0, lon1, lat1
    boundaries: np.ndarray  # every validity boundary, int64 microseconds, sorted

    @classmethod
    def of(cls, index: ZoneIndex) -> Lookups:
        b = index.border
        a_lon, a_lat = crs.from_metric(b.a[:, 0], b.a[:, 1])
        b_lon, b_lat = crs.from_metric(b.b[:, 0], b.b[:, 1])
        layers = [*polygon_layers(index, cleared=True), index.zones_public]
        stamps = np.concatenate([np.concatenate([layer.starts, layer.ends])
                                 for layer in layers])
        exact, simple, provinces = index.communes_exact, index.communes_simplified, \
            index.provinces
        return cls(
            exact_code=_attr(exact, _code, "U8"), exact_name=_attr(exact, _name, object),
            exact_province=_attr(exact, _province, "U8"),
            simple_code=_attr(simple, _code, "U8"), simple_name=_attr(simple, _name, object),
            simple_province=_attr(simple, _province, "U8"),
            province_code=_attr(provinces, _code, "U8"),
            province_name=_attr(provinces, _name, object),
            neighbour_id=_attr(index.neighbours, _code, "U3"),
            belt_id=_attr(index.belt, _code, "U24"),
            belt_depth_m=_attr(index.belt, lambda f: f.props["depth_m"], np.float64),
            belt_row={f.id: i for i, f in enumerate(index.belt.features)},
            province_names=dict(index.province_names),
            line=np.column_stack([a_lon, a_lat, b_lon, b_lat]).reshape(-1, 4),
            boundaries=np.unique(stamps.astype("datetime64[us]").view(np.int64)))


def _attr(layer: Layer, get, dtype) -> np.ndarray:
    """``get(feature)`` per feature, then the dtype's "none" (index -1 reads as none)."""
    empty = {object: None, np.float64: np.nan}.get(dtype, "")
    return np.array([*(get(f) for f in layer.features), empty], dtype=dtype)


def _code(f) -> str:
    return f.id


def _name(f) -> str:
    return f.name


def _province(f) -> str:
    return f.props.get("province_code") or ""


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
    """(point, (kind, Feature)) in ``check_points`` order: zones, then checkpoint areas."""
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


def _belt_rows(index: ZoneIndex, lk: Lookups, pts, when, codes) -> np.ndarray:
    """The belt feature per point (-1 none), by ``geo.location.check``'s own override rule."""
    out = np.full(len(pts), -1, dtype=np.int32)
    for p, hit in _belt_hits(index, pts, when, codes).items():
        out[p] = lk.belt_row[hit["id"]]
    return out


def exact_columns(index: ZoneIndex, lon: np.ndarray, lat: np.ndarray, when: np.ndarray,
                  lk: Lookups, dist: np.ndarray | None = None, iso: np.ndarray | None = None,
                  *, cleared: bool = False) -> dict[str, np.ndarray]:
    """Exact answers for points (lon/lat degrees) at instants ``when`` of one epoch, as
    ``check_points`` derives them, given each point's distance to the line (metres) and its
    neighbour; without them, the distance is measured only where the answer depends on it
    (``border_distance_m`` is NaN elsewhere). Zones as ``cleared`` callers meet them."""
    pts = shapely.points(lon, lat)
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
    belt = np.where(in_vn, _belt_rows(index, lk, pts, when, codes), -1).astype(np.int32)
    cols.update(in_border_belt=belt >= 0, belt_index=belt, belt_id=lk.belt_id[belt],
                belt_depth_m=lk.belt_depth_m[belt], border_distance_m=np.round(dist, 2),
                nearest_neighbour=np.asarray(iso, dtype="U3"), at=when)
    cols["zones"], cols["zone_count"] = _hits_by_point(len(pts), _zone_pairs(index, pts, when,
                                                                               cleared))
    cols["decisions"], cols["decision_count"] = _hits_by_point(
        len(pts), _decision_pairs(index, pts, when))
    sea = getattr(index, "sea", None)
    cols["in_sea_border_area"] = (sea.first_hit(pts, when) >= 0) if sea is not None else \
        np.zeros(len(pts), dtype=bool)
    return cols


def _units(lk: Lookups, in_vn, exact, simple, province) -> dict[str, np.ndarray]:
    """Commune (exact geometry first) and province (the commune's, else the polygon's)."""
    use_exact = in_vn & (exact >= 0)
    use_simple = in_vn & ~use_exact & (simple >= 0)
    e, s = np.where(use_exact, exact, -1), np.where(use_simple, simple, -1)
    from_commune = np.where(exact >= 0, lk.exact_province[exact],
                            np.where(simple >= 0, lk.simple_province[simple], ""))
    by_code = in_vn & (from_commune != "")
    by_polygon = in_vn & ~by_code
    p = np.where(by_polygon, province, -1)
    names = _province_names(lk, from_commune, by_code)
    return {
        "commune_code": np.where(use_exact, lk.exact_code[e], lk.simple_code[s]),
        "commune_name": np.where(use_exact, lk.exact_name[e], lk.simple_name[s]),
        "commune_precision": np.where(use_exact, "exact", np.where(use_simple, "simplified",
                                                                   "")).astype("U10"),
        "province_code": np.where(by_code, from_commune, lk.province_code[p]).astype("U8"),
        "province_name": np.where(by_code, names, lk.province_name[p]),
    }


def _province_names(lk: Lookups, codes: np.ndarray, use: np.ndarray) -> np.ndarray:
    """The current province's name per code (``ZoneIndex.province_names``; None unknown)."""
    out = np.empty(len(codes), dtype=object)
    if use.any():
        uniq, inverse = np.unique(codes[use], return_inverse=True)
        names = np.empty(len(uniq), dtype=object)
        names[:] = [lk.province_names.get(c) for c in uniq.tolist()]
        out[use] = names[inverse]
    return out


def nearest(index: ZoneIndex, lon: np.ndarray, lat: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray]:
    """Geodesic distance (m) to the border line and its neighbour (ISO3, "" if none)."""
    if not len(lon):
        return np.empty(0), np.empty(0, dtype="U3")
    try:
        dist, iso = index.border.nearest(lon, lat)
    except ValueError:  # points where EPSG:3405 fails (~80 deg of longitude away): NaN
        x, y = crs.to_metric(lon, lat)
        ok = np.flatnonzero(np.isfinite(x) & np.isfinite(y))
        dist, iso = np.full(len(lon), np.nan), np.full(len(lon), "", dtype="U3")
        if len(ok):
            dist[ok], iso[ok] = nearest(index, lon[ok], lat[ok])
        return dist, iso
    iso = np.asarray(iso)
    if iso.dtype == object:
        iso = np.where(iso == None, "", iso)  # noqa: E711 (elementwise)
    return np.asarray(dist, float), iso.astype("U3")
