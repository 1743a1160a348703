"""Answers for apps: zones entered, decisions in force, obligations with citations, and
``valid_until`` (the next instant at which any zone, decision or rule in the answer
changes), for points and for routes. Geometry in lon/lat (EPSG:4326), lengths in metres.
"""

from __future__ import annotations

from datetime import datetime, time

import numpy as np
import shapely

from geo.common.timeutil import HANOI, stamp, to_hanoi
from geo.common.zones import PersonCategory, Sensitivity, ZoneKind
from geo.location.check import PointAnswer, check_points
from geo.location.crossings import crossing_dict, crossings
from geo.location.decision_features import decision_hit
from geo.location.footprint import EXACT
from geo.location.index import FAR_FUTURE, ZoneIndex, as_utc64
from geo.location.inputs import Parsed
from geo.location.routes import (
    DECISION_LAYERS,
    Passage,
    Track,
    make_track,
    passages,
    route_layers,
)
from geo.rules import Catalogue, load_catalogue, local_date

LAND_BORDER_BASIS = ("Decree 34/2014/ND-CP Art 3(1) as amended by Decree 299/2025/ND-CP "
                     "(commune list derived from boundary geometry)")
SEA_BASIS = ("Decree 71/2015/ND-CP Art 3(1); Law 06/2003 Art 9 (12 nautical miles); "
             "Circular 112/2025/TT-BQP Art 3(2)(b)")


def point_kinds(answer: PointAnswer) -> list[str]:
    """Zone kinds a point is in (what the rule catalogue is asked about)."""
    kinds = []
    if answer.in_land_border_area:
        kinds.append(ZoneKind.LAND_BORDER_AREA.value)
    if answer.in_border_belt:
        kinds.append(ZoneKind.BORDER_BELT.value)
    if answer.in_sea_border_area:
        kinds.append(ZoneKind.SEA_BORDER_AREA.value)
    kinds.extend(z["kind"] for z in answer.zones)
    return list(dict.fromkeys(kinds))


def obligations(kinds: list[str], person: PersonCategory, on: datetime,
                catalogue: Catalogue | None = None) -> list[dict]:
    """The catalogue's rules in force ``on`` for ``person`` in any of ``kinds``, each once,
    with the zone kinds it was matched for, in reader order (duties first, prohibitions
    after: ``Catalogue.reader_order``)."""
    catalogue = catalogue or load_catalogue()
    found: dict[str, dict] = {}
    for kind in kinds:
        for rule in catalogue.rules_for(kind, person, on):
            entry = found.setdefault(rule.id, {**rule.to_dict(), "matched_zone_kinds": []})
            entry["matched_zone_kinds"].append(kind)
    return [found[rule.id] for rule in catalogue.reader_order(map(catalogue.get, found))]


def _rules_change(kinds: list[str], person: PersonCategory, at: datetime,
                  catalogue: Catalogue) -> np.datetime64:
    day = local_date(at)
    dates = [d for rule in catalogue.rules for d in (rule.effective_from, rule.effective_to)
             if d is not None and d > day and any(rule.applies_to(k, person) for k in kinds)]
    if not dates:
        return FAR_FUTURE
    return as_utc64(datetime.combine(min(dates), time(0), tzinfo=HANOI), FAR_FUTURE)


def valid_until(index: ZoneIndex, geoms: np.ndarray, at: datetime, kinds: list[str],
                person: PersonCategory, catalogue: Catalogue | None = None, *,
                cleared: bool = False) -> str | None:
    """ISO instant of the next change of any zone, decision or rule touching ``geoms``.
    For uncleared callers sensitive zones count as their footprints, whose validity runs
    over whole Hanoi days: their changes show only as the start of a Hanoi day."""
    catalogue = catalogue or load_catalogue()
    after = as_utc64(at, None)
    moments = [layer.next_change(geoms, after)
               for layer in index.layers(cleared=cleared, bounds_validity=True)]
    moments.append(_rules_change(kinds, person, at, catalogue))
    first = min(moments)
    if first >= FAR_FUTURE:
        return None
    micros = int(first.astype("datetime64[us]").astype("int64"))
    return datetime.fromtimestamp(micros / 1e6, tz=HANOI).isoformat()


def answer(index: ZoneIndex, parsed: Parsed, at: datetime, person: PersonCategory, *,
           cleared: bool) -> dict:
    """The answer to a parsed request (``geo.location.inputs``): its points, or its route,
    at ``at`` for ``person``, as a caller of ``cleared`` clearance may see it."""
    if parsed.kind == "points":
        return answer_points(index, parsed.lon, parsed.lat, at, person, cleared=cleared)
    track = make_track([p.tolist() for p in parsed.parts], parsed.times,
                       max_vertices=10 ** 9)  # bounded by the caller (geo.common.limits)
    return answer_route(index, track, at, person, cleared=cleared)


def answer_points(index: ZoneIndex, lon, lat, at: datetime, person: PersonCategory, *,
                  cleared: bool) -> dict:
    answers = check_points(index, lon, lat, at, cleared=cleared)
    catalogue = load_catalogue()
    points, all_kinds = [], []
    for a in answers:
        kinds = point_kinds(a)
        all_kinds.extend(kinds)
        points.append({**a.as_dict(), "zone_kinds": kinds,
                       "obligations": obligations(kinds, person, at, catalogue)})
    geoms = shapely.points(np.asarray(lon, float), np.asarray(lat, float))
    return {"type": "points", "at": stamp(at), "person": person.value, "points": points,
            "valid_until": valid_until(index, geoms, at, list(dict.fromkeys(all_kinds)),
                                       person, catalogue, cleared=cleared)}


def _legal_basis(p: Passage) -> str | None:
    if p.kind == ZoneKind.LAND_BORDER_AREA.value:
        return LAND_BORDER_BASIS
    if p.kind == ZoneKind.BORDER_BELT.value:
        return p.feature.props.get("instrument")
    if p.kind == ZoneKind.SEA_BORDER_AREA.value:
        return SEA_BASIS
    return p.feature.props.get("legal_basis")


def _end(point, moment: datetime | None, along_m: float, inside: bool = False) -> dict | None:
    """A passage's entry or exit; None where the route starts or ends inside the zone
    (``starts_inside`` / ``ends_inside``): there it crosses no edge."""
    if inside:
        return None
    return {"lon": float(point[0]), "lat": float(point[1]), "along_m": round(along_m, 2),
            "time": to_hanoi(moment).isoformat() if moment else None}


def _passage_dict(p: Passage, cleared: bool) -> dict:
    """One stretch inside a zone, the same keys for every caller. For uncleared callers a
    sensitive zone is its footprint (``route_layers``): entry, exit, times and length are
    those of the footprint crossing, and its name and id stay empty."""
    sensitivity = p.feature.props.get("sensitivity", Sensitivity.PUBLIC)
    out = {"kind": p.kind, "legal_basis": _legal_basis(p), "sensitivity": sensitivity,
           "id": p.feature.id, "name": p.feature.name,
           "extent": p.feature.props.get("extent", EXACT),
           "extent_note": p.feature.props.get("extent_note")}
    if not cleared and sensitivity != Sensitivity.PUBLIC:
        out.update(id=None, name=f"restricted — {p.kind.replace('_', ' ')}")
    out.update(entry=_end(p.entry, p.entry_time, p.entry_along_m, p.starts_inside),
               exit=_end(p.exit, p.exit_time, p.exit_along_m, p.ends_inside),
               length_m=round(p.length_m, 2), starts_inside=p.starts_inside,
               ends_inside=p.ends_inside,
               # where the track (or one of its parts) starts or stops inside: the first
               # and last positions known there, with their times
               first_inside=_end(p.entry, p.entry_time, p.entry_along_m)
               if p.starts_inside else None,
               last_inside=_end(p.exit, p.exit_time, p.exit_along_m)
               if p.ends_inside else None)
    if p.kind == ZoneKind.BORDER_BELT.value:
        out["depth_m"] = p.feature.props.get("depth_m")
    return out


def _decisions_during(p: Passage, decided: list[Passage]) -> list[dict]:
    return [decision_hit(d.feature) for d in decided
            if d.entry_along_m < p.exit_along_m and p.entry_along_m < d.exit_along_m]


class _ObligationIds(dict):
    """Ids of the rules for ``person`` in a zone kind on a Hanoi day, each (kind, day)
    looked up once: a long route enters the same kinds of zone thousands of times."""

    def __init__(self, catalogue: Catalogue, person: PersonCategory):
        super().__init__()
        self.catalogue, self.person = catalogue, person

    def __call__(self, kind: str, moment: datetime) -> list[str]:
        key = (kind, local_date(moment))
        if key not in self:
            rules = self.catalogue.rules_for(kind, self.person, moment)
            self[key] = list(dict.fromkeys(rule.id for rule in rules))
        return list(self[key])


def answer_route(index: ZoneIndex, track: Track, at: datetime, person: PersonCategory, *,
                 cleared: bool) -> dict:
    """Zones the route enters (entry/exit, times, length inside), the decisions in force
    there when entered, and the obligations for ``person``, each with its citations."""
    start = track.times[0][0] if track.times else at
    found = passages(index, track, start, layers=route_layers(cleared))
    decided = passages(index, track, start, layers=DECISION_LAYERS)
    catalogue = load_catalogue()
    kinds = list(dict.fromkeys(p.kind for p in found))
    ids = _ObligationIds(catalogue, person)
    zones = []
    for p in found:
        entry = _passage_dict(p, cleared)
        entry["decisions"] = _decisions_during(p, decided)
        entry["obligation_ids"] = ids(p.kind, p.entry_time or start)
        zones.append(entry)
    ends = check_points(index, [track.parts[0][0, 0], track.parts[-1][-1, 0]],
                        [track.parts[0][0, 1], track.parts[-1][-1, 1]], start, cleared=cleared)
    return {"type": "route", "at": to_hanoi(start).isoformat(), "person": person.value,
            "length_m": round(track.length_m, 2), "zones": zones,
            "decisions": [decision_hit(d.feature) | {
                "entry": _end(d.entry, d.entry_time, d.entry_along_m)} for d in decided],
            "obligations": obligations(kinds, person, start, catalogue),
            "border_crossings": [crossing_dict(c) for c in crossings(index, track, start)],
            "start": ends[0].as_dict(), "end": ends[1].as_dict(),
            "valid_until": valid_until(index, np.array([track.geometry]), start, kinds,
                                       person, catalogue, cleared=cleared)}
