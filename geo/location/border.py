"""Border line, land border communes and the border belt, from boundary geometry.

All inputs and outputs are shapely geometries in EPSG:4326 (lon, lat). Lengths and buffers
are computed in metres: the belt in a local transverse Mercator per stretch of border
(``geo.common.crs.local_metric``), which keeps its inner edge within centimetres of the true
geodesic depth; shared-boundary lengths in EPSG:3405.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import shapely
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from geo.common import crs
from geo.common.errors import InvalidInput

#: The default depth of the belt: 1,000 m from the land border line until the province's
#: instrument sets it (GEO-BELT-05). Not a hard bound: a Prime Minister's decision may set a
#: belt deeper than 1,000 m or narrower than 100 m (Circular 43/2015 Art 3(1)(b), GEO-BELT-06).
DEFAULT_BELT_DEPTH_M = 1000.0
BELT_DEPTH_MIN_M = 100.0  # the provincial range is 100-1,000 m (Law 66/2020 Art 2(4))
#: Input sanity bound, not law: no instrument caps a Prime Minister's depth, but the belt is
#: cut to its commune and a depth beyond 10 km is a unit slip (km for m), refused as input.
BELT_DEPTH_SANITY_MAX_M = 10_000.0
DEFAULT_BELT_INSTRUMENT = (
    "Default: depth 1,000 m from the land border line (Law 66/2020/QH14 Art 2(4); Decree "
    "34/2014/ND-CP Art 3(2)) pending the province's instrument (GEO-BELT-05)"
)
STRETCH_LENGTH_M = 40_000.0  # local projections stay within ~20 km of their meridian
QUAD_SEGS = 32  # arc sagitta at 1,000 m: 0.3 m
DENSIFY_M = 200.0  # before going back to lon/lat, so straight lon/lat edges stay true


@dataclass(frozen=True)
class SharedBoundary:
    """How much of one commune's boundary runs along the land border line."""

    code: str
    neighbours: tuple[str, ...]
    border_len_m: float


class BeltIssuer(StrEnum):
    """Who issued the instrument that sets a belt depth (GEO-BELT-02, GEO-BELT-06)."""

    PRIME_MINISTER = "prime_minister"  # Quyết định …/QĐ-TTg
    PROVINCIAL_PEOPLES_COUNCIL = "provincial_peoples_council"  # Nghị quyết …/NQ-HĐND
    PROVINCIAL_PEOPLES_COMMITTEE = "provincial_peoples_committee"  # Quyết định …/QĐ-UBND


PROVINCIAL_ISSUERS = (BeltIssuer.PROVINCIAL_PEOPLES_COUNCIL,
                      BeltIssuer.PROVINCIAL_PEOPLES_COMMITTEE)


def parse_belt_issuer(value: str | BeltIssuer) -> BeltIssuer:
    """The :class:`BeltIssuer` named by ``value``; InvalidInput(field="issuer") if none."""
    try:
        return BeltIssuer(str(value).strip().lower().replace("-", "_"))
    except ValueError:
        valid = ", ".join(i.value for i in BeltIssuer)
        raise InvalidInput(f"issuer: unknown value {value!r}; valid values are: {valid}",
                           field="issuer", detail={"valid": [i.value for i in BeltIssuer]}
                           ) from None


def check_depth(depth_m: float, instrument: str, issuer: str | BeltIssuer) -> BeltIssuer:
    """Whether ``issuer`` may set a belt of ``depth_m`` metres; returns the parsed issuer.

    100-1,000 m: the province (People's Council resolution, or People's Committee decision
    after the Council's approval) — Law 66/2020 Art 2(4); Circular 43/2015 Art 3(1)(a).
    Under 100 m or over 1,000 m: only a Prime Minister's decision (Circular 43/2015
    Art 3(1)(b); GEO-BELT-03, GEO-BELT-05/06), who may also decide within the range ("special
    cases", Law 66/2020 Art 2(4)). The issuer is data, never guessed from the instrument text.
    """
    if not instrument or not instrument.strip():
        raise InvalidInput("instrument: name the instrument that sets the depth",
                           field="instrument")
    who = parse_belt_issuer(issuer)
    if not 0 < depth_m <= BELT_DEPTH_SANITY_MAX_M:
        raise InvalidInput(f"depth_m: {depth_m} is outside 0-{BELT_DEPTH_SANITY_MAX_M:,.0f} m "
                           "(a unit slip? depths are in metres)", field="depth_m")
    ordinary = BELT_DEPTH_MIN_M <= depth_m <= DEFAULT_BELT_DEPTH_M
    if who in PROVINCIAL_ISSUERS and not ordinary:
        raise InvalidInput(
            f"depth_m: {depth_m:,.0f} m is outside 100-1,000 m, which a province may set; "
            "a belt narrower than 100 m or deeper than 1,000 m needs a Prime Minister's "
            "decision (Circular 43/2015/TT-BQP Art 3(1)(b); RULES.md GEO-BELT-05, GEO-BELT-06)",
            field="depth_m", detail={"issuer": who.value, "rules_ref": "GEO-BELT-06"})
    return who


def lines_of(geom: BaseGeometry) -> list[LineString]:
    if isinstance(geom, LineString):
        return [geom]
    if isinstance(geom, MultiLineString):
        return list(geom.geoms)
    raise TypeError(f"expected a (Multi)LineString, got {geom.geom_type}")


def split_line(line: LineString, max_vertices: int = 200) -> list[LineString]:
    """Cut a long line into pieces of at most ``max_vertices`` that share end vertices."""
    coords = np.asarray(line.coords)
    step = max_vertices - 1
    return [LineString(coords[i:i + max_vertices])
            for i in range(0, len(coords) - 1, step)]


def _stretches(line: LineString, length_m: float) -> Iterator[np.ndarray]:
    """Consecutive coordinate runs of about ``length_m`` metres (sharing end vertices)."""
    coords = np.asarray(line.coords)
    _, _, seg = crs.GEOD.inv(coords[:-1, 0], coords[:-1, 1], coords[1:, 0], coords[1:, 1])
    cumulative = np.concatenate([[0.0], np.cumsum(seg)])
    cuts = np.searchsorted(cumulative, np.arange(length_m, cumulative[-1], length_m))
    bounds = [0, *[int(c) for c in cuts if 0 < c < len(coords) - 1], len(coords) - 1]
    for start, end in zip(bounds[:-1], bounds[1:], strict=True):
        if end > start:
            yield coords[start:end + 1]


def geodesic_buffer(lines: Iterable[LineString], distance_m: float, *,
                    stretch_m: float = STRETCH_LENGTH_M, quad_segs: int = QUAD_SEGS,
                    densify_m: float = DENSIFY_M) -> BaseGeometry:
    """Both-sided buffer of ``distance_m`` metres around lines, built per stretch in a local
    transverse Mercator and returned in lon/lat. The defaults hold the edge to decimetres
    (the belt); coarser values suit kilometre-scale buffers (the territorial sea)."""
    pieces = []
    for line in lines:
        for run in _stretches(line, stretch_m):
            lon0, lat0 = float(run[:, 0].mean()), float(run[:, 1].mean())
            forward, inverse = crs.local_metric(round(lon0, 3), round(lat0, 3))
            x, y = forward.transform(run[:, 0], run[:, 1])
            local = shapely.buffer(LineString(np.column_stack([x, y])), distance_m,
                                   quad_segs=quad_segs)
            local = shapely.segmentize(local, densify_m)
            pieces.append(shapely.transform(local, lambda xy, inv=inverse: np.column_stack(
                inv.transform(xy[:, 0], xy[:, 1]))))
    return shapely.union_all(pieces)


def metric_buffer(geom: BaseGeometry, distance_m: float) -> BaseGeometry:
    """Approximate buffer in EPSG:3405 (for tolerances and clipping, not for legal depths)."""
    def to_m(xy):
        return np.column_stack(crs.to_metric(xy[:, 0], xy[:, 1]))

    def to_deg(xy):
        return np.column_stack(crs.from_metric(xy[:, 0], xy[:, 1]))

    return shapely.transform(shapely.transform(geom, to_m).buffer(distance_m), to_deg)


def territory_near_border(border_communes: Iterable[BaseGeometry], land: BaseGeometry,
                          border: BaseGeometry) -> BaseGeometry:
    """Vietnam's territory for clipping the belt: exact border communes (whose edges are the
    border line) plus the land polygon away from the line (its 2 m simplification never
    reaches across the border)."""
    exact = shapely.union_all(list(border_communes))
    inland = shapely.difference(land, metric_buffer(border, 30.0))
    return shapely.union_all([exact, inland])


def belt(border: BaseGeometry, territory: BaseGeometry,
         depth_m: float = DEFAULT_BELT_DEPTH_M) -> BaseGeometry:
    """The border belt: land of Vietnam within ``depth_m`` (geodesic metres) of the line."""
    strip = geodesic_buffer(lines_of(border), depth_m)
    clip = shapely.clip_by_rect(territory, *strip.bounds)
    return shapely.intersection(strip, clip)


def as_multipolygon(geom: BaseGeometry) -> MultiPolygon | None:
    """Polygonal part of a geometry as a MultiPolygon (None when nothing polygonal is left)."""
    if geom is None or geom.is_empty:
        return None
    if isinstance(geom, Polygon):
        return MultiPolygon([geom])
    if isinstance(geom, MultiPolygon):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if isinstance(g, Polygon | MultiPolygon)]
    polys = [p for g in parts for p in (g.geoms if isinstance(g, MultiPolygon) else [g])]
    return MultiPolygon(polys) if polys else None


def shared_boundaries(communes: dict[str, BaseGeometry], borders: dict[str, BaseGeometry],
                      tolerance_m: float, min_shared_m: float = 50.0) -> list[SharedBoundary]:
    """Communes whose boundary runs along a land border line for at least ``min_shared_m``.

    ``tolerance_m`` fits the data's precision (2 m for boundaries cut from the same commune
    data, kilometres for Natural Earth). Lengths are measured in EPSG:3405.
    """
    zones = {iso: metric_buffer(line, tolerance_m) for iso, line in borders.items()}
    found = []
    for code, geom in communes.items():
        lengths = {}
        ring = geom.boundary
        for iso, near in zones.items():
            if not ring.intersects(near):
                continue
            shared = ring.intersection(near)
            xy = shapely.get_coordinates(shared)
            if len(xy) < 2:
                continue
            lengths[iso] = _metric_length(shared)
        kept = {iso: m for iso, m in lengths.items() if m >= min_shared_m}
        if kept:
            found.append(SharedBoundary(code, tuple(sorted(kept)), round(sum(kept.values()), 1)))
    return found


def _metric_length(geom: BaseGeometry) -> float:
    metric = shapely.transform(geom, lambda xy: np.column_stack(
        crs.to_metric(xy[:, 0], xy[:, 1])))
    return float(metric.length)
