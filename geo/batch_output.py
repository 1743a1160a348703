"""Writing batch answers chunk by chunk: NDJSON (one object per point, the shape of a
``GET /v1/check/point`` answer plus the point's ``id``) or CSV (one row per point).

Zones are written as the caller may see them: ``cleared`` callers get the names and ids of
sensitive zones, others only their kind and legal basis (``geo.check._zone_entry``).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from json.encoder import encode_basestring

import numpy as np

from geo.batch import check_arrays
from geo.batch_input import PointBatch
from geo.check import _zone_entry
from geo.decisions.features import decision_hit
from geo.index import ZoneIndex, as_utc64
from geo.timeutil import now, to_hanoi

NDJSON = "application/x-ndjson"
CSV = "text/csv"
CHUNK_POINTS = 50_000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
COMPACT = (",", ":")
CSV_COLUMNS = ("id", "lon", "lat", "at", "in_vietnam", "country", "province_code",
               "province_name", "commune_code", "commune_name", "commune_precision",
               "in_land_border_area", "in_border_belt", "belt_id", "belt_depth_m",
               "border_distance_m", "nearest_neighbour", "zone_count", "zones",
               "decision_count", "decisions")


def media_type(accept: str | None) -> str:
    """CSV when the caller accepts text/csv (and not NDJSON first), else NDJSON."""
    for part in (accept or "").split(","):
        kind = part.split(";")[0].strip().lower()
        if kind in (CSV, "application/csv"):
            return CSV
        if kind in (NDJSON, "application/ndjson", "application/jsonl"):
            return NDJSON
    return NDJSON


def answer_chunks(index: ZoneIndex, batch: PointBatch, *, fmt: str, cleared: bool,
                  at: datetime | None = None, chunk: int = CHUNK_POINTS,
                  progress: Callable[[int], object] | None = None) -> Iterator[bytes]:
    """Answers as encoded text, ``chunk`` points at a time (CSV: the header first). Points
    without their own time are answered at ``at`` (default: now, fixed for the batch)."""
    instant = np.datetime64(as_utc64(at or now(), None), "us")
    writer = CsvRows(index, cleared) if fmt == CSV else JsonRows(index, cleared)
    if fmt == CSV:
        yield (",".join(CSV_COLUMNS) + "\n").encode()
    for start in range(0, len(batch), chunk):
        part = slice(start, start + chunk)
        when = batch.when[part] if batch.when is not None else \
            np.full(len(batch.lon[part]), instant)
        cols = check_arrays(index, batch.lon[part], batch.lat[part], when)
        yield writer.rows(batch.ids[part], batch.lon[part], batch.lat[part], cols).encode()
        if progress is not None:
            progress(len(batch.lon[part]))


def _instant_texts(when: np.ndarray) -> list[str]:
    """ISO-8601 in Hanoi time per point (each distinct instant formatted once)."""
    uniq, inverse = np.unique(when.view(np.int64), return_inverse=True)
    texts = [to_hanoi(EPOCH + timedelta(microseconds=us)).isoformat() for us in uniq.tolist()]
    return np.asarray(texts, dtype=object)[inverse.ravel()].tolist()


def _cached(fn: Callable, keys: Iterator, key: Callable = lambda k: k) -> list:
    """``fn`` of each key, computed once per distinct key."""
    cache: dict = {}
    out = []
    for k in keys:
        h = key(k)
        found = cache.get(h)
        if found is None:
            found = cache[h] = fn(k)
        out.append(found)
    return out


def _by_identity(fn: Callable, hits: list) -> list:
    """``fn`` of each tuple of hits, once per tuple object (tuples of features are shared
    between points and not hashable; they all stay alive while a chunk is written)."""
    return _cached(fn, iter(hits), id)


class JsonRows:
    """NDJSON lines; the nested objects are encoded once per distinct value."""

    def __init__(self, index: ZoneIndex, cleared: bool):
        self.index, self.cleared = index, cleared
        self.source = encode_basestring(index.border.source)

    def _belt(self, i: int) -> str:
        if i < 0:
            return "null"
        f = self.index.belt.features[i]
        p = f.props
        return json.dumps({"id": f.id, "depth_m": p["depth_m"], "is_default": p["is_default"],
                           "instrument": p["instrument"], "commune_code": p.get("commune_code")},
                          ensure_ascii=False, separators=COMPACT)

    def _zones(self, hits: tuple) -> str:
        return json.dumps([_zone_entry(f, kind, self.cleared) for kind, f in hits],
                          ensure_ascii=False, separators=COMPACT) if hits else "[]"

    def rows(self, ids, lon, lat, cols: dict[str, np.ndarray]) -> str:
        def unit(key):
            code, name, *precision = key
            if not code:
                return "null"
            body = {"code": code, "name": name}
            if precision:
                body["precision"] = precision[0]
            return json.dumps(body, ensure_ascii=False, separators=COMPACT)

        def text(value: str) -> str:
            return encode_basestring(value) if value else "null"

        flags = {k: np.where(cols[k], "true", "false").tolist() for k in (
            "in_vietnam", "in_land_border_area", "in_border_belt")}
        dist = [("null" if d != d else repr(d)) for d in cols["border_distance_m"].tolist()]
        zones = _by_identity(self._zones, cols["zones"].tolist())
        decisions = _by_identity(
            lambda d: json.dumps([decision_hit(f) for f in d], ensure_ascii=False,
                                 separators=COMPACT) if d else "[]",
            cols["decisions"].tolist())
        lines = []
        for row in zip(
                ids.tolist(), lon.tolist(), lat.tolist(), _instant_texts(cols["at"]),
                flags["in_vietnam"], _cached(text, iter(cols["country"].tolist())),
                _cached(unit, zip(cols["province_code"].tolist(),
                                  cols["province_name"].tolist(), strict=True)),
                _cached(unit, zip(cols["commune_code"].tolist(), cols["commune_name"].tolist(),
                                  cols["commune_precision"].tolist(), strict=True)),
                flags["in_land_border_area"], flags["in_border_belt"],
                _cached(self._belt, iter(cols["belt_index"].tolist())), dist,
                _cached(text, iter(cols["nearest_neighbour"].tolist())), zones, decisions,
                strict=True):
            lines.append(self._line(row))
        return "".join(lines)

    def _line(self, r) -> str:
        ident = encode_basestring(r[0]) if isinstance(r[0], str) else json.dumps(r[0])
        return (f'{{"id":{ident},"lon":{r[1]!r},"lat":{r[2]!r},"at":"{r[3]}",'
                f'"in_vietnam":{r[4]},"country":{r[5]},"province":{r[6]},"commune":{r[7]},'
                f'"in_land_border_area":{r[8]},"in_border_belt":{r[9]},"belt":{r[10]},'
                f'"border_distance_m":{r[11]},"nearest_neighbour":{r[12]},"zones":{r[13]},'
                f'"border_source":{self.source},"decisions":{r[14]}}}\n')


class CsvRows:
    """CSV rows in ``CSV_COLUMNS`` order; zones as ``kind:id`` (``kind`` alone when
    redacted) and decisions as their numbers, each joined by ``;``."""

    def __init__(self, index: ZoneIndex, cleared: bool):
        self.cleared = cleared

    def _zones(self, hits: tuple) -> str:
        entries = [_zone_entry(f, kind, self.cleared) for kind, f in hits]
        return ";".join(f"{e['kind']}:{e['id']}" if "id" in e else e["kind"] for e in entries)

    def rows(self, ids, lon, lat, cols: dict[str, np.ndarray]) -> str:
        def flag(name: str) -> list[str]:
            return np.where(cols[name], "true", "false").tolist()

        def number(name: str) -> list[str]:
            return ["" if v != v else repr(v) for v in cols[name].tolist()]

        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(zip(
            ids.tolist(), lon.tolist(), lat.tolist(), _instant_texts(cols["at"]),
            flag("in_vietnam"), cols["country"].tolist(), cols["province_code"].tolist(),
            [n or "" for n in cols["province_name"].tolist()], cols["commune_code"].tolist(),
            [n or "" for n in cols["commune_name"].tolist()],
            cols["commune_precision"].tolist(), flag("in_land_border_area"),
            flag("in_border_belt"), cols["belt_id"].tolist(), number("belt_depth_m"),
            number("border_distance_m"), cols["nearest_neighbour"].tolist(),
            cols["zone_count"].tolist(), _by_identity(self._zones, cols["zones"].tolist()),
            cols["decision_count"].tolist(),
            [";".join(f.id for f in d) for d in cols["decisions"].tolist()], strict=True))
        return out.getvalue()
