"""Decisions in the location index: one feature per decision, valid over its effective window.

``decision_feature`` turns a recorded decision into a ``geo.location.index.Feature`` (geometry: the
resolved area, EPSG:4326 lon/lat; validity: the effective window after extensions and
revocation, start inclusive, end exclusive); ``decision_hit`` is what a location check lists.
"""

from __future__ import annotations

from shapely.geometry import shape

from geo.decisions.codec import instant, issuer_to_dict
from geo.decisions.history import DecisionFile
from geo.location.index import Feature


def decision_feature(file: DecisionFile) -> Feature:
    dec = file.decision
    start, end = file.window
    return Feature(
        id=dec.number, name=f"{dec.kind.value} {dec.scope.value} {dec.number}",
        geom=shape(file.area.geojson),
        props={"kind": dec.kind.value, "scope": dec.scope.value,
               "activities": [a.value for a in dec.activities],
               "issuer": issuer_to_dict(dec.issuer), "province_code": dec.province_code,
               "gate_id": dec.gate_id},
        valid_from=start, valid_to=end)


def decision_hit(feature: Feature) -> dict:
    """The entry of ``PointAnswer.decisions`` for a decision whose area holds the point."""
    props = feature.props
    return {"number": feature.id, "kind": props["kind"], "scope": props["scope"],
            "activities": list(props["activities"]),
            "valid_from": instant(feature.valid_from), "valid_to": instant(feature.valid_to),
            "issuer": dict(props["issuer"])}
