"""The thresholds of survey validation, as data (``thresholds.yaml`` beside this file).

Every number carries its unit in its name (metres, degrees, hectares, a share 0..1). A
``Thresholds`` is frozen and validates itself; ``load`` reads the packaged file and
``with_changes`` makes a variant (a test, a deployment's setting).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache
from pathlib import Path

import yaml

from geo.common.errors import InvalidInput

FILE = Path(__file__).with_name("thresholds.yaml")


@dataclass(frozen=True)
class Thresholds:
    """Where each validation check turns from ok to warning (or error)."""

    spike_angle_deg: float = 12.0
    sliver_width_m: float = 5.0
    sliver_min_area_m2: float = 50.0
    border_tolerance_m: float = 1.0
    touch_tolerance_m: float = 30.0
    outside_vietnam_max_m2: float = 1000.0
    land_tolerance_m: float = 5.0
    gate_distance_m: float = 500.0
    commune_outside_share: float = 0.01
    accuracy_max_m: float = 5.0
    closing_edge_max_m: float = 100.0
    area_ha: dict[str, tuple[float, float]] = field(default_factory=dict)
    reference_areas_ha: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, float) and not (math.isfinite(value) and value >= 0):
                raise InvalidInput(f"threshold {f.name}: a finite, non-negative number",
                                   field=f.name)
        for kind, pair in self.area_ha.items():
            low, high = pair
            if not 0 <= low < high:
                raise InvalidInput(f"threshold area_ha.{kind}: [low, high] with low < high",
                                   field="area_ha")

    def with_changes(self, **changes) -> Thresholds:
        return replace(self, **changes)


def parse(data: dict) -> Thresholds:
    known = {f.name for f in fields(Thresholds)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise InvalidInput(f"unknown thresholds {unknown}", field="thresholds")
    values = dict(data)
    values["area_ha"] = {k: (float(v[0]), float(v[1]))
                         for k, v in (data.get("area_ha") or {}).items()}
    values["reference_areas_ha"] = {k: float(v) for k, v in
                                    (data.get("reference_areas_ha") or {}).items()}
    for name in known - {"area_ha", "reference_areas_ha"}:
        if name in values:
            values[name] = float(values[name])
    return Thresholds(**values)


@lru_cache(maxsize=1)
def load() -> Thresholds:
    """The packaged thresholds."""
    return parse(yaml.safe_load(FILE.read_text(encoding="utf-8")))
