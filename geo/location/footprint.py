"""Public footprints of sensitive zones: what a caller without clearance may know of them.

A prohibited or restricted zone marked ``restricted`` or ``secret`` is never shown exactly
to uncleared callers. They are answered against its *footprint* instead: every square cell
of a fixed grid in EPSG:3405 (VN-2000 / UTM 48N, metres; cell edges at whole multiples of
``cell_m`` from the CRS origin) that touches the zone grown by ``margin_m``, merged into one
lon/lat (EPSG:4326) multipolygon. The footprint contains the zone, its edges are cell edges
that say nothing of where the zone lies inside a cell, and it is the most any sampling of
the answers can rebuild: it is meant to be public (the model: FAA UAS facility maps).

Times follow the same rule: a sensitive zone's validity reaches uncleared callers only to
the Hanoi day, widened outward (start of its first day, start of the day after its end).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, time, timedelta

import numpy as np
import shapely
from shapely.geometry import MultiPolygon

from geo.common import crs
from geo.common.errors import DataError, InvalidInput
from geo.common.timeutil import HANOI
from geo.common.zones import Sensitivity

#: Sensitivities whose zones uncleared callers meet only as footprints.
SENSITIVE = frozenset({Sensitivity.RESTRICTED.value, Sensitivity.SECRET.value})
GENERALISED = "generalised"
EXACT = "exact"
#: Cell edges are densified to this fraction of a cell before leaving EPSG:3405, so that
#: the lon/lat footprint follows the metric cells to well under a millimetre.
_DENSIFY = 8


@dataclass(frozen=True)
class FootprintSpec:
    """How coarse footprints are: square cells of ``cell_m`` metres (EPSG:3405) touching
    the zone grown by ``margin_m`` metres. Bigger cells hide more and say less."""

    cell_m: float = 1_000.0
    margin_m: float = 500.0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.cell_m) and 100.0 <= self.cell_m <= 50_000.0):
            raise InvalidInput(f"footprint cell_m: {self.cell_m} is outside 100..50000 m",
                               field="footprint_cell_m")
        if not (math.isfinite(self.margin_m) and 10.0 <= self.margin_m <= 50_000.0):
            raise InvalidInput(f"footprint margin_m: {self.margin_m} is outside 10..50000 m "
                               "(a margin keeps the zone inside its cells after the "
                               "transform back to lon/lat)", field="footprint_margin_m")

    @property
    def note(self) -> str:
        return (f"extent generalised: the {self.cell_m:g} m grid cells touching the zone "
                f"grown by {self.margin_m:g} m; the zone lies somewhere inside")


DEFAULT_SPEC = FootprintSpec()


def is_sensitive(sensitivity: str | None) -> bool:
    """True for zones uncleared callers meet only as footprints (restricted, secret)."""
    return str(sensitivity or Sensitivity.PUBLIC.value) in SENSITIVE


def _to_metric(xy: np.ndarray) -> np.ndarray:
    return np.column_stack(crs.to_metric(xy[:, 0], xy[:, 1]))


def _to_lonlat(xy: np.ndarray) -> np.ndarray:
    return np.column_stack(crs.from_metric(xy[:, 0], xy[:, 1]))


def cells(geom, spec: FootprintSpec = DEFAULT_SPEC) -> np.ndarray:
    """The grid cells (EPSG:3405 boxes, metres) touching ``geom`` (lon/lat) grown by the
    margin: an array of shapely boxes, each ``cell_m`` on a side."""
    if geom is None or geom.is_empty:
        raise InvalidInput("geometry: a zone needs a non-empty polygon", field="geometry")
    grown = shapely.transform(geom, _to_metric).buffer(spec.margin_m)
    if grown.is_empty or not np.all(np.isfinite(grown.bounds)):
        raise InvalidInput("geometry: outside the area EPSG:3405 covers", field="geometry")
    size = spec.cell_m
    west, south, east, north = (np.array(grown.bounds) / size)
    cols = np.arange(math.floor(west), math.floor(east) + 1)
    rows = np.arange(math.floor(south), math.floor(north) + 1)
    if len(cols) * len(rows) > 4_000_000:
        raise InvalidInput(f"geometry: too large for {size:g} m footprint cells",
                           field="geometry")
    x, y = (a.ravel() * size for a in np.meshgrid(cols, rows))
    boxes = shapely.box(x, y, x + size, y + size)
    shapely.prepare(grown)
    return boxes[shapely.intersects(grown, boxes)]


def footprint(geom, spec: FootprintSpec = DEFAULT_SPEC) -> MultiPolygon:
    """The public footprint of a zone (lon/lat in, lon/lat MultiPolygon out, EPSG:4326):
    the union of ``cells``. Raises ``DataError`` should it fail to contain the zone."""
    merged = shapely.coverage_union_all(cells(geom, spec))
    merged = shapely.segmentize(merged, spec.cell_m / _DENSIFY)
    out = shapely.make_valid(shapely.transform(merged, _to_lonlat))
    polygons = [p for p in shapely.get_parts(out) if p.geom_type == "Polygon"]
    result = MultiPolygon(polygons)
    if not result.covers(geom):
        raise DataError("footprint: the generalised cover does not contain the zone")
    return result


def covers(footprint_geom, geom) -> bool:
    """Whether a stored footprint still contains its zone (False for none)."""
    return footprint_geom is not None and not footprint_geom.is_empty and \
        bool(footprint_geom.covers(geom))


# -- times ----------------------------------------------------------------------------------
def day_floor(moment: datetime | None) -> datetime | None:
    """00:00 Hanoi time of the day ``moment`` falls in (None stays None)."""
    if moment is None:
        return None
    local = moment.astimezone(HANOI)
    return datetime.combine(local.date(), time(0), tzinfo=HANOI)


def day_ceil(moment: datetime | None) -> datetime | None:
    """``moment`` when it is 00:00 Hanoi time, else 00:00 of the next Hanoi day."""
    start = day_floor(moment)
    if start is None or start == moment:
        return start
    return datetime.combine(start.date() + timedelta(days=1), time(0), tzinfo=HANOI)
