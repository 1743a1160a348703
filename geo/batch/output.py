"""Writing batch answers chunk by chunk: NDJSON (one object per point, the shape of a
``GET /v1/check/point`` answer plus the point's ``id``) or CSV (one row per point).

Refused rows (``geo.batch.refusals``) keep their place in input order: in NDJSON an object
``{"id", "line" | "feature", "error": {"field", "message"}}``, in CSV a row with its id, the
computed columns empty and the message in the last column, ``error`` (empty on answered rows).

Zones are written as the caller may see them: ``cleared`` callers get the names, ids and
exact extent of sensitive zones, others only their kind and legal basis, answered against
their footprints (``geo.location.check.zone_entry``, ``geo.location.footprint``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from itertools import islice, repeat
from json.encoder import encode_basestring

import numpy as np

from geo.batch.check import check_arrays
from geo.batch.input import PointBatch
from geo.batch.refusals import RowError
from geo.common.timeutil import now, to_hanoi
from geo.location.check import belt_entry, zone_entry
from geo.location.decision_features import decision_hit
from geo.location.index import ZoneIndex, as_utc64

NDJSON = "application/x-ndjson"
CSV = "text/csv"
CHUNK_POINTS = 50_000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
COMPACT = (",", ":")
CSV_COLUMNS = ("id", "lon", "lat", "at", "in_vietnam", "country", "province_code",
               "province_name", "commune_code", "commune_name", "commune_precision",
               "in_land_border_area", "in_border_belt", "belt_id", "belt_depth_m",
               "border_distance_m", "nearest_neighbour", "zone_count", "zones",
               "decision_count", "decisions", "in_sea_border_area", "surface", "error")


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
    done = 0
    for stop, error in _runs(batch):
        for start in range(done, stop, chunk):
            part = slice(start, min(start + chunk, stop))
            when = batch.when[part] if batch.when is not None else \
                np.full(len(batch.lon[part]), instant)
            cols = check_arrays(index, batch.lon[part], batch.lat[part], when, cleared=cleared)
            text = writer.rows(batch.ids[part], batch.lon[part], batch.lat[part], cols)
            if progress is not None:
                progress(len(batch.lon[part]))
            yield text.encode()
        done = stop
        if error is not None:
            yield writer.refused(error).encode()


def _runs(batch: PointBatch) -> list[tuple[int, RowError | None]]:
    """``(stop, error)``: answer the kept points up to ``stop``, then write ``error``; the
    last run has no error. Keeps refused rows in their input place."""
    if not batch.refused:
        return [(len(batch), None)]
    positions = batch.positions if batch.positions is not None else np.arange(len(batch))
    stops = np.searchsorted(positions, [e.position for e in batch.refused]).tolist()
    return [*zip(stops, batch.refused, strict=True), (len(batch), None)]


#: Lines formatted per C call. ``"".join(map(LINE.__mod__, rows))`` runs no bytecode, so it
#: holds the GIL to the end: ~40 ms for 10,000 NDJSON lines; slices let other threads in.
LINES_PER_CALL = 1_000


def _lines(template: str, rows, count: int) -> str:
    """``template % row`` for each of the ``count`` rows, joined."""
    line = template.__mod__
    return "".join(["".join(map(line, islice(rows, LINES_PER_CALL)))
                    for _ in range(0, count, LINES_PER_CALL)])


def _instant_texts(when: np.ndarray) -> list[str]:
    """ISO-8601 in Hanoi time per point (each distinct instant formatted once)."""
    uniq, inverse = np.unique(when.view(np.int64), return_inverse=True)
    texts = [to_hanoi(EPOCH + timedelta(microseconds=us)).isoformat() for us in uniq.tolist()]
    return np.asarray(texts, dtype=object)[inverse.ravel()].tolist()


class _Memo(dict):
    """``fn(key)`` computed once per distinct key; ``memo[key]`` looks it up (C speed)."""

    def __init__(self, fn: Callable):
        super().__init__()
        self.fn = fn

    def __missing__(self, key):
        value = self[key] = self.fn(key)
        return value


def _cached(fn: Callable, keys) -> list:
    return list(map(_Memo(fn).__getitem__, keys))


def _by_identity(fn: Callable, hits: list) -> list:
    """``fn`` of each tuple of hits, once per tuple object (tuples of features are shared
    between points and not hashable; they all stay alive while a chunk is written)."""
    keys = list(map(id, hits))
    first = dict(zip(keys, hits, strict=True))
    return list(map({k: fn(t) for k, t in first.items()}.__getitem__, keys))


def _json_ids(ids: list) -> list[str]:
    if all(isinstance(i, str) for i in ids):
        return list(map(encode_basestring, ids))
    return list(map(json.dumps, ids))


class JsonRows:
    """NDJSON lines; the nested objects are encoded once per distinct value."""

    LINE = ('{"id":%s,"lon":%r,"lat":%r,"at":"%s","in_vietnam":%s,"country":%s,'
            '"province":%s,"commune":%s,"in_land_border_area":%s,"in_border_belt":%s,'
            '"belt":%s,"border_distance_m":%s,"nearest_neighbour":%s,"zones":%s,'
            '"border_source":%s,"decisions":%s,"in_sea_border_area":%s,"surface":%s}\n')

    def __init__(self, index: ZoneIndex, cleared: bool):
        self.index, self.cleared = index, cleared
        self.source = encode_basestring(index.border.source)

    @staticmethod
    def refused(error: RowError) -> str:
        return json.dumps(error.as_dict(), ensure_ascii=False, separators=COMPACT) + "\n"

    def _belt(self, i: int) -> str:
        if i < 0:
            return "null"
        return json.dumps(belt_entry(self.index.belt.features[i]), ensure_ascii=False,
                          separators=COMPACT)

    def _zones(self, hits: tuple) -> str:
        return json.dumps([zone_entry(f, kind, self.cleared) for kind, f in hits],
                          ensure_ascii=False, separators=COMPACT) if hits else "[]"

    @staticmethod
    def _decisions(hits: tuple) -> str:
        return json.dumps([decision_hit(f) for f in hits], ensure_ascii=False,
                          separators=COMPACT) if hits else "[]"

    def rows(self, ids, lon, lat, cols: dict[str, np.ndarray]) -> str:
        def unit(key):
            code, name, *precision = key
            if not code:
                return "null"
            body = {"code": code, "name": name}
            if precision and precision[0]:  # a province only at sea ("nearest_coast")
                body["precision"] = precision[0]
            return json.dumps(body, ensure_ascii=False, separators=COMPACT)

        def text(value: str) -> str:
            return encode_basestring(value) if value else "null"

        def flag(name: str) -> list[str]:
            return np.where(cols[name], "true", "false").tolist()

        dist = cols["border_distance_m"]
        rows = zip(
            _json_ids(ids.tolist()), lon.tolist(), lat.tolist(), _instant_texts(cols["at"]),
            flag("in_vietnam"), _cached(text, cols["country"].tolist()),
            _cached(unit, zip(cols["province_code"].tolist(), cols["province_name"].tolist(),
                              cols["province_precision"].tolist(), strict=True)),
            _cached(unit, zip(cols["commune_code"].tolist(), cols["commune_name"].tolist(),
                              cols["commune_precision"].tolist(), strict=True)),
            flag("in_land_border_area"), flag("in_border_belt"),
            _cached(self._belt, cols["belt_index"].tolist()),
            np.where(np.isnan(dist), "null", dist.astype(str)).tolist(),
            _cached(text, cols["nearest_neighbour"].tolist()),
            _by_identity(self._zones, cols["zones"].tolist()), repeat(self.source, len(lon)),
            _by_identity(self._decisions, cols["decisions"].tolist()),
            flag("in_sea_border_area"), _cached(text, cols["surface"].tolist()), strict=True)
        return _lines(self.LINE, rows, len(lon))


#: First characters that make a spreadsheet read a cell as a formula (OWASP, CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _csv_field(value) -> str:
    """A text CSV field: neutralised when a spreadsheet would read it as a formula (a
    leading ``'``, the OWASP rule), then quoted (RFC 4180) when it holds a comma, quote or
    line break. For text only: numbers we compute are written by ``_numbers`` and ``%r``."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES):
        text = "'" + text
    if "," in text or '"' in text or "\n" in text or "\r" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def _numbers(values: np.ndarray) -> list[str]:
    """Shortest round-trip text of each float ("" for NaN)."""
    return np.where(np.isnan(values), "", values.astype(str)).tolist()


class CsvRows:
    """CSV rows in ``CSV_COLUMNS`` order; zones as ``kind:id`` (``kind`` alone when
    redacted) and decisions as their numbers, each joined by ``;``."""

    LINE = ",".join(["%s", "%r", "%r"] + ["%s"] * (len(CSV_COLUMNS) - 3)) + "\n"

    def __init__(self, index: ZoneIndex, cleared: bool):
        self.cleared = cleared

    @staticmethod
    def refused(error: RowError) -> str:
        ident = "" if error.id is None else error.id
        return ",".join([_csv_field(ident), *[""] * (len(CSV_COLUMNS) - 2),
                         _csv_field(error.message)]) + "\n"

    def _zones(self, hits: tuple) -> str:
        entries = [zone_entry(f, kind, self.cleared) for kind, f in hits]
        return _csv_field(";".join(e["kind"] if e.get("id") is None
                                   else f"{e['kind']}:{e['id']}" for e in entries))

    @staticmethod
    def _decisions(hits: tuple) -> str:
        return _csv_field(";".join(f.id for f in hits))

    def rows(self, ids, lon, lat, cols: dict[str, np.ndarray]) -> str:
        def flag(name: str) -> list[str]:
            return np.where(cols[name], "true", "false").tolist()

        def text(name: str) -> list[str]:
            return _cached(_csv_field, cols[name].tolist())

        rows = zip(
            list(map(_csv_field, ids.tolist())), lon.tolist(), lat.tolist(),
            _instant_texts(cols["at"]), flag("in_vietnam"), text("country"),
            text("province_code"), text("province_name"), text("commune_code"),
            text("commune_name"), text("commune_precision"),
            flag("in_land_border_area"), flag("in_border_belt"), text("belt_id"),
            _numbers(cols["belt_depth_m"]), _numbers(cols["border_distance_m"]),
            text("nearest_neighbour"), cols["zone_count"].tolist(),
            _by_identity(self._zones, cols["zones"].tolist()), cols["decision_count"].tolist(),
            _by_identity(self._decisions, cols["decisions"].tolist()),
            flag("in_sea_border_area"), text("surface"), repeat("", len(lon)), strict=True)
        return _lines(self.LINE, rows, len(lon))
